"""Settings, read in one place and validated at start-up.

``Settings.from_env`` is the only reader of the environment: the ``TXDIAG_*``
settings, and the variables a chain file's ``${VAR}`` endpoints expand from
(``variables``, handed to ``load_chains``). The command line and the server
both start from it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from txdiag.errors import ConfigError


def _float(env: Mapping[str, str], key: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"setting {key} must be a number, got {raw[:20]!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"setting {key} must be between {lo:g} and {hi:g}, got {value:g}")
    return value


def _int(env: Mapping[str, str], key: str, default: int, lo: int, hi: int) -> int:
    value = _float(env, key, default, lo, hi)
    if value != int(value):
        raise ConfigError(f"setting {key} must be a whole number")
    return int(value)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, with defaults fit for a small deployment."""

    chains_dir: Path | None = None  # None: TXDIAG_CHAINS_DIR, else the bundled chains/
    data_dir: Path = Path("data")
    deadline: float = 12.0  # seconds for one whole diagnosis
    attempt_timeout: float = 4.0  # seconds for one HTTP attempt to a node
    rpc_attempts: int = 4
    host: str = "127.0.0.1"
    port: int = 8080
    api_keys: frozenset[str] = field(default_factory=frozenset, repr=False)
    rate_per_second: float = 5.0  # per client (API key or address)
    rate_burst: int = 20
    max_concurrent: int = 64  # diagnoses running at once
    max_waiting: int = 256  # diagnoses waiting for a slot; beyond it: 503
    result_cache_size: int = 10_000
    pending_cache_seconds: float = 2.0  # how long an answer about a not-final transaction is reused
    shutdown_grace: float = 10.0
    trust_forwarded: bool = False  # take the client address from X-Forwarded-For (behind a proxy)
    # keep sightings of pending transactions in SQLite under data_dir (from_env: on unless TXDIAG_SIGHTINGS=memory)
    persist_sightings: bool = False
    # connections (txdiag serve): what a client may hold, and for how long
    header_timeout: float = 10.0  # seconds from a request's first byte (or the connection's start) to its last header
    keepalive_timeout: float = 15.0  # seconds an idle keep-alive connection is kept
    body_timeout: float = 10.0  # seconds a request body (which no route reads) is drained before the close
    max_connections: int = 1000  # open at once, in total (lowered to fit the file-descriptor limit)
    max_connections_per_client: int = 64  # open at once from one address (IPv6: one /64)
    auth_failure_rate: float = 0.1  # failed authentications a client earns back per second
    auth_failure_burst: int = 10  # failed authentications a client may make before 429
    page: bool = True  # serve the page for people (GET /, /tx/{hash}); TXDIAG_PAGE=off turns it off
    lang: str | None = None  # the CLI's answer language when --lang is not given (TXDIAG_LANG)
    log_level: int = logging.WARNING  # TXDIAG_LOG_LEVEL: debug, info, warning, error or critical
    # bytes every node answer alive at once may hold, read and decoded, in the whole process (TXDIAG_ANSWER_BUDGET_MB)
    answer_budget: int = 128 * 1024 * 1024
    # what ${VAR} in a chain file's endpoints expands from (the environment, for from_env): may hold keys
    variables: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every setting from ``env`` (the process environment when None); ConfigError names the one at fault."""
        env = dict(os.environ if env is None else env)
        keys = frozenset(k.strip() for k in env.get("TXDIAG_API_KEYS", "").split(",") if k.strip())
        if any(len(k) < 16 for k in keys):
            raise ConfigError("setting TXDIAG_API_KEYS: every key must be at least 16 characters")
        chains_dir = env.get("TXDIAG_CHAINS_DIR")
        return cls(
            chains_dir=Path(chains_dir) if chains_dir else None,
            data_dir=Path(env.get("TXDIAG_DATA_DIR") or "data"),
            deadline=_float(env, "TXDIAG_DEADLINE", 12.0, 0.1, 300),
            attempt_timeout=_float(env, "TXDIAG_RPC_TIMEOUT", 4.0, 0.05, 120),
            rpc_attempts=_int(env, "TXDIAG_RPC_ATTEMPTS", 4, 1, 20),
            host=env.get("TXDIAG_HOST") or "127.0.0.1",
            port=_int(env, "TXDIAG_PORT", 8080, 0, 65535),
            api_keys=keys,
            rate_per_second=_float(env, "TXDIAG_RATE_PER_SECOND", 5.0, 0.01, 100_000),
            rate_burst=_int(env, "TXDIAG_RATE_BURST", 20, 1, 1_000_000),
            max_concurrent=_int(env, "TXDIAG_MAX_CONCURRENT", 64, 1, 100_000),
            max_waiting=_int(env, "TXDIAG_MAX_WAITING", 256, 0, 1_000_000),
            result_cache_size=_int(env, "TXDIAG_RESULT_CACHE", 10_000, 0, 10_000_000),
            pending_cache_seconds=_float(env, "TXDIAG_PENDING_CACHE_SECONDS", 2.0, 0, 600),
            shutdown_grace=_float(env, "TXDIAG_SHUTDOWN_GRACE", 10.0, 0, 600),
            trust_forwarded=env.get("TXDIAG_TRUST_FORWARDED", "").lower() in ("1", "true", "yes"),
            persist_sightings=_sightings_mode(env) == "sqlite",
            header_timeout=_float(env, "TXDIAG_HEADER_TIMEOUT", 10.0, 0.01, 600),
            keepalive_timeout=_float(env, "TXDIAG_KEEPALIVE_TIMEOUT", 15.0, 0.01, 3600),
            body_timeout=_float(env, "TXDIAG_BODY_TIMEOUT", 10.0, 0.01, 600),
            max_connections=_int(env, "TXDIAG_MAX_CONNECTIONS", 1000, 1, 1_000_000),
            max_connections_per_client=_int(env, "TXDIAG_MAX_CONNECTIONS_PER_CLIENT", 64, 1, 1_000_000),
            auth_failure_rate=_float(env, "TXDIAG_AUTH_FAILURE_RATE", 0.1, 0.001, 1000),
            auth_failure_burst=_int(env, "TXDIAG_AUTH_FAILURE_BURST", 10, 1, 100_000),
            page=_switch(env, "TXDIAG_PAGE", True),
            lang=(env.get("TXDIAG_LANG") or "").strip() or None,
            log_level=_log_level(env),
            answer_budget=_int(env, "TXDIAG_ANSWER_BUDGET_MB", 128, 16, 1_048_576) * 1024 * 1024,
            variables=env,
        )


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def _log_level(env: Mapping[str, str]) -> int:
    """TXDIAG_LOG_LEVEL as a logging level; ConfigError (exit 2) for a name logging does not know."""
    raw = (env.get("TXDIAG_LOG_LEVEL") or "warning").strip()
    if raw.lower() not in LOG_LEVELS:
        raise ConfigError(f"setting TXDIAG_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw[:20]!r}")
    return logging.getLevelNamesMapping()[raw.upper()]


def _switch(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = (env.get(key) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise ConfigError(f"setting {key} must be on or off, got {raw[:20]!r}")


def _sightings_mode(env: Mapping[str, str]) -> str:
    mode = (env.get("TXDIAG_SIGHTINGS") or "sqlite").strip().lower()
    if mode not in ("sqlite", "memory"):
        raise ConfigError(f"setting TXDIAG_SIGHTINGS must be sqlite or memory, got {mode[:20]!r}")
    return mode
