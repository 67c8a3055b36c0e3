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
may be wrong, truncated or hostile. A frame's error text is the node's own
words (people are shown it when it names no known failure), so it passes
through the one sanitiser (txdiag.text) before it becomes evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from txdiag import text
from txdiag.checksum import to_checksum_address
from txdiag.errors import WireError
from txdiag.families.evm.probes.context import Found
from txdiag.families.evm.probes.plan import Plan, Read, Reader, as_reply, data_or_none, quantity_or_none
from txdiag.families.evm.probes.tokens import ask_metadata
from txdiag.families.evm.transfers import unmoved
from txdiag.families.evm.wire import data, quantity
from txdiag.models import FailureInfo, FailureKind, TxStatus, Unanswered
from txdiag.rpc import Call, Reply, RpcItemError

MAX_FRAME_DEPTH = 256
"""Frames deeper than this are ignored: the EVM allows 1024, real failures sit far shallower,
and a bound keeps a hostile answer from exhausting the stack or the memory."""

MAX_FRAMES = 20_000
FRAME_ERRORS_READ = 256  # distinct error texts of one trace read in full
FRAME_ERROR_LIMIT = 120  # a node's error for one frame is a short phrase ("execution reverted", "out of gas")

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
    return _frame(raw, 0, budget, {})


def _frame(raw: Any, depth: int, budget: list[int], seen: dict[str, str] | None = None) -> Frame | None:
    if not isinstance(raw, dict) or budget[0] <= 0:
        return None
    # a frame has at least one of these; the structLogs answer for an unknown hash has none
    if not any(k in raw for k in ("to", "from", "type", "gasUsed")):
        return None
    budget[0] -= 1
    seen = {} if seen is None else seen
    error = raw.get("error")
    children: list[Frame] = []
    calls = raw.get("calls")
    if isinstance(calls, list) and depth < MAX_FRAME_DEPTH:
        for item in calls:
            child = _frame(item, depth + 1, budget, seen)
            if child is not None:
                children.append(child)
    return Frame(
        address=_opt(_address, raw.get("to")),
        # the node's own words, shown to people when the error has no class: sanitised here, once, like a reason
        error=_frame_error(error, seen) if isinstance(error, str) else None,
        output=_opt(_bytes, raw.get("output")),
        gas=_opt(_quantity, raw.get("gas")),
        gas_used=_opt(_quantity, raw.get("gasUsed")),
        calls=tuple(children),
    )


def _frame_error(error: str, seen: dict[str, str]) -> str:
    """A frame's error for display, at most FRAME_ERROR_LIMIT characters; each distinct text of a trace cleaned once.

    Past FRAME_ERRORS_READ distinct texts in one trace (a node that writes a new one for
    every frame) the rest are shown in the cheap form, every long run of digits masked.
    """
    shown = seen.get(error)
    if shown is None:
        read = text.display if len(seen) < FRAME_ERRORS_READ else text.display_plain
        shown = seen[error] = read(error, FRAME_ERROR_LIMIT)
    return shown


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
    """A ``"method:why"`` code (the catalogs hold the words; the node's own text stays out)."""
    err = reply.error
    if err is None:
        return Unanswered.NO_ANSWER.at(method)
    if err.unsupported:
        return Unanswered.UNSUPPORTED.at(method)
    if err.missing_data:
        return Unanswered.STATE_MISSING.at(method)
    return Unanswered.ERROR.at(method)


def trace_answer(r: Reply) -> Frame | None:
    """The top call frame of a callTracer answer, or None when the call failed or the answer is not a frame."""
    return parse_frame(r.value) if r.ok else None


TOP_CALL_TRACER = {"tracer": "callTracer", "tracerConfig": {"onlyTopCall": True}}


def ask_refusal(found: Found, plan: Plan) -> Reader[bool | None] | None:
    """For a successful token call whose transfer no log shows: did the token return ``false``?

    Read from the top call frame's output where the node can trace; None when
    it cannot say (the finding then rests on the missing log alone).
    """
    tx, receipt = found.tx, found.receipt
    if tx is None or receipt is None or receipt.status is not TxStatus.SUCCESS:
        return None
    if not any(a.top_level for a in unmoved(tx, receipt)):
        return None
    top = plan.add(Call("debug_traceTransaction", (found.hash, TOP_CALL_TRACER)), decode=trace_answer)

    def read() -> Read[bool | None]:
        frame = top.value
        if frame is None or frame.output is None or len(frame.output) != 32:
            return Read(None)
        return Read(int.from_bytes(frame.output, "big") == 0)

    return read


def ask_failure(found: Found, plan: Plan) -> Reader[FailureInfo] | None:
    """Why a mined transaction with status 0 failed (see the module docstring): the round-2 questions."""
    tx, receipt = found.tx, found.receipt
    if tx is None or receipt is None or receipt.status is not TxStatus.REVERTED:
        return None
    trace = plan.add(Call("debug_traceTransaction", (found.hash, CALL_TRACER)), decode=trace_answer)
    ots = plan.add(Call("ots_getTransactionError", (found.hash,)), decode=data_or_none)
    to = tx.to
    meta = ask_metadata(plan, to) if to is not None and found.ctx.tokens.get(to) is None else None

    def read() -> Read[FailureInfo]:
        if meta is not None:
            meta.remember(found.ctx)
        unavailable: list[str] = []
        top = trace.value
        info: FailureInfo | None = None
        if top is not None and (cause := failure_cause(top)) is not None:
            info = FailureInfo(
                source="trace",
                kind=cause.kind,
                revert_data=cause.frame.output,
                error=cause.frame.error or None,  # a text that sanitised to nothing says nothing
                depth=cause.depth,
                contract=cause.frame.address or to,
            )
        else:
            unavailable.append(
                _reason("debug_traceTransaction", trace.reply)
                if not trace.ok
                else Unanswered.NO_FAILING_FRAME.at("debug_traceTransaction")
            )
        if info is None:
            revert = ots.value
            if revert:
                # ots gives only the top frame's data, and "0x" alike for success, OOG, INVALID and revert()
                info = FailureInfo(source="ots", kind=FailureKind.REVERT, revert_data=revert, contract=to)
            else:
                ots_says = (
                    _reason("ots_getTransactionError", ots.reply)
                    if not ots.ok
                    else Unanswered.NO_REVERT_DATA.at("ots_getTransactionError")
                )
                unavailable.append(ots_says)
        if info is None:
            info = FailureInfo(source=None, kind=FailureKind.UNKNOWN, unavailable=tuple(unavailable))
        # a node that could not answer now (not one without the method) leaves the reason unchecked: another
        # request may get it (a later round that tells why takes this back)
        faulted = info.source is None and (_node_fault(trace.reply) or _node_fault(ots.reply))
        return Read(_with_meta(found, info), frozenset({"failure"}) if faulted else frozenset())

    return read


def _node_fault(reply: Reply) -> bool:
    """Whether a call went unanswered through the node's fault (throttled, missing data, an internal error)."""
    err = reply.error
    return err is not None and (err.endpoint_fault or err.rate_limited)


def _with_meta(found: Found, info: FailureInfo) -> FailureInfo:
    token = info.contract or (found.tx.to if found.tx else None)
    meta = found.ctx.tokens.get(token) if token else None
    if meta is None:
        return info
    return replace(info, token_symbol=meta.symbol, token_decimals=meta.decimals)


def ask_followup(found: Found, info: FailureInfo, plan: Plan) -> Reader[FailureInfo] | None:
    """Round 3: what the first answers made necessary (estimate, replay, nested token metadata); None if nothing."""
    tx, receipt = found.tx, found.receipt
    assert tx is not None
    assert receipt is not None
    block = max(0, receipt.block_number - 1)
    parent = hex(block)
    call: dict[str, Any] = {"from": tx.sender, "data": "0x" + tx.input.hex(), "value": hex(tx.value)}
    if tx.to is not None:
        call["to"] = tx.to
    replay = estimate = meta = None
    if info.source is None:
        replay = plan.add(Call("eth_call", ({**call, "gas": hex(tx.gas)}, parent)), decode=as_reply)
    if info.source is None or info.kind is FailureKind.OUT_OF_GAS:
        estimate = plan.add(Call("eth_estimateGas", (call, parent)), decode=quantity_or_none)
    contract = info.contract
    if contract is not None and contract != tx.to and found.ctx.tokens.get(contract) is None:
        meta = ask_metadata(plan, contract)
    if replay is None and estimate is None and meta is None:
        return None

    def read() -> Read[FailureInfo]:
        out = info
        if replay is not None:
            out = _replayed(out, replay.value, block)
        if estimate is not None and estimate.value is not None:
            out = replace(out, gas_estimate=estimate.value)
        if meta is not None:
            meta.remember(found.ctx)
        faulted = out.source is None and replay is not None and _node_fault(replay.value)
        return Read(_with_meta(found, out), frozenset({"failure"}) if faulted else frozenset())

    return read


def _replayed(info: FailureInfo, reply: Reply, block: int) -> FailureInfo:
    err = reply.error
    if err is None:
        return replace(info, unavailable=(*info.unavailable, Unanswered.REPLAY_SUCCEEDED.at("eth_call")))
    if err.unsupported or err.missing_data:
        return replace(info, unavailable=(*info.unavailable, _reason("eth_call", reply)))
    kind = error_kind(err.message)
    revert = _revert_data(err)
    if revert is not None or err.code == 3:
        kind = FailureKind.REVERT
    if kind is FailureKind.UNKNOWN:
        return replace(info, unavailable=(*info.unavailable, _reason("eth_call", reply)))
    return replace(
        info, source="replay", kind=kind, revert_data=revert or None, error=text.reason(err.message), replay_block=block
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
