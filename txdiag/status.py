"""Endpoint health on demand: every endpoint of every chain probed at once (/readyz, /v1/chains, `txdiag chains`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

from txdiag.context import ChainContext
from txdiag.errors import ChainUnavailable, DeadlineExceeded, Reason
from txdiag.rpc import TransientError

STATUS_TIMEOUT = 2.0  # seconds for one health probe of an endpoint


@dataclass(frozen=True, slots=True)
class EndpointStatus:
    name: str
    up: bool
    head: int | None
    latency_ms: float | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ChainStatus:
    name: str
    chain_id: int | None  # None for the bitcoin family
    endpoints: tuple[EndpointStatus, ...]
    family: str = "evm"
    network: str | None = None

    @property
    def ready(self) -> bool:
        return any(e.up for e in self.endpoints)


async def chain_statuses(contexts: Iterable[ChainContext], limit: float) -> list[ChainStatus]:
    """Each chain's endpoints, probed now with their family's head call (eth_blockNumber, getblockcount).

    Every endpoint of every chain is asked at once, one attempt each (no
    retry, no failover), so the whole call takes about ``limit`` however
    many endpoints are down: readiness probes must answer quickly.
    """

    async def probe(ctx: ChainContext, name: str) -> EndpointStatus:
        started = time.monotonic()
        try:
            # the client's own timeout ends the attempt; this is the backstop for the rest
            async with asyncio.timeout(limit + 0.25):
                head = await ctx.client.probe_head(name, limit)
        except TransientError as exc:
            return EndpointStatus(name, False, None, None, exc.label)
        except TimeoutError:
            return EndpointStatus(name, False, None, None, "timeout")
        except Exception as exc:  # any failure means "down"; the reason is shown
            return EndpointStatus(name, False, None, None, _reason(exc))
        return EndpointStatus(name, True, head, (time.monotonic() - started) * 1000)

    async def chain_status(ctx: ChainContext) -> ChainStatus:
        endpoints = await asyncio.gather(*(probe(ctx, ep.name) for ep in ctx.chain.endpoints))
        spec = ctx.chain
        return ChainStatus(spec.name, spec.chain_id, tuple(endpoints), spec.family, spec.network)

    return list(await asyncio.gather(*(chain_status(c) for c in contexts)))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ChainUnavailable):
        return exc.label
    if isinstance(exc, DeadlineExceeded):
        return Reason.OUT_OF_TIME.value
    return type(exc).__name__
