"""The composition root: settings, chain specs and metrics in; a wired Service out.

Everything stateful is made here and nowhere else: the answer budget every
RPC client shares, one RPC client (speaking its family's dialect), snapshot cache and token cache per chain,
each chain's peers (the other chains, which some probes ask too), the result cache, the coalescing of identical requests
and the sightings store. Service then only runs the diagnose flow.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from txdiag.cache import LRU, SingleFlight
from txdiag.chains import ChainSpec
from txdiag.context import ChainContext
from txdiag.families import Families, dialect
from txdiag.families.evm.snapshot import SnapshotCache
from txdiag.rpc import RetryPolicy, RpcClient, RpcObserver
from txdiag.rpc.budget import AnswerBudget
from txdiag.rpc.transport import TransportKind
from txdiag.service import EVM, Service
from txdiag.settings import Settings
from txdiag.sightings import MemorySightings, OpenedOnUse, SightingStore, SqliteSightings

if TYPE_CHECKING:  # prometheus_client loads only where metrics are kept (the server)
    from txdiag.metrics import Metrics

log = logging.getLogger(__name__)


def build_service(
    settings: Settings,
    chains: Mapping[str, ChainSpec],
    metrics: Metrics | None = None,
    *,
    sightings: SightingStore | None = None,
    clock: Callable[[], datetime] | None = None,
    policy: RetryPolicy | None = None,
    transport: TransportKind = "aiohttp",
) -> Service:
    """A Service for these chains; ``sightings``, ``clock`` and ``policy`` replace the defaults (tests, bench).

    ``transport`` is how the clients POST: aiohttp for the server, "plain" (the standard library in worker
    threads, same contract) for a one-shot command, which then never imports aiohttp.
    """
    observe = functools.partial(_count_cache, metrics)
    if metrics is not None:
        for spec in chains.values():
            metrics.chain_info.labels(spec.name, spec.family).set(1)
    contexts = build_contexts(settings, chains, metrics, policy, observe, transport=transport)
    return Service(
        settings,
        contexts,
        sightings=sightings if sightings is not None else default_sightings(settings),
        results=LRU(settings.result_cache_size),
        inflight=SingleFlight(),
        families={"evm": EVM},
        bitcoin_family=Families(),
        metrics=metrics,
        clock=clock or (lambda: datetime.now(UTC)),
        observe_cache=observe,
    )


def build_contexts(
    settings: Settings,
    chains: Mapping[str, ChainSpec],
    metrics: Metrics | None,
    policy: RetryPolicy | None,
    observe: Callable[[str, str], None],
    *,
    transport: TransportKind = "aiohttp",
) -> dict[str, ChainContext]:
    """One client, snapshot cache and token cache per chain; every chain knows the others as its peers."""
    # the retry, circuit and hedging policy; attempts and the attempt timeout come from settings
    policy = dataclasses.replace(
        policy or RetryPolicy(), attempts=settings.rpc_attempts, attempt_timeout=settings.attempt_timeout
    )
    observer: RpcObserver | None = metrics
    # one budget for the bytes of node answers alive at once, shared by every chain's client
    budget = AnswerBudget(settings.answer_budget)
    contexts = {
        name: ChainContext(
            chain=spec,
            client=RpcClient(
                spec,
                dialect=functools.partial(dialect, spec.family),  # the family's, loaded when first asked
                policy=policy,
                observer=observer,
                transport=transport,
                budget=budget,
            ),
            snapshots=SnapshotCache(ttl=max(0.25, spec.block_time), observe=functools.partial(observe, "snapshot")),
        )
        for name, spec in chains.items()
    }
    for ctx in contexts.values():
        # a probe may ask the other chains of its family too (is the recipient a contract somewhere else?)
        ctx.peers = {n: c for n, c in contexts.items() if c is not ctx and c.chain.family == ctx.chain.family}
    return contexts


def default_sightings(settings: Settings, *, on_first_use: bool = False) -> SightingStore:
    """SQLite in the data directory when persistence is on; memory when off, or when the directory is unusable.

    ``on_first_use`` (the command line) opens it when a diagnosis first needs it, not at start-up.
    """
    if settings.persist_sightings and on_first_use:
        return OpenedOnUse(functools.partial(default_sightings, settings))
    if settings.persist_sightings:
        try:
            return SqliteSightings.in_dir(settings.data_dir)
        except (OSError, sqlite3.Error) as exc:
            log.warning("sightings kept in memory only: data directory unusable (%s)", type(exc).__name__)
    return MemorySightings()


def _count_cache(metrics: Metrics | None, cache: str, result: str) -> None:
    if metrics is not None:
        metrics.cache(cache, result)
