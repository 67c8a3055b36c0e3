"""A check that could not be made is named, in words and in the JSON: a missing check never reads as an all-clear.

Where a node's receipts carry no ``blockTimestamp`` (Arbitrum's), round 2 asks
for the transaction's block header, and the head that the confirmations and
finality are counted from is checked against that block's time. When that
header cannot be had (round 2 fails, or the node cannot answer for the
header), the part ``confirmations`` is unchecked, and it decides the verdict.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from eth_account import Account
from prometheus_client import CollectorRegistry

from tests.support import builders
from tests.support import cli as support_cli
from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account, calldata
from tests.support.proxy import Fault, FaultProxy, Question
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.families.evm.classify import classify
from txdiag.families.evm.classify.confirmed import incomplete
from txdiag.families.evm.gather import find, investigate
from txdiag.families.evm.probes.plan import Plan
from txdiag.families.evm.snapshot import ask_snapshot, parse_snapshot
from txdiag.http import create_app
from txdiag.metrics import Metrics
from txdiag.models import Code, Evidence, NetworkView, Severity, Verdict
from txdiag.report import Diagnosis
from txdiag.rpc import Reply, RpcItemError
from txdiag.rpc.codec import NO_ANSWER
from txdiag.settings import Settings

SETTINGS = Settings(deadline=5.0, attempt_timeout=1.0, result_cache_size=0)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
EN_PART = "the confirmation count and finality against the time of the transaction's block"
ZH_PART = "确认数和最终确认状态（与交易所在区块的时间核对）"
EN_FINAL_SUMMARY = (
    f"It is in a block, but {EN_PART} could not be checked, so txdiag cannot yet say it is final. "
    "Ask again in a minute before you rely on this answer."
)
NO_TIMESTAMP = Fault(no_block_timestamp=True)
HEADER_ERROR = Fault(no_block_timestamp=True, item_errors={"eth_getBlockByHash": (-32603, "internal error")})
REFUSED = Fault(status=403)  # an endpoint that will not serve us: no retry there, and no other endpoint


def round_two_refused(q: Question) -> Fault | None:
    """Round 2 (the only batch that asks for the block header) is refused; everything else passes."""
    return REFUSED if "eth_getBlockByHash" in q.methods else None


def directory(tmp_path: Path, *urls: str) -> Path:
    d = tmp_path / "chains"
    write_chain_file(d, "alpha", 31337, list(urls))
    return d


@pytest.fixture
def final_payment(chain_a: Chain, node_a: Anvil) -> str:
    """A payment final by any rule (anvil's finalized tag trails by 64 blocks)."""
    tx = chain_a.send(account(6), account(7).address, value=4321, gas=21_000)
    node_a.mine(70)
    return tx


# --- the rule and the words -------------------------------------------------------------------


def final_evidence(unchecked: frozenset[str]) -> Evidence:
    return builders.evidence(
        builders.tx_view(block=100),
        receipt=builders.receipt_view(block=100),
        network=builders.network_view(head=200, finalized=150),
        unchecked=unchecked,
    )


def test_an_unchecked_head_decides_the_verdict_and_is_said_in_words() -> None:
    """A final payment whose head went unchecked against its block: never a bare "confirmed", in both languages."""
    spec = builders.chain_spec(confirmations=12)
    ev = final_evidence(frozenset({"confirmations"}))
    result = classify(ev, spec, NOW)
    assert result.verdict is Verdict.CONFIRMED
    (finding,) = [f for f in result.findings if f.code is Code.UNCHECKED]
    assert finding.severity is Severity.WARNING
    assert finding.details["deciding"] == ["confirmations"]
    assert incomplete(ev, spec) == ("confirmations",)
    en = Diagnosis.build(ev, result, spec, "en", NOW).to_json()
    assert en["complete"] is False
    assert en["incomplete_parts"] == ["confirmations"]
    assert en["summary"] == EN_FINAL_SUMMARY
    (message,) = [f["message"] for f in en["findings"] if f["code"] == "unchecked"]
    assert message == f"Could not check: {EN_PART}. Nothing was assumed about them."
    zh = Diagnosis.build(ev, result, spec, "zh-CN", NOW).to_json()
    assert ZH_PART in zh["summary"]
    assert "是否已最终确认" in zh["summary"]


def test_with_where_it_went_also_unchecked_the_summary_says_both() -> None:
    """The head and the recipient's code both unchecked: the general incomplete summary, naming both."""
    spec = builders.chain_spec(confirmations=12)
    ev = final_evidence(frozenset({"confirmations", "recipient_code"}))
    doc = Diagnosis.build(ev, classify(ev, spec, NOW), spec, "en", NOW).to_json()
    assert doc["incomplete_parts"] == ["confirmations", "recipient_code"]
    assert doc["summary"].startswith("It is in a block, but ")
    assert EN_PART in doc["summary"]
    assert "whether the recipient is a contract" in doc["summary"]
    assert "went where it should" in doc["summary"]


def test_an_unchecked_head_is_noted_on_a_verdict_that_is_not_an_all_clear() -> None:
    """Not yet final and the head unchecked: the summary keeps its cause and says what could not be checked."""
    spec = builders.chain_spec(confirmations=12)
    ev = builders.evidence(
        builders.tx_view(block=100),
        receipt=builders.receipt_view(block=100),
        network=builders.network_view(head=103),
        unchecked=frozenset({"confirmations"}),
    )
    doc = Diagnosis.build(ev, classify(ev, spec, NOW), spec, "en", NOW).to_json()
    assert doc["verdict"] == "delayed"
    assert doc["complete"] is False
    note = f"Not everything could be checked ({EN_PART}): ask again in a minute for a complete answer."
    assert doc["summary"].endswith(note)


# --- gather, against a real node -----------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("round_two", "unchecked"),
    [
        ("refused", True),  # the whole of round 2 fails: no header
        ("header_error", True),  # round 2 answers, but not for the header
        ("answered", False),  # the header came: the head was checked against it
    ],
)
async def test_without_the_block_header_the_head_is_named_unchecked(
    round_two: str, unchecked: bool, final_payment: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """Receipts without blockTimestamp: round 1 found the payment; round 2's header missing names "confirmations"."""
    proxy = proxies[0]
    proxy.set(NO_TIMESTAMP)
    async with build_service(SETTINGS, load_chains(directory(tmp_path, proxy.url))) as service:
        ctx = service.contexts["alpha"]
        spec = ctx.chain
        found = await find(ctx, final_payment)
        assert found.receipt is not None
        assert found.anchor is None  # round 1 had no block time to check the head by
        proxy.set({"refused": REFUSED, "header_error": HEADER_ERROR, "answered": NO_TIMESTAMP}[round_two])
        ev = await investigate(found)
    assert proxy.methods["eth_getBlockByHash"] >= 1
    assert ("confirmations" in ev.unchecked) is unchecked
    assert ("confirmations" in incomplete(ev, spec)) is unchecked
    if round_two == "header_error":
        assert incomplete(ev, spec) == ("confirmations",)  # everything else round 2 asked was answered


# --- end to end: the CLI and the HTTP service ---------------------------------------------------------


def cli(tx_hash: str, chains: Path, *extra: str) -> dict[str, object]:
    env = {"TXDIAG_DEADLINE": "5", "TXDIAG_RPC_TIMEOUT": "1", "TXDIAG_SIGHTINGS": "memory"}
    result = support_cli.run(tx_hash, chains, *extra, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_round_two_failing_without_block_time_is_said_from_the_cli(
    lang: str, final_payment: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: receipts without blockTimestamp and round 2 refused: incomplete, and the head is one of the parts named."""
    proxy = proxies[0]
    proxy.set(NO_TIMESTAMP)
    proxy.schedule = round_two_refused
    doc = cli(final_payment, directory(tmp_path, proxy.url), "--lang", lang)
    assert proxy.injected["status"] >= 1  # round 2 was asked, with the header in it, and refused
    assert doc["verdict"] == "confirmed"
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["confirmations", "recipient"]  # a payment's round 2: the recipients, the header
    findings = doc["findings"]
    assert isinstance(findings, list)
    (finding,) = [f for f in findings if f["code"] == "unchecked"]
    assert "confirmations" in finding["details"]["deciding"]
    words = EN_PART if lang == "en" else ZH_PART
    assert words in finding["message"]
    assert words in str(doc["summary"])


@pytest.mark.asyncio
async def test_a_header_the_node_cannot_give_is_an_incomplete_answer_over_http(
    final_payment: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """HTTP: no blockTimestamp, an error for the header alone: 200, complete false naming only the head, not cached."""
    proxy = proxies[0]
    proxy.set(HEADER_ERROR)
    settings = Settings(deadline=5.0, attempt_timeout=1.0)
    metrics = Metrics(CollectorRegistry())
    service = build_service(settings, load_chains(directory(tmp_path, proxy.url)), metrics)
    async with TestClient(TestServer(create_app(service, settings, metrics))) as client:
        resp = await client.get(f"/v1/tx/{final_payment}")
        doc = await resp.json()
        again = await client.get(f"/v1/tx/{final_payment}")
        assert again.status == 200
    assert resp.status == 200
    assert doc["verdict"] == "confirmed"
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["confirmations"]
    assert doc["summary"] == EN_FINAL_SUMMARY
    assert proxy.methods["eth_getTransactionByHash"] == 2  # nothing incomplete was cached: the second asked again


@pytest.mark.asyncio
async def test_with_the_header_answered_the_answer_is_complete(
    final_payment: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """The control: no blockTimestamp, the header answered: the head was checked, the answer complete."""
    proxy = proxies[0]
    proxy.set(NO_TIMESTAMP)
    async with build_service(SETTINGS, load_chains(directory(tmp_path, proxy.url))) as service:
        d = await service.diagnose(final_payment)
    doc = d.to_json()
    assert proxy.methods["eth_getBlockByHash"] >= 1
    assert doc["verdict"] == "confirmed"
    assert doc["complete"] is True, doc["incomplete_parts"]


# --- the network's finalized block: a node that could not answer for it is not a node without one --------------


def snapshot_with_finalized(reply: Reply) -> NetworkView:
    """A snapshot whose finalized-block item got ``reply``; the rest answered."""
    plan = Plan()
    read = ask_snapshot(builders.chain_spec(), plan)
    head = {"number": hex(1000), "timestamp": hex(1_800_000_000)}
    fees = {"oldestBlock": hex(996), "gasUsedRatio": [0.5] * 5, "baseFeePerGas": ["0x1"] * 6}
    plan.settle([Reply(head), reply, Reply(None), Reply(fees), Reply({"pending": "0x0", "queued": "0x0"})])
    return parse_snapshot(read())


@pytest.mark.parametrize(
    ("reply", "named"),
    [
        (Reply(None, RpcItemError(-32603, "internal error")), True),
        (Reply(None, RpcItemError(-32005, "rate limit exceeded")), True),
        (Reply(None, RpcItemError(NO_ANSWER, "no answer")), True),  # the answer left the item out
        (Reply(None, RpcItemError(-32000, "finalized block not found")), False),  # geth without a finality tag
        (Reply(None, RpcItemError(-32602, "invalid block tag")), False),  # a node that does not know the tag
        (Reply(None), False),  # null: no finalized block (yet)
    ],
)
def test_a_finalized_block_the_node_could_not_give_is_named(reply: Reply, named: bool) -> None:
    """The finalized block unread because the node failed is "finalized" unavailable; a node without one is not."""
    network = snapshot_with_finalized(reply)
    assert network.finalized is None
    assert ("finalized" in network.unavailable) is named


def test_an_unread_finalized_block_decides_a_mined_transactions_finality() -> None:
    """Finality by depth where the finalized block was not read: incomplete on a chain that goes by that block."""
    mined = final_evidence(frozenset({"finalized"}))
    spec = builders.chain_spec(confirmations=12)
    assert incomplete(mined, spec) == ("finalized",)
    assert incomplete(mined, dataclasses.replace(spec, finality="confirmations")) == ()  # a rollup: depth is its rule
    pending = builders.evidence(builders.tx_view(block=None), unchecked=frozenset({"finalized"}))
    assert incomplete(pending, spec) == ()
    doc = Diagnosis.build(mined, classify(mined, spec, NOW), spec, "en", NOW).to_json()
    assert doc["summary"] == (
        "It is in a block, but the network's finalized block could not be checked, so txdiag cannot yet say it is "
        "final. Ask again in a minute before you rely on this answer."
    )


@pytest.fixture
def eight_deep(chain_a: Chain, node_a: Anvil) -> str:
    """A payment 8 blocks deep: past the chain file's 3 confirmations, not yet final (anvil finalizes 64 behind)."""
    tx = chain_a.send(account(6), account(7).address, value=5432, gas=21_000)
    node_a.mine(8)
    return tx


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_finalized_block_the_node_could_not_give_is_never_a_final_all_clear_from_the_cli(
    lang: str, eight_deep: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: the finalized block fails with an internal error: no bare "confirmed" by depth; it is named, in words."""
    proxy = proxies[0]
    honest = cli(eight_deep, directory(tmp_path / "honest", proxy.url))
    assert honest["verdict"] == "delayed"  # not final: anvil's finalized block is 64 behind
    proxy.set(Fault(tag_errors={"finalized": (-32603, "internal error")}))
    doc = cli(eight_deep, directory(tmp_path, proxy.url), "--lang", lang)
    assert proxy.injected["item_error"] >= 1
    assert doc["complete"] is False
    assert doc["verdict"] == "confirmed"  # by depth, which is all that could be said
    assert doc["incomplete_parts"] == ["finalized"]
    assert "finalized" in doc["network"]["unavailable"]  # type: ignore[index]
    words = "the network's finalized block" if lang == "en" else "网络的最终确认区块"
    assert words in str(doc["summary"])


# --- what a contract recipient is: the node's failure is not the contract's answer ----------------------------


@pytest.fixture
def tokens_to_another_token(chain_a: Chain, node_a: Anvil) -> str:
    """Tokens of one contract sent by hand to another token's contract, final: misdirected when the checks run."""
    owner = Account.create()
    chain_a.send(account(8), owner.address, value=10**18, gas=21_000)
    paid_in = chain_a.deploy("Stardust", owner)
    other = chain_a.deploy("Stardust", owner)
    chain_a.send(owner, paid_in, data=calldata("Stardust", "mint", owner.address, 100 * 10**18), gas=200_000)
    tx = chain_a.send(owner, paid_in, data=calldata("Stardust", "transfer", other, 5 * 10**18), gas=200_000)
    node_a.mine(70)
    return tx


@pytest.mark.asyncio
async def test_a_contract_recipient_the_node_could_not_ask_about_is_named(
    tokens_to_another_token: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """eth_call failing with internal errors for the recipient's decimals()/symbol()/owner(): not "not a token"."""
    proxy = proxies[0]
    async with build_service(SETTINGS, load_chains(directory(tmp_path, proxy.url))) as service:
        clean = (await service.diagnose(tokens_to_another_token)).to_json()  # the token's own details now cached
        proxy.set(Fault(item_errors={"eth_call": (-32603, "internal error")}))
        d = await service.diagnose(tokens_to_another_token)
    assert clean["verdict"] == "misdirected"
    assert "token_contract_recipient" in [f["code"] for f in clean["findings"]]
    assert clean["complete"] is True
    doc = d.to_json()
    assert proxy.injected["item_error"] >= 1
    assert "token_contract_recipient" not in [f["code"] for f in doc["findings"]]  # it could not be known
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["recipient"]
    assert "the recipient's details and history could not be checked" in doc["summary"]
