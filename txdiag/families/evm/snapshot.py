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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from txdiag.cache import LRU, Lease, SingleFlight
from txdiag.chains import ChainSpec
from txdiag.errors import WireError
from txdiag.families.evm.probes.plan import Answer, Plan, answer
from txdiag.families.evm.wire import parse_block_head, parse_fee_history, parse_pool_status, quantity
from txdiag.models import NetworkView, PoolStatus
from txdiag.rpc import Call, Reply, RpcItemError
from txdiag.rpc.codec import INTERNAL_ERROR, NO_ANSWER

T = TypeVar("T")

FEE_HISTORY_BLOCKS = 20
REWARD_PERCENTILES = (10.0, 25.0, 50.0, 75.0, 90.0)


BlockHead = tuple[int, int]  # (number, timestamp)
FeeHistory = tuple[tuple[int, ...], tuple[float, ...], tuple[tuple[int, ...], ...]]  # base fees, ratios, rewards


@dataclass(frozen=True, slots=True)
class FeeAnswer:
    """An eth_feeHistory reply, read twice over: the history itself, and the newest block it says it covers."""

    history: FeeHistory | None  # None when it could not be read (failed, null or malformed)
    newest: int | None  # oldestBlock + blocks - 1, when the answer says (checked against the head)


def fee_answer(r: Reply) -> FeeAnswer:
    value: Any = r.value if r.ok else None
    if value is None:
        return FeeAnswer(None, None)
    try:
        history: FeeHistory | None = parse_fee_history(value)
    except WireError:
        history = None
    return FeeAnswer(history, _newest(value))


def _newest(value: Any) -> int | None:
    if not isinstance(value, dict):
        return None
    ratios = value.get("gasUsedRatio")
    if not isinstance(ratios, list) or not ratios:
        return None
    try:
        return quantity(value.get("oldestBlock"), "oldestBlock") + len(ratios) - 1
    except WireError:
        return None


def pool_status(r: Reply) -> tuple[PoolStatus | None, bool]:
    """(the pool's counts, could not be read) from a txpool_status answer."""
    return read_pool(r, parse_pool_status)


@dataclass(frozen=True, slots=True)
class SnapshotAnswer:
    """The snapshot's answers, each decoded by its own handle."""

    latest: Answer[BlockHead]
    finalized: Answer[BlockHead]
    safe: Answer[BlockHead]
    fees: FeeAnswer
    pool: tuple[PoolStatus | None, bool] | None  # None when the chain has no public pool (not asked)
    endpoint: str = ""  # the endpoint that answered the head


def ask_snapshot(chain: ChainSpec, plan: Plan) -> Callable[[], SnapshotAnswer]:
    """Add the calls whose answers make a NetworkView to ``plan``; the reader gives their decoded answers."""
    latest = plan.add(Call("eth_getBlockByNumber", ("latest", False)), decode=answer(parse_block_head))
    finalized = plan.add(Call("eth_getBlockByNumber", ("finalized", False)), decode=answer(parse_block_head))
    safe = plan.add(Call("eth_getBlockByNumber", ("safe", False)), decode=answer(parse_block_head))
    fees = plan.add(
        Call("eth_feeHistory", (hex(FEE_HISTORY_BLOCKS), "latest", list(REWARD_PERCENTILES))), decode=fee_answer
    )
    pool = plan.add(Call("txpool_status", ()), decode=pool_status) if chain.mempool else None

    def read() -> SnapshotAnswer:
        return SnapshotAnswer(
            latest.value,
            finalized.value,
            safe.value,
            fees.value,
            pool.value if pool is not None else None,
            latest.reply.endpoint,
        )

    return read


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


def could_not_answer(err: RpcItemError) -> bool:
    """Whether a node's error for a block tag says it could not answer now, not that it has no such tag.

    Throttled, an internal error, missing data (a lagging or pruned node: "header not found", "unknown block"), or
    the item missing from the answer: the tag's block exists and was not read. The errors of a node without the
    tag (geth's -32000 "finalized block not found", invalid params, unsupported) are not.
    """
    return err.rate_limited or err.missing_data or err.code in (INTERNAL_ERROR, NO_ANSWER)


def parse_snapshot(snap: SnapshotAnswer) -> NetworkView:
    """Build a NetworkView; a part that could not be read is named in ``unavailable``.

    The head is required: without it nothing about confirmations can be said,
    so its absence raises WireError.
    """
    unavailable: set[str] = set()
    if snap.latest.malformed:
        raise WireError("the node's latest block is malformed")
    if snap.latest.value is None:
        raise WireError("the node did not return its latest block")
    head, head_ts = snap.latest.value

    def optional_head(mark: Answer[BlockHead], part: str) -> int | None:
        if mark.malformed or (mark.error is not None and could_not_answer(mark.error)):
            unavailable.add(part)
        # no finality tag (pre-merge style chains, some L2 nodes) is normal: not an outage
        return mark.value[0] if mark.value is not None else None

    fin = optional_head(snap.finalized, "finalized")
    sf = optional_head(snap.safe, "safe")
    base_fees: tuple[int, ...] = ()
    ratios: tuple[float, ...] = ()
    rewards: tuple[tuple[int, ...], ...] = ()
    next_base: int | None = None
    if snap.fees.history is not None:
        base_fees, ratios, rewards = snap.fees.history
        next_base = base_fees[-1] if base_fees else None
    else:
        unavailable.add("fee_history")
    pool = None
    if snap.pool is not None:
        pool, unreadable = snap.pool
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
