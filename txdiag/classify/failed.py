"""Why a transaction failed: reverted (with the decoded reason), out of gas, invalid opcode, replaced, dropped.

Each finding carries an ``explanation`` key: the guidance catalogs turn it into
a plain-language sentence using the numbers beside it (amounts in the token's
units when its decimals are known).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from txdiag.chains import ChainSpec
from txdiag.guidance import fmt
from txdiag.models import Code, Evidence, FailureInfo, FailureKind, Finding, Severity, TxStatus
from txdiag.revert import RevertKind, RevertReason, decode_revert
from txdiag.transfers import unmoved

GAS_MARGIN_PERCENT = 20
"""Headroom added to a replayed gas estimate: state moves between the estimate and the next block."""

AMOUNT_KEYS = frozenset(
    {"balance", "needed", "missing", "allowance", "limit", "requested", "excess", "maximum", "received", "minimum"}
)
"""RevertReason.numbers keys that are token amounts (others are deadlines, ids, nonces)."""

_HOLDER_ARGS = ("sender", "account", "owner")


def _failed(ev: Evidence, kinds: tuple[FailureKind, ...]) -> FailureInfo | None:
    """The failure info when the receipt says status 0 and the failure is of one of ``kinds``."""
    if ev.receipt is None or ev.receipt.status is not TxStatus.REVERTED or ev.tx is None:
        return None
    info = ev.failure or FailureInfo(source=None, kind=FailureKind.UNKNOWN, unavailable=("the node did not answer",))
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
            details["explanation"] = "vm_error"
        else:
            details["reason_unavailable"] = "; ".join(info.unavailable) or "no method could tell"
            used_all = ev.receipt.gas_used >= ev.tx.gas
            details["used_all_gas"] = used_all
            details["explanation"] = "reason_unavailable_all_gas" if used_all else "reason_unavailable"
        return Finding(Code.REVERTED, Severity.ERROR, details)
    decoded = decode_revert(info.revert_data or b"")
    details.update(reason=decoded.display(), selector=decoded.selector, decoded=decoded.to_json())
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
    if decoded.explanation is not None:
        return str(decoded.explanation)
    return {
        RevertKind.EMPTY: "no_reason",
        RevertKind.ERROR_STRING: "contract_message",
        RevertKind.CUSTOM: "custom_error",
        RevertKind.UNKNOWN: "unknown_error",
    }.get(decoded.kind, "malformed_reason")


def _numbers(decoded: RevertReason, info: FailureInfo) -> dict[str, Any]:
    """Raw numbers, and for token amounts a display string in the token's units when its decimals are known."""
    out: dict[str, Any] = {}
    for key, value in decoded.numbers.items():
        out[key] = value
        if key in AMOUNT_KEYS:
            decimals = info.token_decimals
            out[f"{key}_amount"] = fmt.units(value, decimals) if decimals is not None else str(value)
    if out and info.token_symbol is not None and info.token_decimals is not None:
        out["token_symbol"] = info.token_symbol
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
    """A transaction txdiag saw pending is gone and the sender's nonce moved past it: another one used the nonce."""
    v = ev.vanished
    if ev.tx is not None or v is None or v.latest_nonce is None or v.latest_nonce <= v.nonce:
        return None
    details = _seen(ev)
    r = v.replacement
    if r is None:
        details["explanation"] = "replaced_unknown"
        return Finding(Code.REPLACED, Severity.ERROR, details)
    if r.to == v.sender and r.value == 0:
        kind = "cancel"
    elif r.to == v.to and v.value is not None and r.value == v.value and r.value > 0:
        # the same coin payment at a higher fee; a zero-value call to the same contract may be any call
        # (another token transfer, an approval), so it is not called a speed-up without its calldata
        kind = "speed_up"
    else:
        kind = "other"
    details.update(
        replaced_by=r.hash,
        replacement_kind=kind,
        replacement_to=r.to,
        replacement_value_wei=r.value,
        replacement_fee_cap_per_gas=r.fee_cap,
        replacement_block=r.block_number,
        explanation=f"replaced_{kind}",
    )
    return Finding(Code.REPLACED, Severity.ERROR, details)


def dropped(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A transaction txdiag saw pending is gone and its nonce is still unused: the network dropped it."""
    v = ev.vanished
    if ev.tx is not None or v is None:
        return None
    if v.latest_nonce is not None and v.latest_nonce > v.nonce:
        return None
    details = _seen(ev)
    details["explanation"] = "dropped" if v.latest_nonce is not None else "dropped_nonce_unknown"
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
    if a.token is not None:
        meta = ev.token(a.token)
        details["token"] = a.token
        details["asset"] = meta.symbol if meta is not None and meta.symbol else a.token
        decimals = meta.decimals if meta is not None else None
        details["value"] = str(a.value)
        if a.token_ids and a.kind != "batch":
            details.update(nft=True, token_id=a.token_ids[0], collection=details["asset"], amount=str(a.value))
        else:
            details["amount"] = fmt.units(a.value, decimals) if decimals is not None else str(a.value)
            details["decimals_known"] = decimals is not None
    return Finding(Code.NOTHING_TRANSFERRED, Severity.ERROR, details)


RULES = (reverted, out_of_gas, invalid_opcode, replaced, dropped, nothing_transferred)
