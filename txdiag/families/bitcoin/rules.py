"""Bitcoin-family rules: evidence -> findings. Pure; the clock is passed in.

``assess`` runs the fee maths once (where the payment sits in the projected
blocks, the exact replacement and CPFP fees); each rule is a small callable
of the evidence and that assessment, returning a finding code and numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from txdiag.chains import ChainSpec
from txdiag.families.bitcoin import fees
from txdiag.families.bitcoin.models import BtcEvidence, MempoolEntry, TxOutput
from txdiag.models import Classification, Code, Finding, Severity, Verdict

MAX_CPFP_OUTPUTS = 3  # outputs named for a child, largest first
BLOCK_MIN_FEE = 1_000  # sat per 1000 vB: Bitcoin Core's -blockmintxfee, below which miners take nothing


@dataclass(frozen=True, slots=True)
class Assessment:
    """The fee maths for one pending payment."""

    block: int | None  # projected block it (with its ancestors) is in; None: past the projected blocks
    next_block_fee: int  # sat: the least this payment's own size needs to be in the next block
    replaceable: bool
    replacement: fees.Replacement | None
    children: tuple[fees.ChildPays, ...]


def assess(ev: BtcEvidence, chain: ChainSpec) -> Assessment | None:
    """Where the payment sits and what would move it; None when it is not pending or the mempool is unknown."""
    entry, net, tx = ev.entry, ev.network, ev.tx
    if entry is None or net is None or tx is None or ev.mempool is None:
        return None
    weight = chain.block_max_weight
    info = net.mempool
    floor = max(info.min_fee, info.min_relay_fee, BLOCK_MIN_FEE)
    pool = ev.mempool
    where = fees.project(pool, weight).where
    block = where.get(entry.txid)
    # the replacement: the original and everything spending it leave the mempool
    without = fees.project(pool, weight, exclude=[entry.txid])
    target = fees.next_block_fee(without, entry.vsize, weight, floor)
    replaceable = bool(entry.bip125_replaceable or tx.signals_rbf or info.full_rbf)
    replacement = fees.replacement_fee(entry, info, target) if replaceable else None
    # a child: the payment's unconfirmed ancestors, the payment and the child are chosen as one package
    package = fees.ancestors([entry.txid], pool)
    rest = fees.project(pool, weight, exclude=package)
    children = []
    for out in _spendable(tx.outputs):
        size = fees.child_vsize(out.script_type)
        if size is None:
            continue
        package_fee = fees.next_block_fee(rest, entry.ancestor_size + size, weight, floor)
        child_fee = fees.cpfp_fee(entry, info, package_fee, size)
        if child_fee >= out.value - fees.DUST:
            continue  # the output cannot pay for its own child
        rate = (entry.ancestor_fee + child_fee) / (entry.ancestor_size + size)
        children.append(fees.ChildPays(out.n, out.address, out.value, size, child_fee, round(rate, 3)))
    return Assessment(block, target, replaceable, replacement, tuple(children))


def _spendable(outputs: tuple[TxOutput, ...]) -> list[TxOutput]:
    usable = [o for o in outputs if not o.unspendable and o.value > fees.DUST]
    return sorted(usable, key=lambda o: (-o.value, o.n))[:MAX_CPFP_OUTPUTS]


def _rate(fee: int, vsize: int) -> float:
    return round(fee / vsize, 3) if vsize else 0.0


Rule = Callable[[BtcEvidence, Assessment | None, ChainSpec, datetime], Finding | None]


def confirmed(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """In a block at least the chain's confirmation depth deep."""
    tx = ev.tx
    if tx is None or tx.confirmations < chain.confirmations:
        return None
    return Finding(Code.CONFIRMED, Severity.INFO, _mined(ev, chain))


def awaiting_confirmations(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """In a block, but not yet as deep as the chain's confirmation depth."""
    tx = ev.tx
    if tx is None or not 0 < tx.confirmations < chain.confirmations:
        return None
    details = _mined(ev, chain)
    remaining = chain.confirmations - tx.confirmations
    details["remaining_blocks"] = remaining
    details["remaining_seconds"] = int(remaining * chain.block_time)
    return Finding(Code.AWAITING_CONFIRMATIONS, Severity.INFO, details)


def _mined(ev: BtcEvidence, chain: ChainSpec) -> dict[str, object]:
    tx = ev.tx
    assert tx is not None
    head = ev.network.head if ev.network is not None else None
    block = head - tx.confirmations + 1 if head is not None else None
    return {"confirmations": tx.confirmations, "required": chain.confirmations, "block": block}


def pending(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """In the mempool: what it pays, the congestion, where it sits and when it should be mined."""
    entry, net = ev.entry, ev.network
    if entry is None or not ev.pending:
        return None
    details: dict[str, object] = {
        "fee_sat": entry.fee,
        "vsize": entry.vsize,
        "fee_rate_sat_vb": _rate(entry.fee, entry.vsize),
        "replaceable": a.replaceable if a is not None else None,
    }
    if net is not None:
        details["mempool_txs"] = net.mempool.size
        details["mempool_vbytes"] = net.mempool.vbytes
        if net.blocks:
            details["next_block_fee_rate"] = net.blocks[0].min_rate if net.blocks[0].full else _floor_rate(ev)
    if a is not None:
        details.update(_eta(a, chain))
    if ev.first_seen is not None:
        details["waiting_seconds"] = max(0, int((now - ev.first_seen).total_seconds()))
    return Finding(Code.PENDING, Severity.INFO, details)


def _floor_rate(ev: BtcEvidence) -> float:
    assert ev.network is not None
    info = ev.network.mempool
    return max(info.min_fee, info.min_relay_fee, BLOCK_MIN_FEE) / 1000


def _eta(a: Assessment, chain: ChainSpec) -> dict[str, object]:
    if a.block is None:
        return {
            "projected_block": None,
            "eta_blocks": None,
            "eta_seconds": None,
            "beyond_blocks": fees.PROJECTED_BLOCKS,
        }
    return {"projected_block": a.block, "eta_blocks": a.block, "eta_seconds": int(a.block * chain.block_time)}


def fee_rate_below_next_block(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """Pending and not in the next projected block: the exact fee that would put it there, by RBF or CPFP."""
    entry = ev.entry
    if a is None or entry is None or a.block == 1:
        return None
    details: dict[str, object] = {
        "fee_sat": entry.fee,
        "vsize": entry.vsize,
        "fee_rate_sat_vb": _rate(entry.fee, entry.vsize),
        "package_fee_rate": _rate(entry.ancestor_fee, entry.ancestor_size),
        "next_block_fee_rate": _rate(a.next_block_fee, entry.vsize),
        **_eta(a, chain),
        "replaceable": a.replaceable,
        "not_replaceable": True if not a.replaceable else None,
    }
    if ev.network is not None and ev.network.estimate_next is not None:
        details["estimate_next_block_sat_vb"] = round(ev.network.estimate_next, 3)
    r = a.replacement
    if r is not None:
        details.update(
            rbf_fee_sat=r.fee,
            rbf_fee_rate=r.rate,
            rbf_vsize=r.vsize,
            rbf_extra_sat=r.fee - entry.fee,
            rbf_binding=r.binding,
        )
    if a.children:
        first = a.children[0]
        details.update(
            cpfp_vout=first.vout,
            cpfp_address=first.address,
            cpfp_value_sat=first.value,
            cpfp_child_vsize=first.child_vsize,
            cpfp_child_fee_sat=first.child_fee,
            cpfp_child_fee_rate=_rate(first.child_fee, first.child_vsize),
            cpfp_package_fee_rate=first.package_rate,
            cpfp_options=[
                {"vout": c.vout, "address": c.address, "child_vsize": c.child_vsize, "child_fee_sat": c.child_fee}
                for c in a.children
            ],
        )
    return Finding(Code.FEE_RATE_BELOW_NEXT_BLOCK, Severity.WARNING, details)


def below_mempool_min_fee(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """Pays less than the node's mempool floor now: nodes evict or refuse it as the mempool fills."""
    entry, net = ev.entry, ev.network
    if entry is None or net is None or not ev.pending:
        return None
    floor = max(net.mempool.min_fee, net.mempool.min_relay_fee)
    if entry.fee >= fees.fee_for(floor, entry.vsize):
        return None
    return Finding(
        Code.BELOW_MEMPOOL_MIN_FEE,
        Severity.WARNING,
        {"fee_rate_sat_vb": _rate(entry.fee, entry.vsize), "mempool_min_fee_rate": floor / 1000},
    )


def unconfirmed_parents(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """Spends outputs of transactions that are themselves unconfirmed: they are mined together or not at all."""
    entry = ev.entry
    if entry is None or not entry.depends:
        return None
    parents = [p for p in ev.parents if p.txid in entry.depends]
    return Finding(
        Code.UNCONFIRMED_PARENTS,
        Severity.WARNING,
        {
            "parents": list(entry.depends),
            "parent_fee_rates": [_rate(p.fee, p.vsize) for p in parents],
            "ancestor_count": entry.ancestor_count - 1,
            "fee_rate_sat_vb": _rate(entry.fee, entry.vsize),
            "package_fee_rate": _rate(entry.ancestor_fee, entry.ancestor_size),
            "low_fee_parent_txid": next((p.txid for p in parents if p.fee_rate < entry.fee_rate), None),
        },
    )


def burn_output(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """Value sent to OP_RETURN or another script no one can ever spend: gone for good."""
    tx = ev.tx
    if tx is None:
        return None
    burned = [o for o in tx.outputs if o.unspendable and o.value > 0]
    if not burned:
        return None
    return Finding(
        Code.BURN_OUTPUT,
        Severity.ERROR,
        {
            "outputs": [o.n for o in burned],
            "burned_sat": sum(o.value for o in burned),
            "script_types": sorted({o.script_type for o in burned}),
            "pending": ev.pending,
            "replace_possible": True if ev.pending else None,
        },
    )


def replaced(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """Seen pending, now gone, and an input is spent by another transaction: that one replaced it."""
    v = ev.vanished
    if v is None or ev.tx is not None or not v.spends:
        return None
    spent = [s for s in v.spends if not s.unspent]
    if not spent:
        return None
    named = next((s for s in spent if s.spender is not None), None)
    return Finding(
        Code.REPLACED,
        Severity.ERROR,
        {
            "replacement": named.spender if named else None,
            "replacement_block": named.spender_block if named else None,
            "inputs_spent": [str(s.outpoint) for s in spent],
            "first_seen": v.first_seen.isoformat(),
            "last_seen": v.last_seen.isoformat(),
        },
    )


def dropped(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """Seen pending, now gone, every input still unspent: nodes dropped it (evicted or expired)."""
    v = ev.vanished
    if v is None or ev.tx is not None or not v.spends or not all(s.unspent for s in v.spends):
        return None
    return Finding(
        Code.DROPPED,
        Severity.ERROR,
        {
            "fee_sat": v.fee,
            "vsize": v.vsize,
            "fee_rate_sat_vb": _rate(v.fee, v.vsize),
            "inputs": [str(s.outpoint) for s in v.spends],
            "first_seen": v.first_seen.isoformat(),
            "last_seen": v.last_seen.isoformat(),
        },
    )


def unchecked(ev: BtcEvidence, a: Assessment | None, chain: ChainSpec, now: datetime) -> Finding | None:
    """Parts that could not be read: named, never guessed."""
    parts = sorted(
        ev.unchecked
        | (ev.network.unavailable if ev.network else frozenset())
        | (ev.vanished.unchecked if ev.vanished else frozenset())
    )
    if not parts:
        return None
    if ev.tx is None:
        # seen pending and gone, its coins unread: this is the whole answer, and what it says is not found
        return Finding(Code.UNCHECKED, Severity.WARNING, {"parts": parts}, argues=Verdict.NOT_FOUND)
    return Finding(Code.UNCHECKED, Severity.INFO, {"parts": parts})


RULES: tuple[Rule, ...] = (
    confirmed,
    awaiting_confirmations,
    pending,
    fee_rate_below_next_block,
    below_mempool_min_fee,
    unconfirmed_parents,
    burn_output,
    replaced,
    dropped,
    unchecked,
)


def classify(ev: BtcEvidence, chain: ChainSpec, now: datetime) -> Classification:
    """Run every rule on the evidence and one assessment of it."""
    a = assess(ev, chain) if ev.pending else None
    result = Classification.from_findings([f for rule in RULES if (f := rule(ev, a, chain, now)) is not None])
    if ev.tx is None and not any(f.code.escalates for f in result.findings):
        # nowhere now, and what became of it could not be checked: not found, with what was not checked, never an
        # all-clear
        return Classification(Verdict.NOT_FOUND, result.findings)
    return result


def parent_entries(entry: MempoolEntry, pool: dict[str, MempoolEntry]) -> tuple[MempoolEntry, ...]:
    return tuple(pool[p] for p in entry.depends if p in pool)
