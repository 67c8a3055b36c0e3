"""Why a transaction is still waiting, with the exact fees that would move it.

Every rule here looks at a pending transaction (no receipt) and the chain's
snapshot. Fee-market advice follows the chain: where a sequencer orders
transactions first come, first served (``mempool = false``), a higher tip buys
nothing, so ``tip_below_market`` never fires there; a fee cap under the L2
base fee and a nonce gap still hold a transaction back and are reported.
"""

from __future__ import annotations

from datetime import datetime

from txdiag.chains import ChainSpec
from txdiag.families.evm.classify.fees import Replacement, replacement
from txdiag.models import Code, Evidence, Finding, NetworkView, Severity, TxView

MARKET_PERCENTILE = 50.0  # the tip a replacement offers: what the median included transaction paid
BEHIND_PERCENTILE = 50.0  # a tip under what this share of included transactions beat is "below market"
CONGESTION_BLOCKS = 5  # recent blocks that must be (nearly) all full
FULL_RATIO = 0.9  # a block at least this full counts as full
FULL_SHARE = 0.8  # share of recent blocks that must be full
RISE_MIN = 0.05  # base fee up at least 5 % over those blocks


def _waiting(ev: Evidence) -> TxView | None:
    return ev.tx if ev.tx is not None and ev.tx.pending and ev.receipt is None else None


def suggest(tx: TxView, network: NetworkView | None, chain: ChainSpec) -> Replacement:
    """The replacement fees for ``tx`` now (see :func:`txdiag.families.evm.classify.fees.replacement`)."""
    market = network.market_tip(MARKET_PERCENTILE) if network is not None and chain.mempool else None
    return replacement(
        fee_cap=tx.fee_cap,
        tip_cap=tx.tip_cap,
        legacy=not tx.is_dynamic_fee,
        next_base_fee=network.next_base_fee if network is not None else None,
        market_tip=market,
    )


def pending(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Known to the node but in no block yet; how long, when txdiag saw it before."""
    tx = _waiting(ev)
    if tx is None:
        return None
    details: dict[str, object] = {"nonce": tx.nonce}
    if ev.first_seen is not None:
        details["first_seen"] = ev.first_seen.isoformat(timespec="seconds")
        details["waiting_seconds"] = max(0, int((now - ev.first_seen).total_seconds()))
    if not chain.mempool:
        details["sequencer"] = chain.name
    return Finding(Code.PENDING, Severity.WARNING, details)


def fee_below_base_fee(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A pending transaction whose fee cap is under the next block's base fee cannot be included."""
    tx = _waiting(ev)
    network = ev.network
    if tx is None or network is None or network.next_base_fee is None:
        return None
    base = network.next_base_fee
    if tx.fee_cap >= base:
        return None
    shortfall = base - tx.fee_cap
    history = network.base_fees[:-1]  # the blocks already made; the last entry is the next block's
    lowest = min(history) if history else None
    details: dict[str, object] = {
        "max_fee_per_gas": tx.fee_cap,
        "base_fee_per_gas": base,
        "shortfall_per_gas": shortfall,
        "base_fee_fall_percent": _percent_up(shortfall, base),
        "history_blocks": len(history),
        "lowest_recent_base_fee_per_gas": lowest,
        "reached_recently": lowest is not None and lowest <= tx.fee_cap,
        **suggest(tx, network, chain).details(),
    }
    return Finding(Code.FEE_BELOW_BASE_FEE, Severity.ERROR, details)


def tip_below_market(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """The tip it can pay is below what most transactions in recent blocks paid, so they go first."""
    tx = _waiting(ev)
    network = ev.network
    if tx is None or network is None or network.next_base_fee is None or not chain.mempool:
        return None
    if tx.fee_cap < network.next_base_fee:
        return None  # fee_below_base_fee says it: no tip at all can be paid
    tip = min(tx.tip_cap, tx.fee_cap - network.next_base_fee)
    for percentile in network.reward_percentiles:
        if percentile > BEHIND_PERCENTILE:
            break
        market = network.market_tip(percentile)
        if market is not None and tip < market:
            details: dict[str, object] = {
                "tip": tip,
                "max_priority_fee_per_gas": tx.tip_cap,
                "market_tip": market,
                "percentile": int(percentile) if percentile.is_integer() else percentile,
                "base_fee_per_gas": network.next_base_fee,
                **suggest(tx, network, chain).details(),
            }
            return Finding(Code.TIP_BELOW_MARKET, Severity.WARNING, details)
    return None


def nonce_gap(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """An earlier nonce of the sender is neither mined nor waiting, so this one cannot run."""
    tx = _waiting(ev)
    sender = ev.sender
    if tx is None or sender is None or tx.nonce <= sender.pending_nonce or tx.nonce < sender.latest_nonce:
        return None
    pool_nonces = {p.nonce for p in sender.pool} if sender.pool is not None else set()
    present = set(range(sender.latest_nonce, sender.pending_nonce)) | pool_nonces | set(sender.seen_nonces)

    def known(n: int) -> bool:
        if n <= sender.pending_nonce or sender.pool is not None:
            return True  # the pool's nonce is the first one it lacks: below it all are present
        return sender.checked_from is not None and n >= sender.checked_from

    between = range(sender.latest_nonce, tx.nonce)
    missing = sorted({n for n in between if known(n) and n not in present} | {sender.pending_nonce})
    waiting = sorted({n for n in present if n >= sender.latest_nonce} | {tx.nonce})
    details: dict[str, object] = {
        "nonce": tx.nonce,
        "next_nonce": sender.latest_nonce,
        "missing_nonces": missing,
        "first_missing": missing[0],
        "missing_count": len(missing),
    }
    unknown = [n for n in between if not known(n)]
    details["missing_nonces_truncated"] = bool(unknown)
    if unknown:
        details["unchecked_nonces_to"] = unknown[-1]
    if sender.pool is not None or sender.checked_from is not None:
        details["pool_pending_nonces"] = [n for n in waiting if n < sender.pending_nonce]
        details["pool_queued_nonces"] = [n for n in waiting if n > sender.pending_nonce]
    return Finding(Code.NONCE_GAP, Severity.ERROR, details)


def blocked_by_earlier(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """An earlier transaction of the sender's waits at the next nonce, priced too low: this one cannot go first.

    Nonces run in order, so nothing after the blocker can be included before
    it, whatever this transaction pays. The way out is the blocker's: a
    speed-up or a cancel of it, with the same fee rules as any stuck transaction.
    """
    tx = _waiting(ev)
    sender = ev.sender
    if tx is None or sender is None or tx.nonce <= sender.latest_nonce:
        return None
    blocker = sender.waiting_at(sender.latest_nonce)
    if blocker is None or blocker.hash == tx.hash:
        return None
    network = ev.network
    base = network.next_base_fee if network is not None else None
    market = network.market_tip(MARKET_PERCENTILE) if network is not None and chain.mempool else None
    below_base = base is not None and blocker.fee_cap < base
    tip = min(blocker.tip_cap, blocker.fee_cap - base) if base is not None and not below_base else blocker.tip_cap
    below_market = market is not None and tip < market
    if not (below_base or below_market):
        return None  # priced to go soon: this one follows it without help
    fees = replacement(
        fee_cap=blocker.fee_cap, tip_cap=blocker.tip_cap, legacy=blocker.legacy, next_base_fee=base, market_tip=market
    )
    details: dict[str, object] = {
        "nonce": tx.nonce,
        "blocker_hash": blocker.hash,
        "blocker_nonce": blocker.nonce,
        "blocker_max_fee_per_gas": blocker.fee_cap,
        "blocker_max_priority_fee_per_gas": blocker.tip_cap,
        "blocker_below_base_fee": below_base,
        "waiting_before": tx.nonce - sender.latest_nonce,
        **fees.details(),
    }
    if base is not None:
        details["base_fee_per_gas"] = base
    if market is not None:
        details["market_tip"] = market
    return Finding(Code.BLOCKED_BY_EARLIER, Severity.ERROR, details)


def network_congested(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Recent blocks persistently full and the base fee rising: everything waiting pays more or waits."""
    tx = _waiting(ev)
    network = ev.network
    if tx is None or network is None or network.next_base_fee is None:
        return None
    recent = network.gas_used_ratios[-CONGESTION_BLOCKS:]
    if len(recent) < 3:
        return None
    full = sum(1 for r in recent if r >= FULL_RATIO)
    rise = network.base_fee_change(len(recent))
    if full < FULL_SHARE * len(recent) or rise is None or rise < RISE_MIN:
        return None
    details: dict[str, object] = {
        "blocks": len(recent),
        "full_blocks": full,
        "gas_used_percent": round(100 * sum(recent) / len(recent)),
        "base_fee_rise_percent": round(100 * rise, 1),
        "base_fee_per_gas": network.next_base_fee,
    }
    return Finding(Code.NETWORK_CONGESTED, Severity.WARNING, details)


def _percent_up(part: int, whole: int) -> float:
    """``part`` as a percentage of ``whole``, rounded up to one decimal (never understated)."""
    return -(-part * 1000 // whole) / 10


# a nonce gap first, then a blocker: until it is filled or moved no fee on this one helps, so their steps lead
RULES = (pending, nonce_gap, blocked_by_earlier, fee_below_base_fee, tip_below_market, network_congested)
