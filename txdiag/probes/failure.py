"""Why a mined transaction failed: the failing call frame, its error and revert data.

Round 2 (the receipt already said status 0) asks, in one batch whose items
fail independently:

    debug_traceTransaction(hash, callTracer)   the whole call tree: preferred
    ots_getTransactionError(hash)              the top-level revert data only
    symbol() / decimals() of the tx's ``to``    to show amounts in token units

Round 3, only when needed: ``eth_estimateGas`` at the parent block for an out
of gas failure (how much gas it needed), metadata of a nested failing token,
or, when neither method could tell, a replay with ``eth_call`` at the parent
block (which may differ from what happened inside the block).

The call-tree parser is pure and never raises on any JSON: a node's answer
may be wrong, truncated or hostile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from eth_utils.address import to_checksum_address

from txdiag.gather import Found, ProbeResult, reply_bytes
from txdiag.models import FailureInfo, FailureKind, TxStatus
from txdiag.probes.tokens import metadata_calls, store_metadata
from txdiag.rpc import Call, Reply, RpcItemError
from txdiag.wire import WireError, data, quantity

MAX_FRAME_DEPTH = 256
"""Frames deeper than this are ignored: the EVM allows 1024, real failures sit far shallower,
and a bound keeps a hostile answer from exhausting the stack or the memory."""

MAX_FRAMES = 20_000

CALL_TRACER = {"tracer": "callTracer"}
REPLAY_NOTE = "replayed at the parent block; the state inside the block may have differed"


@dataclass(frozen=True, slots=True)
class Frame:
    """One call frame of a callTracer trace, normalised."""

    address: str | None
    error: str | None
    output: bytes | None
    gas: int | None
    gas_used: int | None
    calls: tuple[Frame, ...] = ()

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(frozen=True, slots=True)
class Cause:
    """The frame whose failure made the transaction fail, and how deep it sits."""

    frame: Frame
    depth: int
    kind: FailureKind


def error_kind(error: str | None) -> FailureKind:
    """Classify a node's error text (geth, anvil/revm, reth, Parity-style traces)."""
    if error is None:
        return FailureKind.UNKNOWN
    text = error.casefold().replace(" ", "")
    if "outofgas" in text:
        return FailureKind.OUT_OF_GAS
    if "invalidopcode" in text or "badinstruction" in text or "invalidfeopcode" in text:
        return FailureKind.INVALID_OPCODE
    if "revert" in text:
        return FailureKind.REVERT
    return FailureKind.UNKNOWN


def parse_frame(raw: Any) -> Frame | None:
    """A callTracer frame, or None when ``raw`` is not one. Never raises.

    Children that are not frames are skipped; frames past MAX_FRAME_DEPTH or
    MAX_FRAMES are dropped.
    """
    budget = [MAX_FRAMES]
    return _frame(raw, 0, budget)


def _frame(raw: Any, depth: int, budget: list[int]) -> Frame | None:
    if not isinstance(raw, dict) or budget[0] <= 0:
        return None
    # a frame has at least one of these; the structLogs answer for an unknown hash has none
    if not any(k in raw for k in ("to", "from", "type", "gasUsed")):
        return None
    budget[0] -= 1
    error = raw.get("error")
    children: list[Frame] = []
    calls = raw.get("calls")
    if isinstance(calls, list) and depth < MAX_FRAME_DEPTH:
        for item in calls:
            child = _frame(item, depth + 1, budget)
            if child is not None:
                children.append(child)
    return Frame(
        address=_opt(_address, raw.get("to")),
        error=error[:200] if isinstance(error, str) else None,
        output=_opt(_bytes, raw.get("output")),
        gas=_opt(_quantity, raw.get("gas")),
        gas_used=_opt(_quantity, raw.get("gasUsed")),
        calls=tuple(children),
    )


def _opt(parse: Any, value: Any) -> Any:
    if value is None:
        return None
    try:
        return parse(value)
    except (WireError, ValueError, TypeError):
        return None


def _address(value: Any) -> str:
    return str(to_checksum_address(data(value, "to", size=20)))


def _bytes(value: Any) -> bytes:
    return data(value, "output")


def _quantity(value: Any) -> int:
    return quantity(value, "gas")


def failure_cause(top: Frame) -> Cause | None:
    """The deepest frame whose failure reached the top; None when the top frame did not fail.

    A child's failure is the cause only if it propagated: the parent reverted
    with the child's own revert data, or reverted with nothing right after the
    child ran out of gas (or hit INVALID, or reverted with nothing). A failure
    the parent caught and survived is never the cause: the walk starts at the
    top and only follows failing frames.
    """
    if not top.failed:
        return None
    frame, depth = top, 0
    while error_kind(frame.error) is FailureKind.REVERT:
        failing = [c for c in frame.calls if c.failed]
        if not failing:
            break
        last = failing[-1]
        if frame.output:
            if last.output != frame.output:
                break
        elif last.output and error_kind(last.error) is FailureKind.REVERT:
            break  # the parent swallowed the child's reason and reverted with none of its own
        frame, depth = last, depth + 1
    return Cause(frame, depth, error_kind(frame.error))


# --- the probe ----------------------------------------------------------------


def _reason(method: str, reply: Reply) -> str:
    err = reply.error
    if err is None:
        return f"{method}: no usable answer"
    if err.unsupported:
        return f"{method}: not supported by the node"
    if err.missing_data:
        return f"{method}: state not available (pruned or too old)"
    return f"{method}: {err.message[:120]}"


class FailureProbe:
    """Finds why a mined transaction with status 0 failed (see the module docstring)."""

    def __init__(self) -> None:
        self._meta_for: str | None = None

    def calls(self, found: Found) -> Sequence[Call]:
        if found.tx is None or found.receipt is None or found.receipt.status is not TxStatus.REVERTED:
            return []
        calls = [
            Call("debug_traceTransaction", (found.hash, CALL_TRACER)),
            Call("ots_getTransactionError", (found.hash,)),
        ]
        to = found.tx.to
        self._meta_for = to if to is not None and found.ctx.tokens.get(to) is None else None
        if self._meta_for is not None:
            calls += metadata_calls(self._meta_for)
        return calls

    def read(self, found: Found, replies: Sequence[Reply]) -> ProbeResult:
        assert found.tx is not None
        assert found.receipt is not None
        if self._meta_for is not None:
            store_metadata(found, self._meta_for, replies[2], replies[3])
        unavailable: list[str] = []
        trace, ots = replies[0], replies[1]
        top = parse_frame(trace.value) if trace.ok else None
        info: FailureInfo | None = None
        if top is not None and (cause := failure_cause(top)) is not None:
            info = FailureInfo(
                source="trace",
                kind=cause.kind,
                revert_data=cause.frame.output,
                error=cause.frame.error,
                depth=cause.depth,
                contract=cause.frame.address or found.tx.to,
            )
        else:
            unavailable.append(_reason("debug_traceTransaction", trace) if not trace.ok else "trace: no failing frame")
        if info is None:
            revert = reply_bytes(ots)
            if revert:
                # ots gives only the top frame's data, and "0x" alike for success, OOG, INVALID and revert()
                info = FailureInfo(source="ots", kind=FailureKind.REVERT, revert_data=revert, contract=found.tx.to)
            else:
                unavailable.append(_reason("ots_getTransactionError", ots) if not ots.ok else "ots: no revert data")
        if info is None:
            info = FailureInfo(source=None, kind=FailureKind.UNKNOWN, unavailable=tuple(unavailable))
        info = _with_meta(found, info)
        follow = _Followup(info)
        if follow.calls(found):
            return ProbeResult({"failure": info}, followup=follow)
        return ProbeResult({"failure": info})


def _with_meta(found: Found, info: FailureInfo) -> FailureInfo:
    token = info.contract or (found.tx.to if found.tx else None)
    meta = found.ctx.tokens.get(token) if token else None
    if meta is None:
        return info
    return replace(info, token_symbol=meta[0], token_decimals=meta[1])


class _Followup:
    """Round 3: what the first answers made necessary (estimate, replay, nested token metadata)."""

    def __init__(self, info: FailureInfo) -> None:
        self.info = info
        self._plan: list[str] = []

    def calls(self, found: Found) -> Sequence[Call]:
        tx, receipt = found.tx, found.receipt
        assert tx is not None
        assert receipt is not None
        parent = hex(max(0, receipt.block_number - 1))
        call: dict[str, Any] = {"from": tx.sender, "data": "0x" + tx.input.hex(), "value": hex(tx.value)}
        if tx.to is not None:
            call["to"] = tx.to
        calls: list[Call] = []
        self._plan = []
        if self.info.source is None:
            calls.append(Call("eth_call", ({**call, "gas": hex(tx.gas)}, parent)))
            self._plan.append("replay")
        if self.info.source is None or self.info.kind is FailureKind.OUT_OF_GAS:
            calls.append(Call("eth_estimateGas", (call, parent)))
            self._plan.append("estimate")
        contract = self.info.contract
        if contract is not None and contract != tx.to and found.ctx.tokens.get(contract) is None:
            calls += metadata_calls(contract)
            self._plan.append("meta")
        return calls

    def read(self, found: Found, replies: Sequence[Reply]) -> ProbeResult:
        assert found.tx is not None
        assert found.receipt is not None
        info = self.info
        at = 0
        parent = max(0, found.receipt.block_number - 1)
        for step in self._plan:
            if step == "replay":
                info = _replayed(info, replies[at], parent)
                at += 1
            elif step == "estimate":
                info = _estimated(info, replies[at])
                at += 1
            else:
                assert info.contract is not None
                store_metadata(found, info.contract, replies[at], replies[at + 1])
                at += 2
        return ProbeResult({"failure": _with_meta(found, info)})


def _replayed(info: FailureInfo, reply: Reply, block: int) -> FailureInfo:
    err = reply.error
    if err is None:
        note = "eth_call: the replay at the parent block succeeded, so it cannot say why the transaction failed"
        return replace(info, unavailable=(*info.unavailable, note))
    if err.unsupported or err.missing_data:
        return replace(info, unavailable=(*info.unavailable, _reason("eth_call", reply)))
    kind = error_kind(err.message)
    revert = _revert_data(err)
    if revert is not None or err.code == 3:
        kind = FailureKind.REVERT
    if kind is FailureKind.UNKNOWN:
        return replace(info, unavailable=(*info.unavailable, _reason("eth_call", reply)))
    return replace(
        info, source="replay", kind=kind, revert_data=revert or None, error=err.message[:200], replay_block=block
    )


def _revert_data(err: RpcItemError) -> bytes | None:
    value = err.data
    if isinstance(value, dict):  # some nodes nest it: {"data": "0x..."}
        value = value.get("data")
    if not isinstance(value, str):
        return None
    try:
        return data(value, "revert data")
    except WireError:
        return None


def _estimated(info: FailureInfo, reply: Reply) -> FailureInfo:
    if not reply.ok:
        return info
    try:
        estimate = quantity(reply.value, "eth_estimateGas")
    except WireError:
        return info
    return replace(info, gas_estimate=estimate)
