"""The HTTP service (aiohttp). Thin: validate, call diagnose(), render.

Every answer that is not a 2xx is ``application/problem+json`` (RFC 9457)
carrying the request's id. What a client sends can cost it a 4xx, never a 500:

    400  malformed hash, address, language or chain name; unknown or repeated query parameter
    401  API keys are configured and the bearer token is missing or wrong (WWW-Authenticate: Bearer)
    404  unknown chain, unknown route            405  wrong method
    414  request target over MAX_TARGET          429  over the per-client rate limit (Retry-After)
    503  no endpoint answered, or the diagnosis queue is full (Retry-After)
    504  the diagnosis ran past the deadline

Only ``/v1/`` routes take an API key and count against the rate limit;
``/healthz``, ``/readyz``, ``/metrics`` and ``/openapi.json`` are for
orchestrators and scrapers. The access log is one JSON line per request with
the route *template*, never the raw path or query, and never a key or an RPC URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import re
import signal
import socket
import sys
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from txdiag.chains import load_chains
from txdiag.errors import BadInput, ChainUnavailable, ConfigError, DeadlineExceeded, TxdiagError, UnknownChain
from txdiag.metrics import CONTENT_TYPE, Metrics
from txdiag.openapi import CHAIN_PATTERN, REQUEST_ID_PATTERN, build_document
from txdiag.rpc import deadline_scope
from txdiag.service import ChainStatus, Service
from txdiag.settings import Settings

log = logging.getLogger(__name__)
access_log = logging.getLogger("txdiag.access")

MAX_TARGET = 2048  # characters of path and query; longer gets 414
MAX_PARAM = 256  # characters of one query value
STATUS_TTL = 1.0  # seconds a health probe of the nodes is reused (bounds node load from /readyz)
PROBLEM_TYPE = "application/problem+json"
UNMATCHED = "unmatched"
_OUT_OF_TIME = 0.25  # seconds before the deadline within which "no endpoint answered" means "ran out of time"

_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)
_CHAIN = re.compile(CHAIN_PATTERN)
_ALLOWED_PARAMS: dict[str, frozenset[str]] = {"/v1/tx/{hash}": frozenset({"chain", "expected_to", "lang"})}
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    414: "URI too long",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
    504: "Deadline exceeded",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Problem(Exception):
    """An error answer; the edge middleware renders it as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def response(self, request_id: str) -> web.Response:
        body = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "request_id": request_id,
            **self.extra,
        }
        return web.Response(
            status=self.status,
            body=_dumps(body),
            headers={"Content-Type": PROBLEM_TYPE, **self.headers},
        )


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _json(value: Any, *, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(body=_dumps(value), content_type="application/json", charset="utf-8", headers=headers)


# -- protection -----------------------------------------------------------


class TokenBuckets:
    """One token bucket per client: ``rate`` tokens a second, at most ``burst`` saved up.

    The table is bounded: past ``max_clients`` the longest-idle bucket is
    forgotten (it would have refilled anyway unless it was used within the
    last burst/rate seconds).
    """

    def __init__(
        self, rate: float, burst: int, *, max_clients: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is there."""
        now = self.clock()
        tokens, stamp = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


class Gate:
    """At most ``running`` diagnoses at once and ``waiting`` queued; past that, 503 at once."""

    def __init__(self, running: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(running)
        self.max_waiting = waiting
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def slot(self, patience: float) -> AsyncIterator[None]:
        if self._slots.locked():
            if self.waiting >= self.max_waiting:
                raise Problem(503, "too many diagnoses are running; try again shortly", headers={"Retry-After": "1"})
            self.waiting += 1
            try:
                async with asyncio.timeout(patience):
                    await self._slots.acquire()
            except TimeoutError:
                raise Problem(
                    503, "no diagnosis slot became free in time; try again shortly", headers={"Retry-After": "1"}
                ) from None
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()


class StatusCache:
    """The nodes' health, probed at most once per ``ttl`` however many callers ask (single flight)."""

    def __init__(self, service: Service, metrics: Metrics | None, ttl: float = STATUS_TTL) -> None:
        self.service = service
        self.metrics = metrics
        self.ttl = ttl
        self._value: list[ChainStatus] | None = None
        self._at = 0.0
        self._task: asyncio.Task[list[ChainStatus]] | None = None

    async def get(self) -> list[ChainStatus]:
        if self._value is not None and time.monotonic() - self._at < self.ttl:
            return self._value
        if self._task is None:
            self._task = asyncio.create_task(self._refresh())
        # shielded: a client that hangs up does not cancel the probe others wait for
        return await asyncio.shield(self._task)

    async def _refresh(self) -> list[ChainStatus]:
        try:
            value = await self.service.status()
            self._value, self._at = value, time.monotonic()
            if self.metrics is not None:
                for st in value:
                    self.metrics.observe_heads(
                        st.name, {e.name: e.head for e in st.endpoints}, {e.name: e.up for e in st.endpoints}
                    )
            return value
        finally:
            self._task = None

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class Guard:
    """The app's protective state: API keys, rate limit, concurrency bound, health cache."""

    def __init__(self, service: Service, settings: Settings, metrics: Metrics | None) -> None:
        self.keys = tuple(hashlib.sha256(k.encode()).digest() for k in sorted(settings.api_keys))
        self.buckets = TokenBuckets(settings.rate_per_second, settings.rate_burst)
        self.gate = Gate(settings.max_concurrent, settings.max_waiting)
        self.status = StatusCache(service, metrics)
        self.trust_forwarded = settings.trust_forwarded

    def key_id(self, authorization: str | None) -> str | None:
        """A short fingerprint of the presented key when it is valid, else None. Constant-time compare."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        # header bytes that are not UTF-8 arrive as surrogate escapes: hash the bytes the client sent
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        valid = False
        for key in self.keys:  # no early exit: every key is compared
            valid |= hmac.compare_digest(digest, key)
        return digest.hex()[:12] if valid else None

    def client_address(self, request: web.Request) -> str:
        """The peer's address; behind a trusted proxy, the right-most X-Forwarded-For entry.

        The proxy appends the address it saw to whatever the client sent, on
        the last line when the client sent several: only the right-most entry
        of all lines together is the proxy's word. Anything left of it, or a
        malformed last entry, is the client's and is not believed.
        """
        if self.trust_forwarded:
            forwarded = ",".join(request.headers.getall("X-Forwarded-For", ()))
            last = forwarded.rsplit(",", 1)[-1].strip()
            with contextlib.suppress(ValueError):
                return str(ipaddress.ip_address(last))
        return request.remote or "unknown"


SERVICE = web.AppKey("service", Service)
SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
GUARD = web.AppKey("guard", Guard)
OPENAPI = web.AppKey("openapi", bytes)
REQUEST_ID = web.RequestKey("request_id", str)
CLIENT = web.RequestKey("client", str)
KEY_ID = web.RequestKey("key_id", str)


def route_of(request: web.Request) -> str:
    """The route template (``/v1/tx/{hash}``), or ``unmatched``: a bounded metrics label."""
    resource = request.match_info.route.resource
    if resource is None or request.match_info.http_exception is not None:
        return UNMATCHED
    return resource.canonical


def _request_id(incoming: str | None) -> str:
    if incoming and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


# -- middlewares ----------------------------------------------------------


@web.middleware
async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, problem+json for every error, metrics and one access-log line per request."""
    started = time.monotonic()
    rid = _request_id(request.headers.get("X-Request-ID"))
    request[REQUEST_ID] = rid
    route = route_of(request)
    response: web.StreamResponse
    try:
        if len(request.raw_path) > MAX_TARGET:
            raise Problem(414, f"the request target is longer than {MAX_TARGET} characters")
        response = await handler(request)
    except Problem as problem:
        response = problem.response(rid)
    except web.HTTPException as exc:  # routing's 404 / 405 and aiohttp's own client errors
        response = _from_http_exception(exc).response(rid)
    except asyncio.CancelledError:
        _access(request, route, 499, started)  # the client went away
        raise
    except Exception as exc:
        # no internals in the answer; the log names the type only (messages may quote URLs)
        log.error("unhandled %s serving %s (request %s)", type(exc).__name__, route, rid)
        log.debug("unhandled error", exc_info=True)
        response = Problem(500, "the service failed to answer; the request id identifies it in the logs").response(rid)
    response.headers["X-Request-ID"] = rid
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    metrics = request.app[METRICS]
    metrics.observe_http(route, response.status, time.monotonic() - started)
    _access(request, route, response.status, started)
    return response


def _from_http_exception(exc: web.HTTPException) -> Problem:
    status = exc.status
    if status >= 500:  # aiohttp raises none for client input; keep the promise regardless
        return Problem(500, "the service failed to answer")
    headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
    detail = {
        404: "no such route; see /openapi.json",
        405: f"method not allowed; allowed: {exc.headers.get('Allow', 'GET')}",
    }.get(status, exc.reason)
    return Problem(status, detail, headers=headers)


def _access(request: web.Request, route: str, status: int, started: float) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    line = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "event": "http_request",
        "method": request.method,
        "route": route,
        "status": status,
        "duration_ms": round((time.monotonic() - started) * 1000, 2),
        "request_id": request.get(REQUEST_ID),
        "client": request.get(CLIENT) or request.remote,
        "key_id": request.get(KEY_ID),
    }
    access_log.info(json.dumps(line, ensure_ascii=False))


@web.middleware
async def protect(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API key, rate limit and strict query validation, before any handler runs."""
    guard = request.app[GUARD]
    route = route_of(request)
    if route == UNMATCHED:
        return await handler(request)
    request[CLIENT] = guard.client_address(request)
    if route.startswith("/v1/"):
        identity = request[CLIENT]
        if guard.keys:
            key_id = guard.key_id(request.headers.get("Authorization"))
            if key_id is None:
                presented = bool(request.headers.get("Authorization"))
                challenge = 'Bearer realm="txdiag"' + (', error="invalid_token"' if presented else "")
                raise Problem(
                    401,
                    "a valid API key is required: Authorization: Bearer <key>",
                    headers={"WWW-Authenticate": challenge},
                )
            request[KEY_ID] = key_id
            identity = f"key:{key_id}"
        wait = guard.buckets.take(identity)
        if wait > 0:
            raise Problem(429, "over the rate limit; slow down", headers={"Retry-After": str(max(1, math.ceil(wait)))})
    _check_query(request, _ALLOWED_PARAMS.get(route, frozenset()))
    return await handler(request)


def _check_query(request: web.Request, allowed: frozenset[str]) -> None:
    seen: set[str] = set()
    for name, value in request.query.items():
        shown = name[:40]
        if name not in allowed:
            hint = f"; accepted: {', '.join(sorted(allowed))}" if allowed else "; this route takes none"
            raise Problem(400, f"unknown query parameter {shown!r}{hint}")
        if name in seen:
            raise Problem(400, f"query parameter {shown!r} is given more than once")
        seen.add(name)
        if not value:
            raise Problem(400, f"query parameter {shown!r} is empty")
        if len(value) > MAX_PARAM:
            raise Problem(400, f"query parameter {shown!r} is longer than {MAX_PARAM} characters")


# -- handlers -------------------------------------------------------------


async def diagnose_handler(request: web.Request) -> web.Response:
    """GET /v1/tx/{hash}: one diagnosis, in the language asked for."""
    service, settings = request.app[SERVICE], request.app[SETTINGS]
    q = request.query
    chain = q.get("chain")
    if chain is not None and not _CHAIN.fullmatch(chain):
        raise Problem(400, "not a chain name: lower-case letters, digits and '-', at most 32 characters")
    # one deadline for the whole request: time spent waiting for a slot is not given again to the diagnosis
    started = time.monotonic()
    async with request.app[GUARD].gate.slot(settings.deadline):
        left = settings.deadline - (time.monotonic() - started)
        try:
            # the RPC layer stops a little before what is left, so a failure can still name the endpoints
            async with asyncio.timeout(max(0.0, left)):
                with deadline_scope(max(0.0, left)):
                    diagnosis = await service.diagnose(
                        request.match_info["hash"],
                        chain=chain,
                        expected_to=q.get("expected_to"),
                        lang=q.get("lang"),
                        accept_language=request.headers.get("Accept-Language"),
                    )
        except UnknownChain as exc:
            raise Problem(404, str(exc), title="Unknown chain") from None
        except BadInput as exc:
            raise Problem(400, str(exc)) from None
        except ChainUnavailable as exc:
            left = settings.deadline - (time.monotonic() - started)
            # the RPC layer stops a little before the deadline so its error can name the endpoints tried
            if left > max(_OUT_OF_TIME, 0.05 * settings.deadline) and not str(exc).endswith("out of time"):
                raise Problem(503, str(exc), title="No endpoint answered", headers={"Retry-After": "5"}) from None
            # the endpoints were still being waited on when the time ran out: that is the deadline's doing
            raise Problem(504, f"the diagnosis did not finish within {settings.deadline:g} s") from None
        except (DeadlineExceeded, TimeoutError):
            raise Problem(504, f"the diagnosis did not finish within {settings.deadline:g} s") from None
    return _json(
        diagnosis.to_json(),
        headers={"Content-Language": diagnosis.lang, "Vary": "Accept-Language", "Cache-Control": "no-store"},
    )


async def chains_handler(request: web.Request) -> web.Response:
    """GET /v1/chains: configured chains, redacted endpoint names, and each endpoint's health now."""
    service = request.app[SERVICE]
    statuses = await request.app[GUARD].status.get()
    return _json(
        {
            "chains": [
                {
                    "name": st.name,
                    "chain_id": st.chain_id,
                    "native_symbol": service.chains[st.name].native_symbol,
                    "mempool": service.chains[st.name].mempool,
                    "ready": st.ready,
                    "endpoints": [
                        {
                            "name": e.name,
                            "up": e.up,
                            "head": e.head,
                            "latency_ms": None if e.latency_ms is None else round(e.latency_ms, 2),
                            "error": e.error,
                        }
                        for e in st.endpoints
                    ],
                }
                for st in statuses
            ]
        },
        headers={"Cache-Control": "no-store"},
    )


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: the process is up and serving."""
    return _json({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: 200 when every chain has a live endpoint, else 503."""
    statuses = await request.app[GUARD].status.get()
    chains = {st.name: st.ready for st in statuses}
    if not all(chains.values()):
        down = ", ".join(n for n, ok in chains.items() if not ok)
        raise Problem(
            503,
            f"no live endpoint on: {down}",
            title="Not ready",
            headers={"Retry-After": "5"},
            extra={"chains": chains},
        )
    return _json({"status": "ready", "chains": chains})


async def metrics_handler(request: web.Request) -> web.Response:
    """GET /metrics: the registry in the Prometheus text format."""
    metrics, service = request.app[METRICS], request.app[SERVICE]
    for name, ctx in service.contexts.items():
        health = ctx.client.health
        metrics.observe_heads(name, {n: h.head if h.up else None for n, h in health.items()}, {})
    return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})


async def openapi_handler(request: web.Request) -> web.Response:
    """GET /openapi.json: the OpenAPI 3.1 document."""
    return web.Response(body=request.app[OPENAPI], content_type="application/json", charset="utf-8")


# -- the app --------------------------------------------------------------


def create_app(service: Service, settings: Settings, metrics: Metrics) -> web.Application:
    """The aiohttp application. The service's RPC clients open and close with it."""
    app = web.Application(middlewares=[edge, protect], client_max_size=64 * 1024)
    app[SERVICE] = service
    app[SETTINGS] = settings
    app[METRICS] = metrics
    app[GUARD] = Guard(service, settings, metrics)
    app[OPENAPI] = _dumps(build_document())
    app.cleanup_ctx.append(_service_lifetime)
    app.router.add_get("/v1/tx/{hash}", diagnose_handler)
    app.router.add_get("/v1/chains", chains_handler)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_handler)
    app.router.add_get("/openapi.json", openapi_handler)
    return app


async def _service_lifetime(app: web.Application) -> AsyncIterator[None]:
    service = app[SERVICE]
    async with contextlib.AsyncExitStack() as stack:
        for ctx in service.contexts.values():
            await stack.enter_async_context(ctx.client)  # opens the pooled session now, in this loop
        yield
        await app[GUARD].status.close()
    service.sightings.close()


class CannotListen(TxdiagError):
    """The service could not open its listening socket (port in use, no such address, not permitted)."""


def run(*, host: str | None = None, port: int | None = None, chains_dir: Path | None = None) -> int:
    """``txdiag serve``: serve until SIGTERM or SIGINT, then drain in-flight requests within the grace time.

    Raises ConfigError for a port outside 0-65535 and CannotListen when the socket cannot be opened.
    """
    settings = Settings.from_env()
    if port is not None and not 0 <= port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    chains = load_chains(chains_dir or settings.chains_dir)
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    return asyncio.run(_serve(settings, chains, host or settings.host, settings.port if port is None else port))


async def _serve(settings: Settings, chains: Mapping[str, Any], host: str, port: int) -> int:
    metrics = Metrics(CollectorRegistry())
    service = Service(chains, settings, metrics=metrics)
    app = create_app(service, settings, metrics)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=settings.shutdown_grace)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise CannotListen(f"cannot listen on {host}:{port}: {_listen_failure(exc)}") from exc
        for address in runner.addresses:
            shown_host, shown_port = address[0], address[1]
            print(f"txdiag: listening on http://{shown_host}:{shown_port}", file=sys.stderr, flush=True)
        await stop.wait()
        print("txdiag: shutting down", file=sys.stderr, flush=True)
    finally:
        # stops listening, lets in-flight requests finish within the grace time, then closes the RPC clients
        await runner.cleanup()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0


def _listen_failure(exc: OSError) -> str:
    """Why a listening socket could not be opened, in words (asyncio's message quotes the socket address)."""
    reasons = {
        errno.EADDRINUSE: "the port is already in use (is another txdiag or server running?)",
        errno.EACCES: "permission denied (ports below 1024 need privileges)",
        errno.EADDRNOTAVAIL: "that address does not belong to this machine",
    }
    if exc.errno in reasons:
        return reasons[exc.errno]
    if isinstance(exc, socket.gaierror):
        return "the host name could not be resolved"
    return (exc.strerror or type(exc).__name__).lower()
