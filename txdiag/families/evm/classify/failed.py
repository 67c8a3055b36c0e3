"""Why a transaction failed: reverted (with the decoded reason), out of gas, invalid opcode, replaced, dropped.

Each finding carries an ``explanation`` key: the guidance catalogs turn it into
a plain-language sentence using the numbers beside it (amounts in the token's
units when its decimals are known).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from txdiag.chains import ChainSpec
from txdiag.families.evm.classify.fees import replacement
from txdiag.families.evm.transfers import unmoved
from txdiag.models import (
    TOKEN_AMOUNT_KEYS,
    Code,
    Evidence,
    FailureInfo,
    FailureKind,
    Finding,
    Replacement,
    Severity,
    TxStatus,
    Unanswered,
    Vanished,
    Verdict,
)

if TYPE_CHECKING:  # revert decoding (its error table, keccak) loads only for a revert with data
    from txdiag.families.evm.revert import RevertReason

GAS_MARGIN_PERCENT = 20
"""Headroom added to a replayed gas estimate: state moves between the estimate and the next block."""

AMOUNT_KEYS = TOKEN_AMOUNT_KEYS

_HOLDER_ARGS = ("sender", "account", "owner")


def _failed(ev: Evidence, kinds: tuple[FailureKind, ...]) -> FailureInfo | None:
    """The failure info when the receipt says status 0 and the failure is of one of ``kinds``."""
    if ev.receipt is None or ev.receipt.status is not TxStatus.REVERTED or ev.tx is None:
        return None
    info = ev.failure or FailureInfo(
        source=None, kind=FailureKind.UNKNOWN, unavailable=(Unanswered.NO_ANSWER.at("node"),)
    )
    return info if info.kind in kinds else None


def _base(ev: Evidence, info: FailureInfo) -> dict[str, Any]:
    assert ev.receipt is not None
    assert ev.tx is not None
    fee = ev.receipt.gas_used * (ev.receipt.effective_gas_price or ev.tx.gas_price or 0)
    details: dict[str, Any] = {
        "block": ev.receipt.block_number,
        "gas_used": ev.receipt.gas_used,
        "gas_limit": ev.tx.gas,
        "fee_paid_wei": fee,
        "source": info.source,
    }
    if info.depth > 0:
        details["depth"] = info.depth
        details["failing_contract"] = info.contract
    if info.error is not None:
        details["node_error"] = info.error
    if info.source == "replay" and info.replay_block is not None:
        details["replayed_block"] = info.replay_block  # a replay may differ from what happened in the block
    return details


def reverted(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Status 0 from a revert (or for an unknown reason): decoded reason, explained with its numbers."""
    info = _failed(ev, (FailureKind.REVERT, FailureKind.UNKNOWN))
    if info is None:
        return None
    assert ev.tx is not None
    assert ev.receipt is not None
    details = _base(ev, info)
    details.update(reason=None, selector=None, decoded=None)
    if info.kind is FailureKind.UNKNOWN:
        if info.error is not None:
            details["reason"] = info.error
            details["reason_kind"] = "node_error"  # the node's words, shown quoted as its own, never as ours
            details["explanation"] = "vm_error"
        else:
            details["reason_unavailable"] = list(info.unavailable) or [Unanswered.NO_ANSWER.at("node")]
            used_all = ev.receipt.gas_used >= ev.tx.gas
            details["used_all_gas"] = used_all
            details["explanation"] = "reason_unavailable_all_gas" if used_all else "reason_unavailable"
        return Finding(Code.REVERTED, Severity.ERROR, details)
    from txdiag.families.evm.revert import RevertKind, decode_revert  # noqa: PLC0415 - see the TYPE_CHECKING import

    decoded = decode_revert(info.revert_data or b"")
    details.update(reason=decoded.display(), selector=decoded.selector, decoded=decoded.to_json())
    details["reason_kind"] = decoded.kind.value  # people read the reason from the catalog's form for its kind
    details["explanation"] = _explanation_key(decoded)
    if decoded.message is not None and decoded.kind is RevertKind.ERROR_STRING:
        details["message"] = decoded.message
    if decoded.panic_code is not None:
        details["panic_code"] = f"0x{decoded.panic_code:02x}"
    details.update(_numbers(decoded, info))
    holder = _holder(decoded)
    if holder is not None and holder != ev.tx.sender:
        details["balance_holder"] = holder
    return Finding(Code.REVERTED, Severity.ERROR, details)


def _explanation_key(decoded: RevertReason) -> str:
    from txdiag.families.evm.revert import RevertKind  # noqa: PLC0415 - loaded already by the caller

    if decoded.explanation is not None:
        return str(decoded.explanation)
    return {
        RevertKind.EMPTY: "no_reason",
        RevertKind.ERROR_STRING: "contract_message",
        RevertKind.CUSTOM: "custom_error",
        RevertKind.UNKNOWN: "unknown_error",
    }.get(decoded.kind, "malformed_reason")


def _numbers(decoded: RevertReason, info: FailureInfo) -> dict[str, Any]:
    """The revert's numbers, and the token's decimals and symbol when known (guidance shows the amounts)."""
    out: dict[str, Any] = dict(decoded.numbers)
    if out and info.token_symbol is not None and info.token_decimals is not None:
        out["token_symbol"] = info.token_symbol
    if any(key in AMOUNT_KEYS for key in out) and info.token_decimals is not None:
        out["token_decimals"] = info.token_decimals
    return out


def _holder(decoded: RevertReason) -> str | None:
    """Whose balance or allowance the error is about, when it names an address."""
    reason = decoded.inner or decoded
    for arg in reason.args:
        if arg.name in _HOLDER_ARGS and arg.type == "address" and isinstance(arg.value, str):
            return arg.value
    return None


def out_of_gas(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """The failing frame ran out of gas (told by the trace or a replay, never by gas used alone)."""
    info = _failed(ev, (FailureKind.OUT_OF_GAS,))
    if info is None:
        return None
    assert ev.tx is not None
    details = _base(ev, info)
    inner = info.depth > 0
    if info.gas_estimate is not None:
        details["gas_estimate"] = info.gas_estimate
        details["gas_margin_percent"] = GAS_MARGIN_PERCENT
        details["suggestion_basis"] = "eth_estimateGas at the parent block plus margin"
        base = max(info.gas_estimate, ev.tx.gas)
        details["suggested_gas_limit"] = math.ceil(base * (100 + GAS_MARGIN_PERCENT) / 100)
        details["explanation"] = "inner_out_of_gas" if inner else "out_of_gas"
    else:
        details["explanation"] = "inner_out_of_gas_no_estimate" if inner else "out_of_gas_no_estimate"
    return Finding(Code.OUT_OF_GAS, Severity.ERROR, details)


def invalid_opcode(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """The failing frame hit an invalid instruction (0xfe): all gas used, and more gas will not help."""
    info = _failed(ev, (FailureKind.INVALID_OPCODE,))
    if info is None:
        return None
    details = _base(ev, info)
    details["explanation"] = "invalid_opcode"
    return Finding(Code.INVALID_OPCODE, Severity.ERROR, details)


def _seen(ev: Evidence) -> dict[str, Any]:
    v = ev.vanished
    assert v is not None
    return {
        "nonce": v.nonce,
        "first_seen": v.first_seen.isoformat(timespec="seconds"),
        "last_seen": v.last_seen.isoformat(timespec="seconds"),
        "sender": v.sender,
        "fee_cap_per_gas": v.fee_cap,
        "latest_nonce": v.latest_nonce,
    }


def replaced(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Another transaction of the sender's holds the nonce of one txdiag saw pending: what that one did.

    Every outcome rests on the replacement's own receipt: a speed-up that was
    mined and succeeded means the payment went through (``replaced`` as info,
    verdict confirmed); a cancel that succeeded sent nothing; a replacement that
    failed is failed; one still waiting is named with its fees (delayed), and
    no step sends anything else with the nonce it holds.
    """
    v = ev.vanished
    if ev.tx is not None or v is None:
        return None
    r = v.replacement
    waiting = r is not None and r.block_number is None
    if not waiting and (v.latest_nonce is None or v.latest_nonce <= v.nonce):
        return None
    details = _seen(ev)
    if r is None:
        details["explanation"] = "replaced_unknown"
        return Finding(Code.REPLACED, Severity.ERROR, details)
    kind = _replacement_kind(v, r)
    details.update(
        replaced_by=r.hash,
        replacement_kind=kind,
        replacement_to=r.to,
        replacement_value_wei=r.value,
        replacement_fee_cap_per_gas=r.fee_cap,
        replacement_block=r.block_number,
        replacement_status=r.status.value if r.status is not None else None,
    )
    if waiting:
        fees = replacement(fee_cap=r.fee_cap, tip_cap=r.tip_cap, legacy=r.legacy, next_base_fee=None, market_tip=None)
        details.update(fees.details())
        if r.legacy:
            details["replacement_gas_price_per_gas"] = r.fee_cap
        else:
            details["replacement_tip_cap_per_gas"] = r.tip_cap
        details.update(replacement_pending=True, explanation="replaced_pending")
        return Finding(Code.REPLACED, Severity.WARNING, details, argues=Verdict.DELAYED)
    if r.status is None:
        details["explanation"] = "replaced_outcome_unknown"
        return Finding(Code.REPLACED, Severity.ERROR, details)
    if r.status is TxStatus.REVERTED:
        details["explanation"] = "replaced_failed"
        return Finding(Code.REPLACED, Severity.ERROR, details)
    details["explanation"] = f"replaced_{kind}"
    if kind == "speed_up":
        details["replacement_succeeded"] = True
        return Finding(Code.REPLACED, Severity.INFO, details, argues=Verdict.CONFIRMED)
    return Finding(Code.REPLACED, Severity.ERROR, details)


def _replacement_kind(v: Vanished, r: Replacement) -> str:
    if r.to == v.sender and r.value == 0:
        return "cancel"
    if r.to == v.to and v.value is not None and r.value == v.value and r.value > 0:
        # the same coin payment at a higher fee; a zero-value call to the same contract may be any call
        # (another token transfer, an approval), so it is not called a speed-up without its calldata
        return "speed_up"
    return "other"


def dropped(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A transaction txdiag saw pending is gone and nothing holds its nonce: the network dropped it."""
    v = ev.vanished
    if ev.tx is not None or v is None:
        return None
    if v.replacement is not None and v.replacement.block_number is None:
        return None  # a waiting transaction holds the nonce: replaced, and no step may send with that nonce
    if v.latest_nonce is None or v.latest_nonce > v.nonce:
        return None  # unread: it may have been replaced, or be mined, so nothing is said about the funds
    details = _seen(ev)
    details["explanation"] = "dropped"
    return Finding(Code.DROPPED, Severity.ERROR, details)


def nothing_transferred(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Status 1, yet no Transfer log matches the token transfer the calldata addressed: the token refused it.

    Some tokens return ``false`` instead of reverting (and a call to an address
    that is no token does nothing at all); either way nothing was sent, though
    the network fee was paid.
    """
    tx, receipt = ev.tx, ev.receipt
    if tx is None or receipt is None or receipt.status is not TxStatus.SUCCESS:
        return None
    refused = unmoved(tx, receipt)
    if not refused:
        return None
    a = refused[0]
    details: dict[str, Any] = {
        "recipient": a.recipient,
        "call": a.kind,
        "block": receipt.block_number,
        "fee_paid_wei": receipt.gas_used * (receipt.effective_gas_price or tx.gas_price or 0),
    }
    if a.top_level and ev.returned_false is not None:
        details["returned_false"] = ev.returned_false  # the token's own answer, read from the call trace
    if a.token is not None:
        meta = ev.token(a.token)
        details["token"] = a.token
        details["asset"] = meta.symbol if meta is not None and meta.symbol else a.token
        decimals = meta.decimals if meta is not None else None
        details["value"] = str(a.value)
        if a.token_ids and a.kind != "batch":
            details.update(nft=True, token_id=a.token_ids[0], collection=details["asset"], units=a.value, decimals=None)
        else:
            details.update(units=a.value, decimals=decimals, decimals_known=decimals is not None)
    return Finding(Code.NOTHING_TRANSFERRED, Severity.ERROR, details)


RULES = (reverted, out_of_gas, invalid_opcode, replaced, dropped, nothing_transferred)
