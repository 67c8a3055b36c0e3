"""A finalized block the node could not give leaves finality unknown: the answer never says final.

On a chain whose finality is the node's finalized block, an error for that
block (throttled, internal, missing data) is the part ``finalized`` unread
(tests/test_unchecked.py: it decides, complete false). Here: what the answer
then says. It does not say final anywhere (not ``tx.finalized``, not a
"confirmed ... final" finding, not a count of blocks still to wait, which is
not known either), and it is not cached. A node that does not know the tag
at all is a chain without one, and the depth decides, as on chains whose
finality is by depth: final, complete and cached as before.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support import builders
from tests.support import cli as support_cli
from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account
from tests.support.live import serving
from tests.support.proxy import Fault, FaultProxy
from txdiag.families.evm.classify import classify
from txdiag.families.evm.classify.confirmed import incomplete, is_final
from txdiag.families.evm.probes.plan import Answer
from txdiag.families.evm.snapshot import FeeAnswer, SnapshotAnswer, parse_snapshot
from txdiag.models import Code, Severity, Verdict
from txdiag.report import Diagnosis
from txdiag.rpc import RpcItemError

NOW = datetime(2026, 1, 1, tzinfo=UTC)
EN_SUMMARY = (
    "It is in a block, but the network's finalized block could not be checked, so txdiag cannot yet say it is final. "
    "Ask again in a minute before you rely on this answer."
)
ZH_PART = "网络的最终确认区块"
BY_TAG = ""  # the chain file's default: the finalized tag decides
BY_DEPTH = 'finality = "confirmations"\n'


def tag_error(code: int, message: str) -> Fault:
    """An error for the finalized block alone; every other call (the latest and safe blocks too) is answered."""
    return Fault(tag_errors={"finalized": (code, message)})


INTERNAL = tag_error(-32603, "internal error")
MISSING = tag_error(-32000, "header not found")
UNSUPPORTED = tag_error(-32000, "'finalized' tag not supported on pre-merge network")


# --- the snapshot: which errors make the part unread ---------------------------------------------------


def snapshot(finalized: Answer[tuple[int, int]]) -> SnapshotAnswer:
    history = ((10, 10), (0.5,), ((1, 1, 1, 1, 1),))
    return SnapshotAnswer(Answer((200, 0)), finalized, Answer((190, 0)), FeeAnswer(history, 200), None)


@pytest.mark.parametrize(
    ("error", "unread"),
    [
        # missing data: a lagging or pruned node could not give the block; another node may
        (RpcItemError(-32000, "header not found"), True),
        (RpcItemError(-32000, "unknown block"), True),
        (RpcItemError(-32000, "missing trie node 4f2a"), True),
        (RpcItemError(429, "too many requests"), True),
        # a node without the tag: the chain has no finalized block to read
        (RpcItemError(-32000, "'finalized' tag not supported on pre-merge network"), False),
        (RpcItemError(-32601, "Method not found"), False),
    ],
)
def test_missing_data_for_the_finalized_block_is_a_part_unread_and_no_such_tag_is_not(
    error: RpcItemError, unread: bool
) -> None:
    """Missing data marks the finalized block unavailable; a node saying it does not know the tag does not."""
    network = parse_snapshot(snapshot(Answer(None, error=error)))
    assert network.finalized is None
    assert ("finalized" in network.unavailable) is unread


def test_a_null_finalized_block_is_a_chain_without_the_tag() -> None:
    """A null answer is the node's word that it has no finalized block: nothing unread."""
    network = parse_snapshot(snapshot(Answer(None)))
    assert network.finalized is None
    assert network.unavailable == frozenset()


# --- the rules and the words ----------------------------------------------------------------------------


def deep_payment(finality: str) -> tuple[Any, Any]:
    """A successful payment 100 blocks deep (far past 12 confirmations) whose chain's finalized block went unread."""
    spec = builders.chain_spec(confirmations=12, finality=finality)
    ev = builders.evidence(
        builders.tx_view(block=100),
        receipt=builders.receipt_view(block=100),
        network=builders.network_view(head=200, unavailable=frozenset({"finalized"})),
        unchecked=frozenset({"finalized"}),
    )
    return ev, spec


def test_where_the_tag_decides_an_unread_tag_is_never_final_by_depth() -> None:
    """Finality by tag, tag unread: not final, not awaiting a guessed number of blocks, incomplete, in words."""
    ev, spec = deep_payment("finalized")
    result = classify(ev, spec, NOW)
    codes = {f.code for f in result.findings}
    assert Code.CONFIRMED not in codes
    assert Code.AWAITING_CONFIRMATIONS not in codes
    (finding,) = [f for f in result.findings if f.code is Code.UNCHECKED]
    assert finding.severity is Severity.WARNING
    assert finding.details["deciding"] == ["finalized"]
    assert incomplete(ev, spec) == ("finalized",)
    assert not is_final(ev, spec)
    en = Diagnosis.build(ev, result, spec, "en", NOW).to_json()
    assert en["complete"] is False
    assert en["incomplete_parts"] == ["finalized"]
    assert en["tx"]["finalized"] is False
    assert en["summary"] == EN_SUMMARY
    assert "is final" not in " ".join(f["message"] for f in en["findings"])
    zh = Diagnosis.build(ev, result, spec, "zh-CN", NOW).to_json()
    assert ZH_PART in zh["summary"]
    assert "是否已最终确认" in zh["summary"]


def test_where_the_depth_decides_an_unread_tag_only_informs() -> None:
    """Finality by depth (rollups): the tag is not used, so its absence is said but decides nothing, as before."""
    ev, spec = deep_payment("confirmations")
    result = classify(ev, spec, NOW)
    assert result.verdict is Verdict.CONFIRMED
    assert Code.CONFIRMED in {f.code for f in result.findings}
    (finding,) = [f for f in result.findings if f.code is Code.UNCHECKED]
    assert finding.severity is Severity.INFO
    assert incomplete(ev, spec) == ()
    assert is_final(ev, spec)
    doc = Diagnosis.build(ev, result, spec, "en", NOW).to_json()
    assert doc["complete"] is True
    assert doc["tx"]["finalized"] is True


# --- end to end: a real node behind the fault proxy ---------------------------------------------------------


@pytest.fixture
def deep_payment_hash(chain_a: Chain, node_a: Anvil) -> str:
    """A payment 20 blocks deep: final by 12 confirmations, not yet by anvil's finalized tag (64 blocks behind)."""
    tx = chain_a.send(account(6), account(8).address, value=5555, gas=21_000)
    node_a.mine(19)
    return tx


def directory(tmp_path: Path, url: str, finality: str) -> Path:
    d = tmp_path / "chains"
    write_chain_file(d, "alpha", 31337, [url], confirmations=12, extra=finality)
    return d


def cli(tx_hash: str, chains: Path, *extra: str) -> dict[str, Any]:
    env = {"TXDIAG_DEADLINE": "5", "TXDIAG_RPC_TIMEOUT": "1", "TXDIAG_SIGHTINGS": "memory"}
    result = support_cli.run(tx_hash, chains, *extra, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.mark.parametrize(
    ("lang", "fault"), [("en", INTERNAL), ("zh-CN", INTERNAL), ("en", MISSING)], ids=["en", "zh-CN", "missing"]
)
def test_an_error_for_the_finalized_block_is_not_final_from_the_cli(
    lang: str, fault: Fault, deep_payment_hash: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: the node errs on "finalized" alone: exit 0, not final anywhere, complete false naming it, in words."""
    proxy = proxies[0]
    proxy.set(fault)
    doc = cli(deep_payment_hash, directory(tmp_path, proxy.url, BY_TAG), "--lang", lang)
    assert proxy.injected["item_error"] >= 1
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["finalized"]
    assert doc["tx"]["finalized"] is False
    assert doc["tx"]["confirmations"] >= 12  # deep enough that the depth alone would have called it final
    assert doc["network"]["unavailable"] == ["finalized"]
    assert "confirmed" not in [f["code"] for f in doc["findings"]]
    assert doc["summary"] == EN_SUMMARY if lang == "en" else ZH_PART in doc["summary"]


@pytest.mark.asyncio
async def test_an_error_for_the_finalized_block_is_not_cached_over_http(
    deep_payment_hash: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """HTTP and the page: incomplete, never "final", and not cached: the next request asks the node again."""
    proxy = proxies[0]
    proxy.set(INTERNAL)
    async with serving(directory(tmp_path, proxy.url, BY_TAG)) as live:
        resp = await live.session.get(f"/v1/tx/{deep_payment_hash}")
        doc = await resp.json()
        again = await live.session.get(f"/v1/tx/{deep_payment_hash}")
        assert again.status == 200
        page = await (await live.session.get(f"/tx/{deep_payment_hash}")).text()
    assert resp.status == 200
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["finalized"]
    assert doc["tx"]["finalized"] is False
    assert doc["summary"] == EN_SUMMARY
    assert "cannot yet say it is final" in page
    assert "and is final" not in page
    assert proxy.methods["eth_getTransactionByHash"] == 3  # each request asked again: nothing was cached


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "finality"),
    [
        (UNSUPPORTED, BY_TAG),  # the node has no finalized tag: the depth decides
        (INTERNAL, BY_DEPTH),  # a chain final by depth: the tag is not used
    ],
)
async def test_where_the_depth_decides_the_answer_is_final_and_cached_as_before(
    fault: Fault, finality: str, deep_payment_hash: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """The controls: no such tag, or finality by depth: final by 12 confirmations, complete, and cached."""
    proxy = proxies[0]
    proxy.set(fault)
    async with serving(directory(tmp_path, proxy.url, finality)) as live:
        doc = await (await live.session.get(f"/v1/tx/{deep_payment_hash}")).json()
        again = await (await live.session.get(f"/v1/tx/{deep_payment_hash}")).json()
    assert proxy.injected["item_error"] >= 1
    assert doc["verdict"] == "confirmed"
    assert doc["complete"] is True
    assert doc["tx"]["finalized"] is True
    assert "confirmed" in [f["code"] for f in doc["findings"]]
    assert again["verdict"] == "confirmed"
    assert proxy.methods["eth_getTransactionByHash"] == 1  # final: the second answer came from the cache
