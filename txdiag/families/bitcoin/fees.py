"""Fee maths of the bitcoin family: projected blocks, the exact replacement fee, the exact CPFP child fee. Pure.

Projected blocks follow the way Bitcoin Core's miner (and mempool.space) fills
a block: the package of a transaction with its unconfirmed ancestors that pays
the most per virtual byte goes first; a package that does not fit the block
waits for the next one while smaller packages behind it still fill the room.

Replacement fees follow the BIP125 rules as Bitcoin Core applies them: the new
fee covers every transaction it evicts (the original and its descendants),
plus ``incrementalrelayfee`` for the replacement's own size; its fee rate is
above the original's; and it meets the mempool's own floors. On top of that it
must reach the target block. Every comparison is on integers (satoshis and
vbytes) as the node makes it, so a suggested fee is exact, not a rounding.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from txdiag.families.bitcoin.models import MempoolEntry, MempoolInfo, ProjectedBlock

PROJECTED_BLOCKS = 8  # as many blocks as mempool.space shows ahead
COINBASE_RESERVE_WEIGHT = 4_000  # Bitcoin Core's miner keeps this much of a block for the coinbase
WITNESS_SCALE = 4
# a child that spends one output and pays to one output of the same kind, in vbytes (BIP141 sizes, low-R signatures)
CHILD_VSIZE = {
    "witness_v0_keyhash": 110,
    "witness_v1_taproot": 111,
    "scripthash": 134,  # assumed P2SH-wrapped P2WPKH, the common wallet kind
    "pubkeyhash": 192,
}
DUST = 546  # satoshis: an output below this is not worth spending in a child


def fee_for(rate_per_kvb: int, vsize: int) -> int:
    """Bitcoin Core's CFeeRate::GetFee: sat per 1000 vB times vbytes, truncated (at least 1 when the rate is not 0)."""
    fee = rate_per_kvb * vsize // 1000
    if fee == 0 and vsize and rate_per_kvb > 0:
        return 1
    return fee


def per_kvb(fee: int, vsize: int) -> int:
    """Bitcoin Core's CFeeRate(fee, size).GetFeePerK(): the rate in sat per 1000 vB, truncated."""
    return fee * 1000 // vsize if vsize > 0 else 0


@dataclass(frozen=True, slots=True)
class Package:
    """A transaction with the ancestors chosen with it: what a miner takes as one."""

    txids: tuple[str, ...]
    fee: int  # modified fees, satoshis
    vsize: int

    @property
    def rate(self) -> float:
        return self.fee / self.vsize if self.vsize else 0.0

    def beats(self, fee: int, vsize: int) -> bool:
        """Whether a package of ``fee`` over ``vsize`` pays strictly more per vbyte than this one."""
        return fee * self.vsize > self.fee * vsize


@dataclass(frozen=True, slots=True)
class Projection:
    blocks: tuple[tuple[Package, ...], ...]  # packages per block, in the order they were chosen
    beyond: int  # vbytes past the last projected block
    where: Mapping[str, int] = field(default_factory=dict)  # txid -> 1-based block index

    def summary(self, capacity: int) -> tuple[ProjectedBlock, ...]:
        out = []
        for i, block in enumerate(self.blocks, 1):
            used = sum(p.vsize for p in block)
            rates = sorted(p.rate for p in block)
            median = rates[len(rates) // 2] if rates else 0.0
            out.append(
                ProjectedBlock(
                    index=i,
                    vsize=used,
                    tx_count=sum(len(p.txids) for p in block),
                    min_rate=round(rates[0], 3) if rates else 0.0,
                    median_rate=round(median, 3),
                    full=used >= capacity * 0.95,
                )
            )
        return tuple(out)


def capacity_vsize(block_max_weight: int) -> int:
    """The vbytes the miner can fill: the weight limit less the coinbase reserve, over the witness scale."""
    return (block_max_weight - COINBASE_RESERVE_WEIGHT) // WITNESS_SCALE


def _fits(used: int, size: int, block_max_weight: int) -> bool:
    # the miner refuses a package when the block would reach the limit (weight + 4 * size >= max)
    return COINBASE_RESERVE_WEIGHT + WITNESS_SCALE * (used + size) < block_max_weight


def _closure(start: Iterable[str], links: Mapping[str, tuple[str, ...]], within: Mapping[str, object]) -> set[str]:
    seen: set[str] = set()
    stack = [t for t in start if t in within]
    while stack:
        t = stack.pop()
        if t in seen:
            continue
        seen.add(t)
        stack.extend(p for p in links.get(t, ()) if p in within and p not in seen)
    return seen


def descendants(txids: Iterable[str], mempool: Mapping[str, MempoolEntry]) -> set[str]:
    """The transactions and everything in the mempool that spends them, directly or not."""
    return _closure(txids, {t: e.spent_by for t, e in mempool.items()}, mempool)


def ancestors(txids: Iterable[str], mempool: Mapping[str, MempoolEntry]) -> set[str]:
    """The transactions and every unconfirmed transaction they depend on."""
    return _closure(txids, {t: e.depends for t, e in mempool.items()}, mempool)


def project(
    mempool: Mapping[str, MempoolEntry],
    block_max_weight: int,
    *,
    blocks: int = PROJECTED_BLOCKS,
    exclude: Iterable[str] = (),
) -> Projection:
    """Projected blocks from the mempool (the verbose getrawmempool), best ancestor-package fee rate first.

    ``exclude`` leaves transactions out, with everything that spends them (a
    replacement evicts the original's descendants too).
    """
    gone = descendants(exclude, mempool)
    pool = {t: e for t, e in mempool.items() if t not in gone}
    parents = {t: tuple(p for p in e.depends if p in pool) for t, e in pool.items()}
    kids: dict[str, list[str]] = {t: [] for t in pool}
    for t, ps in parents.items():
        for p in ps:
            kids[p].append(t)
    children = {t: tuple(k) for t, k in kids.items()}
    taken: set[str] = set()

    def package(txid: str) -> Package:
        members = sorted(_closure([txid], parents, pool) - taken)
        return Package(tuple(members), sum(pool[m].modified_fee for m in members), sum(pool[m].vsize for m in members))

    heap: list[tuple[float, str]] = [(-package(t).rate, t) for t in pool]
    heapq.heapify(heap)
    order: list[Package] = []
    while heap:
        key, txid = heapq.heappop(heap)
        if txid in taken:
            continue
        pkg = package(txid)
        if not math.isclose(-key, pkg.rate, rel_tol=1e-12, abs_tol=1e-12):
            heapq.heappush(heap, (-pkg.rate, txid))  # its ancestors changed since it was scored
            continue
        order.append(pkg)
        taken.update(pkg.txids)
        for member in pkg.txids:
            for d in _closure(children[member], children, pool) - taken:
                heapq.heappush(heap, (-package(d).rate, d))
    return _fill(order, parents, block_max_weight, blocks)


def _fill(
    order: list[Package], parents: Mapping[str, tuple[str, ...]], block_max_weight: int, blocks: int
) -> Projection:
    """First fit in choosing order: a package goes in the first block with room at or after its parents' block."""
    filled: list[list[Package]] = [[] for _ in range(blocks)]
    used = [0] * blocks
    where: dict[str, int] = {}
    beyond = 0
    for pkg in order:
        earliest = max((where.get(p, 0) for t in pkg.txids for p in parents[t] if p not in pkg.txids), default=1)
        earliest = max(earliest, 1)
        placed = None
        for b in range(earliest - 1, blocks):
            if _fits(used[b], pkg.vsize, block_max_weight):
                placed = b
                break
        if placed is None:
            beyond += pkg.vsize
            for t in pkg.txids:
                where[t] = blocks + 1
            continue
        filled[placed].append(pkg)
        used[placed] += pkg.vsize
        for t in pkg.txids:
            where[t] = placed + 1
    where = {t: b for t, b in where.items() if b <= blocks}
    return Projection(tuple(tuple(b) for b in filled), beyond, where)


def next_block_fee(projection: Projection, vsize: int, block_max_weight: int, floor_per_kvb: int) -> int:
    """The least fee (sat) a new package of ``vsize`` pays to be chosen into the next projected block.

    Packages that pay more per vbyte are chosen first; the new one must beat
    (strictly: equal rates are ordered by txid) the first package of the next
    block that would leave it no room. Never below ``floor_per_kvb``.
    """
    floor = fee_for(floor_per_kvb, vsize)
    first = projection.blocks[0] if projection.blocks else ()
    used = 0
    for pkg in sorted(first, key=lambda p: -p.rate):
        if not _fits(used + pkg.vsize, vsize, block_max_weight):
            # no room once this one is in: the new package must be chosen before it
            return max(floor, pkg.fee * vsize // pkg.vsize + 1)
        used += pkg.vsize
    return floor


@dataclass(frozen=True, slots=True)
class Replacement:
    """The fee a replacement of ``vsize`` needs, and which rule set it."""

    vsize: int
    fee: int
    rate: float
    binding: str  # "replacement_rules" | "higher_rate" | "mempool_min_fee" | "next_block"
    rules_fee: int  # what the BIP125 rules alone ask for


def replacement_fee(
    entry: MempoolEntry,
    info: MempoolInfo,
    target_fee: int,
    vsize: int | None = None,
) -> Replacement:
    """The exact least fee for a replacement of ``entry`` (same size unless ``vsize``) that reaches ``target_fee``.

    ``target_fee`` is :func:`next_block_fee` for the replacement's size with
    the original and its descendants left out of the projection.
    """
    v = vsize or entry.vsize
    evicted = entry.descendant_fee  # the original and every descendant leave the mempool with it (modified fees)
    candidates = {
        "replacement_rules": evicted + fee_for(info.incremental_fee, v),
        # its rate, as the node truncates it per 1000 vB, must be above the original's
        "higher_rate": _least_fee_above_rate(per_kvb(entry.modified_fee, entry.vsize), v),
        "mempool_min_fee": max(fee_for(info.min_fee, v), fee_for(info.min_relay_fee, v)),
        "next_block": target_fee,
    }
    binding = max(candidates, key=lambda k: (candidates[k], k == "replacement_rules"))
    fee = candidates[binding]
    rules = max(candidates["replacement_rules"], candidates["higher_rate"], candidates["mempool_min_fee"])
    return Replacement(v, fee, round(fee / v, 3), binding, rules)


def _least_fee_above_rate(old_per_kvb: int, vsize: int) -> int:
    """The least fee whose truncated rate per 1000 vB is above ``old_per_kvb``."""
    # fee * 1000 // vsize >= old + 1  <=>  fee * 1000 >= (old + 1) * vsize
    return -(-(old_per_kvb + 1) * vsize // 1000)


@dataclass(frozen=True, slots=True)
class ChildPays:
    """A CPFP child: which output it spends, its size, and the fee it pays."""

    vout: int
    address: str | None
    value: int
    child_vsize: int
    child_fee: int
    package_rate: float  # of the ancestors, the payment and the child together


def cpfp_fee(
    entry: MempoolEntry,
    info: MempoolInfo,
    package_target_fee: int,
    child_vsize: int,
) -> int:
    """The least child fee that lifts the payment's package (its unconfirmed ancestors, it, the child) to the target.

    ``package_target_fee`` is :func:`next_block_fee` for the package's size
    (``entry.ancestor_size + child_vsize``). The child must also pay the
    relay floors for its own size: the node judges it alone on entry.
    """
    need = package_target_fee - entry.ancestor_fee
    own_floor = max(fee_for(info.min_fee, child_vsize), fee_for(info.min_relay_fee, child_vsize))
    return max(need, own_floor)


def child_vsize(script_type: str) -> int | None:
    return CHILD_VSIZE.get(script_type)
