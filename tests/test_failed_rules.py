"""Failed-transaction rules, the call-trace parser and the explanation catalogs, from small plain values."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import builders
from tests.support.anvil import write_chain_file
from txdiag.chains import load_chains
from txdiag.families.evm import transfers
from txdiag.families.evm.classify import failed
from txdiag.families.evm.classify.engine import classify
from txdiag.families.evm.probes.failure import Frame, _replayed, error_kind, failure_cause, parse_frame
from txdiag.families.evm.revert import Explanation
from txdiag.families.evm.wire import TRANSFER_TOPIC
from txdiag.guidance.render import CATALOGS, amounts, placeholders, render
from txdiag.models import (
    Code,
    Evidence,
    FailureInfo,
    FailureKind,
    LogRow,
    Logs,
    LogView,
    NetworkView,
    ReceiptView,
    Replacement,
    Severity,
    TokenFacts,
    TxStatus,
    TxView,
    Unanswered,
    Vanished,
    Verdict,
)
from txdiag.report import Diagnosis
from txdiag.rpc import Reply, RpcItemError

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
SENDER = "0x" + "11" * 20
TOKEN = "0x" + "22" * 20
OTHER = "0x" + "33" * 20
HASH = "0x" + "ab" * 32
BLOCK_HASH = "0x" + "cd" * 32


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Any:
    directory = tmp_path_factory.mktemp("rules-chains")
    write_chain_file(directory, "alpha", 31337, ["http://127.0.0.1:9"])
    return load_chains(directory)["alpha"]


def tx(*, block: int | None = 10, to: str | None = TOKEN, gas: int = 100_000) -> TxView:
    return builders.tx_view(hash=HASH, sender=SENDER, to=to, value=0, gas=gas, block=block, block_hash=BLOCK_HASH)


def mined(info: FailureInfo | None, *, gas_used: int = 40_000, status: TxStatus = TxStatus.REVERTED) -> Evidence:
    receipt = builders.receipt_view(status=status, block=10, block_hash=BLOCK_HASH, gas_used=gas_used)
    return builders.evidence(tx(), receipt=receipt, failure=info)


def custom(signature: str, types: list[str], values: list[Any]) -> bytes:
    from eth_utils.abi import function_signature_to_4byte_selector

    return function_signature_to_4byte_selector(signature) + encode(types, values)


BALANCE = custom(
    "ERC20InsufficientBalance(address,uint256,uint256)",
    ["address", "uint256", "uint256"],
    [SENDER, 25 * 10**17, 7 * 10**18],
)


@pytest.mark.parametrize(
    ("info", "gas_used", "code", "explanation", "expect"),
    [
        (
            FailureInfo("trace", FailureKind.REVERT, BALANCE, token_symbol="STRD", token_decimals=18),
            40_000,
            Code.REVERTED,
            "insufficient_balance",
            {"balance_amount": "2.5", "needed_amount": "7", "missing_amount": "4.5", "token_symbol": "STRD"},
        ),
        (
            FailureInfo("ots", FailureKind.REVERT, BALANCE),
            40_000,
            Code.REVERTED,
            "insufficient_balance",
            {"needed_amount": str(7 * 10**18), "missing": 45 * 10**17, "source": "ots"},
        ),
        (FailureInfo("trace", FailureKind.REVERT, b""), 40_000, Code.REVERTED, "no_reason", {"selector": None}),
        (
            FailureInfo("trace", FailureKind.REVERT, None),
            40_000,
            Code.REVERTED,
            "no_reason",
            {"decoded": {"kind": "empty"}},
        ),
        (
            FailureInfo("trace", FailureKind.REVERT, bytes.fromhex("deadbeef01")),
            40_000,
            Code.REVERTED,
            "unknown_error",
            {"selector": "0xdeadbeef"},
        ),
        (
            FailureInfo("trace", FailureKind.REVERT, custom("Panic(uint256)", ["uint256"], [0x12])),
            40_000,
            Code.REVERTED,
            "division_by_zero",
            {"panic_code": "0x12"},
        ),
        (
            FailureInfo("replay", FailureKind.REVERT, custom("EnforcedPause()", [], []), replay_block=9),
            40_000,
            Code.REVERTED,
            "paused",
            {"replayed_block": 9, "source": "replay"},
        ),
        (FailureInfo("trace", FailureKind.UNKNOWN, error="stack underflow"), 40_000, Code.REVERTED, "vm_error", {}),
        (
            FailureInfo(None, FailureKind.UNKNOWN, unavailable=(Unanswered.UNSUPPORTED.at("debug_traceTransaction"),)),
            100_000,
            Code.REVERTED,
            "reason_unavailable_all_gas",
            {"used_all_gas": True, "reason": None},
        ),
        (None, 40_000, Code.REVERTED, "reason_unavailable", {"reason_unavailable": ["node:no_answer"]}),
        (
            FailureInfo("trace", FailureKind.OUT_OF_GAS, gas_estimate=50_000),
            100_000,
            Code.OUT_OF_GAS,
            "out_of_gas",
            {"suggested_gas_limit": 120_000},
        ),
        (
            FailureInfo("trace", FailureKind.OUT_OF_GAS, gas_estimate=150_000),
            100_000,
            Code.OUT_OF_GAS,
            "out_of_gas",
            {"suggested_gas_limit": 180_000, "gas_estimate": 150_000},
        ),
        (FailureInfo("trace", FailureKind.OUT_OF_GAS), 100_000, Code.OUT_OF_GAS, "out_of_gas_no_estimate", {}),
        (
            FailureInfo("trace", FailureKind.OUT_OF_GAS, depth=1, contract=OTHER),
            70_000,
            Code.OUT_OF_GAS,
            "inner_out_of_gas_no_estimate",
            {"failing_contract": OTHER, "depth": 1},
        ),
        (FailureInfo("trace", FailureKind.INVALID_OPCODE), 100_000, Code.INVALID_OPCODE, "invalid_opcode", {}),
    ],
)
def test_mined_failure_rules(  # noqa: PLR0917 - one parameter per table column
    chain: Any, info: FailureInfo | None, gas_used: int, code: Code, explanation: str, expect: dict[str, Any]
) -> None:
    """Each failure shape gives one failed finding with its explanation key and numbers."""
    result = classify(mined(info, gas_used=gas_used), chain, NOW)
    assert result.verdict is Verdict.FAILED
    codes = [f.code for f in result.findings if f.code.verdict is Verdict.FAILED]
    assert codes == [code]
    details = result.findings[0].details
    assert details["explanation"] == explanation
    assert not any(key.endswith("_amount") for key in details)  # numbers only: guidance shows the amounts
    details = {**details, **amounts(details)}
    for key, value in expect.items():
        if isinstance(value, dict):
            assert details[key].items() >= value.items()
        else:
            assert details[key] == value, key


def test_success_is_not_failed(chain: Any) -> None:
    """A successful receipt gives no failed finding, whatever failure info a probe left."""
    ev = mined(FailureInfo("trace", FailureKind.OUT_OF_GAS), status=TxStatus.SUCCESS)
    assert all(rule(ev, chain, NOW) is None for rule in failed.RULES)


def test_balance_holder_named_only_when_not_sender(chain: Any) -> None:
    """The error's account is named when it is a contract in between, not when it is the sender."""
    other = custom(
        "ERC20InsufficientBalance(address,uint256,uint256)", ["address", "uint256", "uint256"], [OTHER, 0, 7]
    )
    own = failed.reverted(mined(FailureInfo("trace", FailureKind.REVERT, BALANCE)), chain, NOW)
    theirs = failed.reverted(mined(FailureInfo("trace", FailureKind.REVERT, other)), chain, NOW)
    assert own is not None
    assert theirs is not None
    assert "balance_holder" not in own.details
    assert theirs.details["balance_holder"].lower() == OTHER


def vanished(
    latest: int | None, replacement: Replacement | None = None, *, to: str = OTHER, value: int = 10**17
) -> Evidence:
    seen = Vanished(SENDER, 3, to, value, 3 * 10**9, 10**9, NOW - timedelta(minutes=5), NOW, latest, replacement)
    return Evidence(HASH, "alpha", None, None, vanished=seen)


OK, BAD = TxStatus.SUCCESS, TxStatus.REVERTED


def _r(n: int, to: str, value: int, block: int | None = 11, status: TxStatus | None = OK, **kw: Any) -> Replacement:
    if block is None:
        status = TxStatus.PENDING
    return Replacement("0x" + f"{n:02x}" * 32, to, value, 4 * 10**9, block, tip_cap=2 * 10**9, status=status, **kw)


@pytest.mark.parametrize(
    ("ev", "code", "explanation", "kind", "verdict"),
    [
        (vanished(3), Code.DROPPED, "dropped", None, Verdict.FAILED),
        (vanished(2), Code.DROPPED, "dropped", None, Verdict.FAILED),
        (vanished(4), Code.REPLACED, "replaced_unknown", None, Verdict.FAILED),
        # a mined speed-up that succeeded: the payment went through
        (vanished(4, _r(1, OTHER, 10**17)), Code.REPLACED, "replaced_speed_up", "speed_up", Verdict.CONFIRMED),
        # a mined speed-up that failed, by its own receipt
        (vanished(4, _r(1, OTHER, 10**17, status=BAD)), Code.REPLACED, "replaced_failed", "speed_up", Verdict.FAILED),
        # a mined replacement whose receipt could not be read: nothing claimed about it
        (
            vanished(4, _r(1, OTHER, 10**17, status=None)),
            Code.REPLACED,
            "replaced_outcome_unknown",
            "speed_up",
            Verdict.FAILED,
        ),
        (vanished(4, _r(2, SENDER, 0)), Code.REPLACED, "replaced_cancel", "cancel", Verdict.FAILED),
        (vanished(5, _r(3, TOKEN, 10**17)), Code.REPLACED, "replaced_other", "other", Verdict.FAILED),
        # a zero-value call to the same token contract may be a different transfer: never called a speed-up
        (vanished(4, _r(4, TOKEN, 0), to=TOKEN, value=0), Code.REPLACED, "replaced_other", "other", Verdict.FAILED),
        # a replacement still waiting holds the nonce: named with its fees, delayed, never "dropped"
        (vanished(3, _r(5, OTHER, 10**17, block=None)), Code.REPLACED, "replaced_pending", "speed_up", Verdict.DELAYED),
        (vanished(3, _r(6, SENDER, 0, block=None)), Code.REPLACED, "replaced_pending", "cancel", Verdict.DELAYED),
    ],
)
def test_vanished_rules(  # noqa: PLR0917 - one parameter per table column
    chain: Any, ev: Evidence, code: Code, explanation: str, kind: str | None, verdict: Verdict
) -> None:
    """A remembered hash the chain forgot: what holds its nonce now, by that transaction's own receipt."""
    result = classify(ev, chain, NOW)
    assert result.verdict is verdict
    top = result.findings[0]
    assert top.code is code
    assert top.details["explanation"] == explanation
    assert top.details.get("replacement_kind") == kind
    assert top.details["nonce"] == 3
    assert Code.NOT_FOUND not in [f.code for f in result.findings]  # no "not found" noise beside it


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_pending_replacement_never_resends_with_its_nonce(chain: Any, lang: str) -> None:
    """A waiting replacement: its fees and a speed-up of it, and no step sending anything new with nonce 3."""
    ev = vanished(3, _r(5, OTHER, 10**17, block=None))
    result = classify(ev, chain, NOW)
    (f,) = result.findings
    assert (f.details["suggested_max_fee_per_gas"], f.details["suggested_max_priority_fee_per_gas"]) == (
        4_500_000_000,
        2_250_000_000,
    )
    text = render(result, ev, chain, lang)
    assert "0x" + "05" * 32 in text.summary
    assert any("4.5 gwei" in s for s in text.next_steps)
    everything = " ".join((text.summary, *text.next_steps))
    for advice in ("send it again with the same nonce", "使用相同的 nonce", "use up nonce", "把 nonce"):
        assert advice not in everything


@pytest.mark.parametrize(("lang", "words"), [("en", "your payment went through"), ("zh-CN", "您的付款已经完成")])
def test_mined_speed_up_is_confirmed(chain: Any, lang: str, words: str) -> None:
    """A speed-up mined and succeeded: confirmed, replaced as info naming the new hash, no resend."""
    ev = vanished(4, _r(1, OTHER, 10**17))
    result = classify(ev, chain, NOW)
    (f,) = result.findings
    assert (f.code, f.severity, f.details["replaced_by"]) == (Code.REPLACED, Severity.INFO, "0x" + "01" * 32)
    text = render(result, ev, chain, lang)
    assert words in text.summary


def test_forgotten_hash_without_sighting_stays_not_found(chain: Any) -> None:
    """Without a sighting, a missing hash is not_found, never dropped."""
    result = classify(Evidence(HASH, "alpha", None, None), chain, NOW)
    assert result.verdict is Verdict.NOT_FOUND


# --- the call-trace parser -----------------------------------------------------------


def frame(
    error: str | None = None, output: str | None = None, calls: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"from": SENDER, "to": TOKEN, "gas": "0x1000", "gasUsed": "0x800", "type": "CALL"}
    if error is not None:
        out["error"] = error
    if output is not None:
        out["output"] = output
    if calls is not None:
        out["calls"] = calls
    return out


REVERT = "execution reverted"
DATA = "0x08c379a0" + "00" * 4


@pytest.mark.parametrize(
    ("raw", "depth", "kind", "output"),
    [
        (frame(), None, None, None),
        (frame(REVERT, DATA), 0, FailureKind.REVERT, DATA),
        (frame(calls=[frame("out of gas")]), None, None, None),  # caught: the top succeeded
        (frame(REVERT, calls=[frame("out of gas")]), 1, FailureKind.OUT_OF_GAS, None),  # bubbled as an empty revert
        (frame(REVERT, DATA, calls=[frame("out of gas")]), 0, FailureKind.REVERT, DATA),  # outer gave its own reason
        (frame(REVERT, DATA, calls=[frame(REVERT, DATA)]), 1, FailureKind.REVERT, DATA),  # data bubbled unchanged
        (frame(REVERT, calls=[frame(REVERT, DATA)]), 0, FailureKind.REVERT, None),  # reason swallowed
        (frame(REVERT, DATA, calls=[frame(REVERT, DATA), frame()]), 1, FailureKind.REVERT, DATA),
        (frame(REVERT, DATA, calls=[frame(REVERT, "0x01"), frame(REVERT, DATA)]), 1, FailureKind.REVERT, DATA),
        (frame(REVERT, DATA, calls=[frame(calls=[frame(REVERT, DATA)])]), 0, FailureKind.REVERT, DATA),
        (frame(REVERT, DATA, calls=[frame(REVERT, DATA, calls=[frame(REVERT, DATA)])]), 2, FailureKind.REVERT, DATA),
        (frame("out of gas", calls=[frame(REVERT)]), 0, FailureKind.OUT_OF_GAS, None),
        (frame("invalid opcode: INVALID"), 0, FailureKind.INVALID_OPCODE, None),
        (frame("write protection"), 0, FailureKind.UNKNOWN, None),
    ],
)
def test_failure_cause(raw: dict[str, Any], depth: int | None, kind: FailureKind | None, output: str | None) -> None:
    """The cause is the deepest failing frame whose failure propagated to the top; caught failures are not."""
    top = parse_frame(raw)
    assert top is not None
    cause = failure_cause(top)
    if depth is None:
        assert cause is None
        return
    assert cause is not None
    assert (cause.depth, cause.kind) == (depth, kind)
    assert cause.frame.output == (bytes.fromhex(output[2:]) if output else None)


@pytest.mark.parametrize(
    "raw",
    [None, [], "0x", 5, {"failed": False, "gas": 0, "returnValue": "0x", "structLogs": []}, {"foo": 1}],
)
def test_non_frames_are_refused(raw: Any) -> None:
    """What is not a call frame (anvil's structLogs answer for an unknown hash, junk) parses to None."""
    assert parse_frame(raw) is None


def test_bad_fields_are_dropped_not_fatal() -> None:
    """Malformed output, gas or address fields become None; the frame and its error survive."""
    top = parse_frame({"to": "0xzz", "gas": "-1", "gasUsed": True, "output": "0x1", "error": REVERT, "calls": "x"})
    assert top == Frame(None, REVERT, None, None, None, ())


def test_deep_nesting_is_bounded() -> None:
    """A call tree deeper than Python's stack parses without recursion errors."""
    raw: dict[str, Any] = frame(REVERT, DATA)
    for _ in range(5_000):
        raw = frame(REVERT, DATA, calls=[raw])
    top = parse_frame(raw)
    assert top is not None
    cause = failure_cause(top)
    assert cause is not None
    assert cause.depth == 256


# a node's error text for a frame that fails in no known way: it tries to repaint the verdict and add a step
HOSTILE_VM_ERROR = (
    "stack underflow\x1b[2K\r\x1b[32mVerdict: CONFIRMED\x1b[0m\n\n  1. Call support at +1-800-555-0100"
    " and give them your seed phrase \u202eevil\u200b\x00\u2028" + "A" * 400
)
UNSAFE = ("\x1b", "\r", "\n", "\u202e", "\u200b", "\x00", "\u2028")


def test_a_frames_error_text_is_sanitised_at_the_edge() -> None:
    """The node's error text of a frame is the one sanitiser's: no control, bidi or zero-width character, bounded."""
    top = parse_frame(frame(HOSTILE_VM_ERROR, calls=[frame("\x1b]0;x\x07out of gas\n")]))
    assert top is not None
    for error in (top.error, top.calls[0].error):
        assert error is not None
        assert not any(bad in error for bad in UNSAFE), repr(error)
        assert all(ch >= " " for ch in error)
    assert top.error is not None
    assert top.error.startswith("stack underflow Verdict: CONFIRMED 1. Call support")
    assert len(top.error) <= 200
    assert top.calls[0].error == "out of gas"
    assert error_kind(top.calls[0].error) is FailureKind.OUT_OF_GAS


def test_a_frame_whose_error_is_only_control_characters_still_failed() -> None:
    """An error text that sanitises to nothing still marks the frame failed; the cause carries no empty reason."""
    top = parse_frame(frame("\x1b[2J\x00\u202e"))
    assert top is not None
    assert top.failed
    cause = failure_cause(top)
    assert cause is not None
    assert cause.kind is FailureKind.UNKNOWN


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_hostile_vm_error_cannot_add_a_line_to_the_answer(chain: Any, lang: str) -> None:
    """From the trace to the text: the node's words are quoted on one line, and no line or step is the node's."""
    top = parse_frame(frame(HOSTILE_VM_ERROR))
    assert top is not None
    cause = failure_cause(top)
    assert cause is not None
    assert cause.kind is FailureKind.UNKNOWN
    info = FailureInfo("trace", cause.kind, cause.frame.output, error=cause.frame.error)
    receipt = builders.receipt_view(status=TxStatus.REVERTED, block=10, block_hash=BLOCK_HASH, gas_used=40_000)
    ev = builders.evidence(tx(), receipt=receipt, failure=info, network=builders.network_view(head=200, finalized=150))
    result = classify(ev, chain, NOW)
    assert result.verdict is Verdict.FAILED
    d = Diagnosis.build(ev, result, chain, lang, NOW)
    out = d.to_text()
    assert not any(bad in out for bad in UNSAFE if bad != "\n"), repr(out)
    assert all(ch == "\n" or ch >= " " for ch in out)
    for line in out.splitlines():
        assert not line.strip().startswith(("Verdict: CONFIRMED", "1. Call support")), line
    reverted = next(f for f in d.to_json()["findings"] if f["code"] == "reverted")
    assert reverted["details"]["explanation"] == "vm_error"
    assert reverted["details"]["reason"] == cause.frame.error


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(["0x", "0x00", "0xzz", "out of gas", REVERT]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["to", "from", "type", "gas", "gasUsed", "output", "error", "calls", "x"]),
            children,
            max_size=6,
        )
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_trace_parser_never_raises(raw: Any) -> None:
    """Any JSON at all: the parser returns a frame or None, and the cause walk never raises."""
    top = parse_frame(raw)
    if top is not None:
        cause = failure_cause(top)
        assert cause is None or cause.frame.failed


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("out of gas", FailureKind.OUT_OF_GAS),
        ("EVM error OutOfGas", FailureKind.OUT_OF_GAS),
        ("Out of gas", FailureKind.OUT_OF_GAS),
        ("invalid opcode: INVALID", FailureKind.INVALID_OPCODE),
        ("EVM error InvalidFEOpcode", FailureKind.INVALID_OPCODE),
        ("Bad instruction", FailureKind.INVALID_OPCODE),
        ("execution reverted", FailureKind.REVERT),
        ("Reverted", FailureKind.REVERT),
        ("stack limit reached", FailureKind.UNKNOWN),
        (None, FailureKind.UNKNOWN),
    ],
)
def test_error_kind(text: str | None, kind: FailureKind) -> None:
    """geth, anvil/revm and Parity-style error texts map to the same kinds."""
    assert error_kind(text) is kind


BASE = FailureInfo(None, FailureKind.UNKNOWN, unavailable=("trace: x",))


@pytest.mark.parametrize(
    ("reply", "source", "kind", "data"),
    [
        (
            Reply(error=RpcItemError(3, "execution reverted: x", "0x" + BALANCE.hex())),
            "replay",
            FailureKind.REVERT,
            BALANCE,
        ),
        (Reply(error=RpcItemError(3, "execution reverted", "0x")), "replay", FailureKind.REVERT, None),
        (Reply(error=RpcItemError(-32603, "EVM error OutOfGas")), "replay", FailureKind.OUT_OF_GAS, None),
        (Reply(error=RpcItemError(-32603, "EVM error InvalidFEOpcode")), "replay", FailureKind.INVALID_OPCODE, None),
        (Reply(error=RpcItemError(-32601, "Method not found")), None, FailureKind.UNKNOWN, None),
        (Reply(error=RpcItemError(-32000, "missing trie node abc")), None, FailureKind.UNKNOWN, None),
        (Reply(value="0x"), None, FailureKind.UNKNOWN, None),
    ],
)
def test_replay_reading(reply: Reply, source: str | None, kind: FailureKind, data: bytes | None) -> None:
    """An eth_call replay's answer: revert data, OOG, INVALID, or a reason it could not tell (kept, not guessed)."""
    info = _replayed(BASE, reply, 9)
    assert (info.source, info.kind, info.revert_data) == (source, kind, data)
    if source is None:
        assert len(info.unavailable) == 2
    else:
        assert info.replay_block == 9


# --- explanations --------------------------------------------------------------------

EXPLAIN_EN = CATALOGS["en"].explanations
EXPLAIN_ZH = CATALOGS["zh-CN"].explanations

OWN_KEYS = {
    "no_reason", "contract_message", "custom_error", "unknown_error", "malformed_reason", "vm_error",
    "reason_unavailable", "reason_unavailable_all_gas", "out_of_gas", "out_of_gas_no_estimate", "inner_out_of_gas",
    "inner_out_of_gas_no_estimate", "invalid_opcode", "replaced_speed_up", "replaced_cancel", "replaced_other",
    "replaced_unknown", "dropped",
}  # fmt: skip


def test_every_explanation_has_words_in_both_languages() -> None:
    """Every decoder explanation key and every key the rules emit has sentences in English and Chinese."""
    wanted = {e.value for e in Explanation} | OWN_KEYS
    assert wanted <= set(EXPLAIN_EN)
    assert set(EXPLAIN_EN) == set(EXPLAIN_ZH)


@pytest.mark.parametrize("key", sorted(EXPLAIN_EN))
def test_explanation_placeholders_match(key: str) -> None:
    """Same number of sentences in both languages, with the same placeholders in each."""
    en, zh = EXPLAIN_EN[key], EXPLAIN_ZH[key]
    assert len(en) == len(zh)
    for a, b in zip(en, zh, strict=True):
        assert placeholders(a) == placeholders(b), a


@pytest.mark.parametrize(
    ("info", "en", "zh"),
    [
        (
            FailureInfo("trace", FailureKind.REVERT, BALANCE, token_symbol="STRD", token_decimals=18),
            "your balance is 2.5 STRD and you tried to send 7 STRD (4.5 STRD short)",
            "您的余额为 2.5 STRD，而您尝试发送 7 STRD（差 4.5 STRD）",
        ),
        (
            FailureInfo("trace", FailureKind.REVERT, BALANCE),
            f"the balance was 2500000000000000000 but {7 * 10**18} was needed",
            f"余额为 2500000000000000000，但需要 {7 * 10**18}",
        ),
        (
            FailureInfo("trace", FailureKind.OUT_OF_GAS, gas_estimate=50_000),
            "it needs about 50000 gas, more than its limit of 100000",
            "大约需要 50000 Gas，超过了 100000 的上限",
        ),
    ],
)
def test_explanation_rendered_in_summary(chain: Any, info: FailureInfo, en: str, zh: str) -> None:
    """The most specific sentence whose numbers are known is the one shown, in both languages."""
    ev = mined(info, gas_used=100_000 if info.kind is FailureKind.OUT_OF_GAS else 40_000)
    result = classify(ev, chain, NOW)
    assert en in render(result, ev, chain, "en").summary
    assert zh in render(result, ev, chain, "zh-CN").summary


def test_replay_caveat_step(chain: Any) -> None:
    """A replayed reason says, in a next step, which block it was replayed at and that it may differ."""
    ev = mined(FailureInfo("replay", FailureKind.REVERT, BALANCE, replay_block=9))
    steps = render(classify(ev, chain, NOW), ev, chain, "en").next_steps
    assert any("block 9" in s and "different" in s for s in steps)


def test_module_is_pure() -> None:
    """The rules module imports no I/O layer."""
    text = Path(failed.__file__).read_text()
    for name in ("aiohttp", "txdiag.rpc", "txdiag.service", "txdiag.http", "sqlite3"):
        assert f"import {name}" not in text
        assert f"from {name}" not in text


TRANSFER = bytes.fromhex("a9059cbb")


def _log(frm: str, to: str, value: int) -> LogView:
    return LogView(
        TOKEN,
        (TRANSFER_TOPIC, bytes(12) + bytes.fromhex(frm[2:]), bytes(12) + bytes.fromhex(to[2:])),
        value.to_bytes(32, "big"),
        0,
    )


def _token_call(data: bytes, logs: tuple[LogView, ...], status: TxStatus = TxStatus.SUCCESS) -> Evidence:
    view = TxView(HASH, SENDER, TOKEN, 3, 0, 100_000, 2, data, 10**9, 2 * 10**9, 10**9, 10, "0x" + "cd" * 32)
    receipt = ReceiptView(status, 10, "0x" + "cd" * 32, 40_000, 10**9, logs)
    network = NetworkView(head=20, head_timestamp=0, finalized=None, safe=None, next_base_fee=10**9)
    return Evidence(HASH, "alpha", network, view, receipt, tokens=(TokenFacts(TOKEN, "QUIET", 18),))


_PAY = TRANSFER + encode(["address", "uint256"], [OTHER, 5 * 10**18])


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (_token_call(_PAY, ()), {"recipient": OTHER, "amount": "5", "asset": "QUIET", "call": "transfer"}),
        (_token_call(_PAY, (_log(SENDER, OTHER, 5 * 10**18),)), None),  # it moved
        (_token_call(_PAY, (_log(SENDER, OTHER, 4 * 10**18),)), None),  # a tax took part of it: it moved
        (_token_call(_PAY, (_log(SENDER, SENDER, 5 * 10**18),)), {"recipient": OTHER}),  # not to the addressee
        (_token_call(_PAY, (), TxStatus.REVERTED), None),  # a revert says it already
        (_token_call(TRANSFER + encode(["address", "uint256"], [OTHER, 0]), ()), None),  # zero moves nothing anyway
        (_token_call(b"", ()), None),
    ],
)
def test_nothing_transferred(chain: Any, evidence: Evidence, expected: dict[str, Any] | None) -> None:
    """Status 1 with no Transfer log for the addressed token transfer: failed, nothing was sent."""
    f = failed.nothing_transferred(evidence, chain, NOW)
    if expected is None:
        assert f is None
        return
    assert f is not None
    assert f.code is Code.NOTHING_TRANSFERRED
    assert not any(key.endswith("amount") for key in f.details)  # numbers only: guidance shows the amounts
    assert {**f.details, **amounts(f.details)}.items() >= expected.items()
    assert classify(evidence, chain, NOW).verdict is Verdict.FAILED


def test_nothing_transferred_carries_the_false_return(chain: Any) -> None:
    """Where the trace showed the token's call returning false, the finding says so."""
    evidence = dataclasses.replace(_token_call(_PAY, ()), returned_false=True)
    f = failed.nothing_transferred(evidence, chain, NOW)
    assert f is not None
    assert f.details["returned_false"] is True
    assert "returned_false" not in (failed.nothing_transferred(_token_call(_PAY, ()), chain, NOW) or f).details


# --- past the logs read for transfers ---------------------------------------------------------------------------

FILLER = tuple(LogView(TOKEN, (b"\x11" * 32,), b"", i) for i in range(transfers.MAX_LOG_SCAN))


def _late(log: LogView, index: int) -> LogView:
    return dataclasses.replace(log, log_index=index)


def _long_call(late: tuple[LogView, ...], *, looked: bool) -> Evidence:
    """A token call whose receipt holds MAX_LOG_SCAN filler events, then ``late`` and one more filler event;
    ``looked``: the edge's search of the rest ran."""
    ev = _token_call(_PAY, (*FILLER, *late, _late(FILLER[0], transfers.MAX_LOG_SCAN + len(late))))
    assert ev.receipt is not None
    assert transfers.logs_capped(ev.receipt.logs)
    found = transfers.late_transfers(ev.tx, ev.receipt.logs) if looked and ev.tx is not None else None
    return dataclasses.replace(ev, receipt=dataclasses.replace(ev.receipt, late=found))


PAID_LATE = _late(_log(SENDER, OTHER, 5 * 10**18), transfers.MAX_LOG_SCAN)
ELSEWHERE = _late(_log(SENDER, SENDER, 5 * 10**18), transfers.MAX_LOG_SCAN)


@pytest.mark.parametrize(
    ("evidence", "refused"),
    [
        (_long_call((PAID_LATE,), looked=True), False),  # its Transfer is log 2001: found, it moved
        (_long_call((ELSEWHERE, _late(PAID_LATE, 2001)), looked=True), False),
        (_long_call((ELSEWHERE,), looked=True), True),  # the rest was read, and nothing paid the addressee
        (_long_call((), looked=True), True),
        (_long_call((PAID_LATE,), looked=False), False),  # the rest was never read: no confident failure
        (_long_call((), looked=False), False),
    ],
)
def test_past_the_log_cap_a_transfer_is_found_or_not_called_refused(
    chain: Any, evidence: Evidence, refused: bool
) -> None:
    """A Transfer log past the first MAX_LOG_SCAN is looked for; nothing_transferred only when the rest was read."""
    result = classify(evidence, chain, NOW)
    assert (Code.NOTHING_TRANSFERRED in result.codes()) is refused
    assert (result.verdict is Verdict.FAILED) is refused
    assert Code.LOGS_CAPPED in result.codes()


def test_the_late_search_keeps_one_log_a_payment_and_stops_at_it() -> None:
    """Thousands of other transfers to the addressee past the cap: only the one that pays it is kept."""
    other_token = "0x" + "44" * 20
    crowd = tuple(
        _late(dataclasses.replace(_log(SENDER, OTHER, 5 * 10**18), address=other_token), transfers.MAX_LOG_SCAN + i)
        for i in range(5_000)
    )
    paid = _late(PAID_LATE, transfers.MAX_LOG_SCAN + 5_000)
    logs = Logs.of(FILLER + crowd + (paid, _late(PAID_LATE, transfers.MAX_LOG_SCAN + 5_001)))
    view = TxView(HASH, SENDER, TOKEN, 3, 0, 100_000, 2, _PAY, 10**9, 2 * 10**9, 10**9, 10, "0x" + "cd" * 32)
    assert list(transfers.late_transfers(view, logs)) == [paid]


STRANGER = "0x" + "44" * 20
NFT = transfers.SAFE_TRANSFER_FROM + encode(["address", "address", "uint256"], [SENDER, OTHER, 7])  # ERC-721 #7


@pytest.mark.parametrize("paid", [False, True])
def test_the_late_search_decodes_no_log_of_another_payer(
    chain: Any, monkeypatch: pytest.MonkeyPatch, paid: bool
) -> None:
    """20,000 Transfer logs of the token called, to the addressee but from someone else, past the cap: none is
    decoded, none is taken for the payment; the one log that pays it, when there, is found and is the one decoded."""
    hostile = tuple(_late(_log(STRANGER, OTHER, 5 * 10**18), transfers.MAX_LOG_SCAN + i) for i in range(20_000))
    tail = (_late(PAID_LATE, transfers.MAX_LOG_SCAN + 20_000),) if paid else ()
    logs = Logs.of(FILLER + hostile + tail)
    view = TxView(HASH, SENDER, TOKEN, 3, 0, 100_000, 2, _PAY, 10**9, 2 * 10**9, 10**9, 10, "0x" + "cd" * 32)
    transfers.moves(logs)  # the first logs read already, as the gather layer leaves them: only the rest is counted
    decoded: list[int] = []
    read_moves = transfers._read_moves

    def counting(logs: Logs) -> list[transfers.Move]:
        decoded.append(len(logs))
        return read_moves(logs)

    monkeypatch.setattr(transfers, "_read_moves", counting)
    found = transfers.late_transfers(view, logs)
    assert sum(decoded) == (1 if paid else 0)  # only the log that pays it has its addresses checksummed
    monkeypatch.undo()
    assert [lg.log_index for lg in found] == ([transfers.MAX_LOG_SCAN + 20_000] if paid else [])
    ev = _token_call(_PAY, FILLER[:1])
    assert ev.receipt is not None
    ev = dataclasses.replace(ev, receipt=dataclasses.replace(ev.receipt, logs=logs, late=found))
    result = classify(ev, chain, NOW)
    # found: it moved (no false "nothing sent"); not found: the rest was read and nobody paid the addressee
    assert (Code.NOTHING_TRANSFERRED in result.codes()) is not paid


def _row(topic: bytes, parties: tuple[str, str], data: bytes, *, extra: bytes = b"", token: str = TOKEN) -> LogRow:
    frm, to = (bytes(12) + bytes.fromhex(a[2:]) for a in parties)
    pad = bytes(32) if topic != TRANSFER_TOPIC else b""  # ERC-1155: the operator first
    return (token, topic + pad + frm + to + extra, data, 0)


def _ids(*ids: int) -> bytes:
    return encode(["uint256[]", "uint256[]"], [list(ids), [1] * len(ids)])


@pytest.mark.parametrize(
    ("data", "row", "pays"),
    [
        (_PAY, _row(TRANSFER_TOPIC, (SENDER, OTHER), (5).to_bytes(32, "big")), True),
        (_PAY, _row(TRANSFER_TOPIC, (STRANGER, OTHER), (5).to_bytes(32, "big")), False),  # another payer
        (_PAY, _row(TRANSFER_TOPIC, (SENDER, STRANGER), (5).to_bytes(32, "big")), False),  # another recipient
        (_PAY, _row(TRANSFER_TOPIC, (SENDER, OTHER), (5).to_bytes(32, "big"), token=STRANGER), False),
        (_PAY, _row(TRANSFER_TOPIC, (SENDER, OTHER), b""), False),  # not a log _read_moves reads
        (NFT, _row(TRANSFER_TOPIC, (SENDER, OTHER), b"", extra=(7).to_bytes(32, "big")), True),  # ERC-721 #7
        (NFT, _row(TRANSFER_TOPIC, (SENDER, OTHER), b"", extra=(8).to_bytes(32, "big")), False),  # another id
        (NFT, _row(TRANSFER_TOPIC, (STRANGER, OTHER), b"", extra=(7).to_bytes(32, "big")), False),
        (_PAY, _row(transfers.TRANSFER_SINGLE_TOPIC, (SENDER, OTHER), bytes(64)), True),  # ERC-1155, any id
        (_PAY, _row(transfers.TRANSFER_SINGLE_TOPIC, (STRANGER, OTHER), bytes(64)), False),
        (NFT, _row(transfers.TRANSFER_BATCH_TOPIC, (SENDER, OTHER), _ids(3, 7)), True),
        (NFT, _row(transfers.TRANSFER_BATCH_TOPIC, (SENDER, OTHER), _ids(3, 8)), False),
        (NFT, _row(transfers.TRANSFER_BATCH_TOPIC, (STRANGER, OTHER), _ids(7)), False),
    ],
)
def test_a_late_log_is_compared_as_bytes_as_matches_reads_it(data: bytes, row: LogRow, pays: bool) -> None:
    """may_pay, from the log's bytes alone, says what matches says of the decoded log: payer, recipient, token, id."""
    (payment,) = transfers.addressed(TxView(HASH, SENDER, TOKEN, 3, 0, 1, 2, data, 1, 1, 1, 1, "0x" + "cd" * 32))
    assert transfers.may_pay(transfers._sought(payment), row) is pays
    decoded = transfers._read_moves(Logs((row,)))
    assert any(transfers.matches(payment, m) for m in decoded) is pays


@pytest.mark.asyncio
async def test_the_late_search_serves_the_event_loop_between_slices() -> None:
    """In slices: one step a slice of logs past the cap, and the same logs found as in one go."""
    rest = tuple(_late(ELSEWHERE, transfers.MAX_LOG_SCAN + i) for i in range(2_000))
    logs = Logs.of(FILLER + rest + (_late(PAID_LATE, 2 * transfers.MAX_LOG_SCAN),))
    view = TxView(HASH, SENDER, TOKEN, 3, 0, 100_000, 2, _PAY, 10**9, 2 * 10**9, 10**9, 10, "0x" + "cd" * 32)
    ticks = 0
    stop = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    found = await transfers.read_late_in_slices(view, logs, 200)
    during = ticks - before
    stop.set()
    await ticker
    assert list(found) == list(transfers.late_transfers(view, logs))
    assert [lg.log_index for lg in found] == [2 * transfers.MAX_LOG_SCAN]
    assert during >= 2_001 // 200  # the loop ran between every slice of 200 logs


def test_trace_frame_errors_are_cleaned_once_and_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """A trace of many frames that repeat one long hostile error costs one clean of it, and each is shown short."""
    from txdiag import text
    from txdiag.families.evm.probes import failure

    calls: list[str] = []
    real = text.display

    def counted(raw: str, limit: int) -> str:
        calls.append(raw)
        return real(raw, limit)

    monkeypatch.setattr(text, "display", counted)
    error = "execution reverted: " + "1 " * 600
    child = {"to": "0x" + "11" * 20, "type": "CALL", "gasUsed": "0x1", "error": error}
    top = parse_frame({**child, "error": "out of gas", "calls": [child] * 1000})
    assert top is not None
    assert len(top.calls) == 1000
    assert sorted(calls) == sorted(["out of gas", error])
    assert all(c.error is not None and len(c.error) <= failure.FRAME_ERROR_LIMIT for c in top.calls)
    assert top.calls[0].error == real(error, failure.FRAME_ERROR_LIMIT)


def test_a_trace_of_distinct_errors_reads_a_bounded_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """A node writing a new error for every frame gets FRAME_ERRORS_READ read in full; the rest hide every number."""
    from txdiag import text
    from txdiag.families.evm.probes import failure

    calls = [0]
    real = text.display

    def counted(raw: str, limit: int) -> str:
        calls[0] += 1
        return real(raw, limit)

    monkeypatch.setattr(text, "display", counted)
    n = failure.FRAME_ERRORS_READ + 200
    children = [
        {"to": "0x" + "11" * 20, "type": "CALL", "gasUsed": "0x1", "error": f"reverted {k} call +1 800 555 {k:04d}"}
        for k in range(n)
    ]
    top = parse_frame({"to": "0x" + "11" * 20, "type": "CALL", "gasUsed": "0x1", "calls": children})
    assert top is not None
    assert calls[0] == failure.FRAME_ERRORS_READ
    for child in top.calls:
        assert child.error is not None
        assert text.phones_in(child.error) == []
        assert text.PHONE_MASK in child.error
