"""Chain-wide conditions, fetched once per block time and shared.

The snapshot (head, finalized and safe heads, fee history, pool status) does
not depend on the transaction, so a cold diagnosis fetches it in the same
batch as the transaction itself: the first caller holds a *lease*, adds
:func:`snapshot_calls` to its batch and fulfils the lease; concurrent callers
await the same result (single flight). Until the TTL runs out everyone reads
the cached value.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from txdiag.cache import LRU, Lease, SingleFlight
from txdiag.chains import ChainSpec
from txdiag.models import NetworkView
from txdiag.rpc import Call, Reply
from txdiag.wire import WireError, parse_block_head, parse_fee_history, parse_pool_status

T = TypeVar("T")

FEE_HISTORY_BLOCKS = 20
REWARD_PERCENTILES = (10.0, 25.0, 50.0, 75.0, 90.0)


def snapshot_calls(chain: ChainSpec) -> list[Call]:
    """The calls whose answers make a NetworkView, in the order parse_snapshot expects."""
    calls = [
        Call("eth_getBlockByNumber", ("latest", False)),
        Call("eth_getBlockByNumber", ("finalized", False)),
        Call("eth_getBlockByNumber", ("safe", False)),
        Call("eth_feeHistory", (hex(FEE_HISTORY_BLOCKS), "latest", list(REWARD_PERCENTILES))),
    ]
    if chain.mempool:
        calls.append(Call("txpool_status", ()))
    return calls


def read_pool(reply: Reply, parse: Callable[[Any], T]) -> tuple[T | None, bool]:
    """(value, could not be read) for a txpool_* answer.

    A node without the method at all (hardhat, anvil's txpool_contentFrom,
    many providers) is normal, not an outage: only other failures count as
    "could not be read".
    """
    if reply.ok and reply.value is not None:
        try:
            return parse(reply.value), False
        except WireError:
            return None, True
    return None, reply.error is None or not reply.error.unsupported


def parse_snapshot(chain: ChainSpec, replies: Sequence[Reply]) -> NetworkView:
    """Build a NetworkView; a part that could not be read is named in ``unavailable``.

    The head is required: without it nothing about confirmations can be said,
    so its absence raises WireError.
    """
    latest, finalized, safe, fees = replies[:4]
    pool_reply = replies[4] if len(replies) > 4 else None
    unavailable: set[str] = set()
    if not latest.ok or latest.value is None:
        raise WireError("the node did not return its latest block")
    head, head_ts = parse_block_head(latest.value)

    def optional_head(reply: Reply, part: str) -> int | None:
        if not reply.ok or reply.value is None:
            # no finality tag (pre-merge style chains, some L2 nodes) is normal: not an outage
            return None
        try:
            return parse_block_head(reply.value)[0]
        except WireError:
            unavailable.add(part)
            return None

    fin = optional_head(finalized, "finalized")
    sf = optional_head(safe, "safe")
    base_fees: tuple[int, ...] = ()
    ratios: tuple[float, ...] = ()
    rewards: tuple[tuple[int, ...], ...] = ()
    next_base: int | None = None
    if fees.ok and fees.value is not None:
        try:
            base_fees, ratios, rewards = parse_fee_history(fees.value)
            next_base = base_fees[-1] if base_fees else None
        except WireError:
            unavailable.add("fee_history")
    else:
        unavailable.add("fee_history")
    pool = None
    if pool_reply is not None:
        pool, unreadable = read_pool(pool_reply, parse_pool_status)
        if unreadable:
            unavailable.add("pool")
    return NetworkView(
        head=head,
        head_timestamp=head_ts,
        finalized=fin,
        safe=sf,
        next_base_fee=next_base,
        base_fees=base_fees,
        gas_used_ratios=ratios,
        reward_percentiles=REWARD_PERCENTILES if rewards else (),
        rewards=rewards,
        pool=pool,
        unavailable=frozenset(unavailable),
    )


SNAPSHOT = "snapshot"  # the one key: a cache holds one chain's snapshot


class SnapshotCache:
    """One chain's snapshot with a TTL and single-flight refresh (the shared LRU and SingleFlight)."""

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        observe: Callable[[str], None] | None = None,
    ) -> None:
        self.observe = observe or (lambda result: None)
        self.value: LRU[str, NetworkView] = LRU(1, ttl=ttl, clock=clock)
        self.flight: SingleFlight[str, NetworkView] = SingleFlight(keep=self.value.put)
        self.fetches = 0  # how many times the snapshot was actually fetched

    def fresh(self) -> NetworkView | None:
        return self.value.get(SNAPSHOT)

    def correct(self, value: NetworkView) -> None:
        """Replace the cached snapshot with one checked better (the cached one's head was not believable)."""
        self.value.put(SNAPSHOT, value)

    def claim(self) -> NetworkView | asyncio.Future[NetworkView] | Lease[str, NetworkView]:
        """A fresh value, a fetch already under way to await, or a lease to fetch it."""
        value = self.fresh()
        if value is not None:
            self.observe("hit")
            return value
        claim = self.flight.claim(SNAPSHOT)
        if isinstance(claim, Lease):
            self.fetches += 1
            self.observe("miss")
        else:
            self.observe("shared")
        return claim
