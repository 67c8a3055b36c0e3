"""Pure rules for where a transaction is and how final, table-driven from small evidence values."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from tests.support import builders
from txdiag.families.evm.classify import classify
from txdiag.families.evm.classify.confirmed import incomplete
from txdiag.models import (
    Asked,
    Classification,
    Code,
    Evidence,
    Finding,
    NetworkView,
    ReceiptView,
    Severity,
    TxStatus,
    TxView,
    Verdict,
)
from txdiag.report import Diagnosis

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CHAIN = builders.chain_spec(confirmations=12)
SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def tx(block: int | None = 100) -> TxView:
    return builders.tx_view(sender=SENDER, to=TO, block=block)


def receipt(block: int = 100, status: TxStatus = TxStatus.SUCCESS) -> ReceiptView:
    return builders.receipt_view(status=status, block=block)


def network(head: int, finalized: int | None = None) -> NetworkView:
    return builders.network_view(head=head, finalized=finalized)


def ev(
    head: int, finalized: int | None = None, *, status: TxStatus | None = TxStatus.SUCCESS, asked: str | None = None
) -> Evidence:
    mined = status is not None
    return builders.evidence(
        tx(100 if mined else None),
        network=network(head, finalized),
        receipt=receipt(status=status) if status is not None else None,
        asked_chain=asked,
    )


@pytest.mark.parametrize(
    ("evidence", "verdict", "codes"),
    [
        (ev(head=111), Verdict.CONFIRMED, ["confirmed"]),  # 12 confirmations, no finalized tag
        (ev(head=110), Verdict.DELAYED, ["awaiting_confirmations"]),  # 11 of 12
        (ev(head=100), Verdict.DELAYED, ["awaiting_confirmations"]),  # just mined
        (ev(head=105, finalized=100), Verdict.CONFIRMED, ["confirmed"]),  # finalized tag wins over depth
        (ev(head=300, finalized=99), Verdict.DELAYED, ["awaiting_confirmations"]),  # deep but not yet finalized
        (ev(head=111, status=TxStatus.REVERTED), Verdict.FAILED, ["reverted"]),
        (ev(head=111, status=None), Verdict.DELAYED, ["pending"]),
        (ev(head=111, asked="beta"), Verdict.CONFIRMED, ["confirmed", "found_on_other_chain"]),
    ],
)
def test_verdict_table(evidence: Evidence, verdict: Verdict, codes: list[str]) -> None:
    """Each evidence shape gets its verdict and exactly its findings."""
    result = classify(evidence, CHAIN, NOW)
    assert result.verdict is verdict
    assert sorted(result.codes()) == sorted(codes)


def test_awaiting_confirmations_numbers() -> None:
    """Confirmations count the transaction's own block; remaining blocks and ETA follow from the chain spec."""
    result = classify(ev(head=104), CHAIN, NOW)
    (finding,) = result.findings
    assert finding.details["confirmations"] == 5
    assert finding.details["required"] == 12
    assert finding.details["remaining_blocks"] == 7
    assert finding.details["eta_seconds"] == 84


def test_finalized_tag_eta() -> None:
    """With a finalized tag, the remaining blocks are the distance from the finalized block."""
    result = classify(ev(head=150, finalized=90), CHAIN, NOW)
    (finding,) = result.findings
    assert finding.details["finality_source"] == "finalized_tag"
    assert finding.details["remaining_blocks"] == 10


def test_not_found_names_chains_and_endpoints() -> None:
    """Not found lists every chain and endpoint asked and how many agreed."""
    evidence = Evidence(
        hash="0x" + "11" * 32,
        chain="alpha",
        network=None,
        tx=None,
        asked=(Asked("alpha", ("http://a", "http://b"), agreed=2), Asked("beta", ("http://c",))),
    )
    result = classify(evidence, CHAIN, NOW)
    assert result.verdict is Verdict.NOT_FOUND
    details = result.findings[0].details
    assert details["chains"] == ["alpha", "beta"]
    assert details["endpoints_asked"] == 3


@pytest.mark.parametrize(
    ("codes", "verdict"),
    [
        ([Code.CONFIRMED], Verdict.CONFIRMED),
        ([Code.CONFIRMED, Code.FRESH_RECIPIENT, Code.CONTRACT_RECIPIENT], Verdict.CONFIRMED),
        ([Code.PENDING, Code.LOOKALIKE_RECIPIENT], Verdict.MISDIRECTED),
        ([Code.REVERTED, Code.UNEXPECTED_RECIPIENT, Code.PENDING], Verdict.FAILED),
        ([Code.AWAITING_CONFIRMATIONS, Code.UNCHECKED], Verdict.DELAYED),
        ([Code.NOT_FOUND], Verdict.NOT_FOUND),
        # a soft finding beside a not-found (a part that could not be checked, a scam sign) never makes it found
        ([Code.NOT_FOUND, Code.UNCHECKED], Verdict.NOT_FOUND),
        ([Code.UNCHECKED, Code.NOT_FOUND], Verdict.NOT_FOUND),
        ([Code.UNCHECKED], Verdict.CONFIRMED),
        ([Code.DROPPED], Verdict.FAILED),
    ],
)
def test_verdict_is_most_serious_escalating_finding(codes: list[Code], verdict: Verdict) -> None:
    """failed > misdirected > delayed > confirmed; soft findings never escalate; findings are ordered by seriousness."""
    result = Classification.from_findings([Finding(c, Severity.INFO) for c in codes])
    assert result.verdict is verdict
    assert result.findings[0].code.verdict is verdict or not result.findings[0].code.escalates


def test_not_found_with_unreachable_chain_says_so() -> None:
    """A chain that could not be asked is named, with advice to ask again before paying twice; never 'no funds left'."""
    from txdiag.guidance.render import render

    evidence = Evidence(
        hash="0x" + "11" * 32,
        chain="alpha",
        network=None,
        tx=None,
        asked=(Asked("alpha", ("http://a",)),),
        unchecked=frozenset({"chain:beta"}),
    )
    result = classify(evidence, CHAIN, NOW)
    assert result.findings[0].details["unreachable"] == ["beta"]
    steps = render(result, evidence, CHAIN, "en").next_steps
    assert "could not reach beta" in steps[0]
    assert not any("no funds left" in s for s in steps)
    clean = classify(dataclasses.replace(evidence, unchecked=frozenset()), CHAIN, NOW)
    assert not any("could not reach" in s for s in render(clean, evidence, CHAIN, "en").next_steps)


def test_rollup_finality_by_depth() -> None:
    """A chain set to finality by confirmations ignores the node's finalized tag (a rollup's waits for L1)."""
    rollup = dataclasses.replace(CHAIN, finality="confirmations")
    deep = ev(head=111, finalized=50)  # 12 confirmations, far above the finalized block
    assert classify(deep, rollup, NOW).verdict is Verdict.CONFIRMED
    assert classify(deep, CHAIN, NOW).verdict is Verdict.DELAYED


def test_not_found_unconfirmed_by_a_second_endpoint_says_so() -> None:
    """When a chain's second endpoint could not confirm "absent", the answer says so and advises asking again."""
    from txdiag.guidance.render import render

    evidence = Evidence(
        hash="0x" + "11" * 32,
        chain="alpha",
        network=None,
        tx=None,
        asked=(Asked("alpha", ("http://a",), agreed=1, configured=2), Asked("beta", ("http://c", "http://d"), 2, 2)),
    )
    result = classify(evidence, CHAIN, NOW)
    assert result.findings[0].details["unconfirmed"] == ["alpha"]
    assert any("On alpha, only one endpoint" in s for s in render(result, evidence, CHAIN, "en").next_steps)
    single = Evidence(
        hash="0x" + "11" * 32, chain="alpha", network=None, tx=None, asked=(Asked("alpha", ("http://a",)),)
    )
    assert classify(single, CHAIN, NOW).findings[0].details["unconfirmed"] is None  # one endpoint: nothing to confirm


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_receipt_that_cannot_say_how_it_ended_is_never_an_all_clear(lang: str) -> None:
    """Status unknown (a state root, all gas used): neither confirmed nor failed; the outcome named, undecided."""
    unknown = dataclasses.replace(
        ev(head=300, finalized=200, status=TxStatus.UNKNOWN), unchecked=frozenset({"outcome"})
    )
    result = classify(unknown, CHAIN, NOW)
    assert sorted(result.codes()) == ["unchecked"]
    (finding,) = result.findings
    assert (finding.severity, finding.details["deciding"]) == (Severity.WARNING, ["outcome"])
    assert incomplete(unknown, CHAIN) == ("outcome",)
    doc = Diagnosis.build(unknown, result, CHAIN, lang, NOW).to_json()
    assert (doc["complete"], doc["incomplete_parts"], doc["tx"]["status"]) == (False, ["outcome"], "unknown")
    words = {"en": "whether the transaction succeeded", "zh-CN": "交易是否成功"}[lang]
    assert words in doc["summary"]
