"""A transaction txdiag saw pending, whose chain cannot now say what became of it, is never "dropped".

txdiag looks back at a hash it once saw pending (its sighting) only when the
chain it was seen on answered "no such transaction". When that chain could
not be asked at all, the answer is "not found" with the chain named
unreachable (``chain:NAME``). When it was asked but the look-back itself
fails, cannot read the sender's nonce, or finds this very transaction at its
nonce (so the chain has it after all, maybe mined), the part is
``look_back:NAME`` and the chain is not called unreachable. Either way the
answer is incomplete, not cached, says when and where txdiag saw it pending
and that it may have been mined, and never says that no funds left the
wallet, that the payment should be sent again, or that it was probably never
broadcast. A "not found" with any chain that could not be asked is incomplete too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import builders
from tests.support import cli as support_cli
from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import GWEI, Chain, account
from tests.support.live import serving
from tests.support.proxy import Fault, FaultProxy, Question
from txdiag.families.evm.classify import classify
from txdiag.families.evm.classify.confirmed import incomplete
from txdiag.models import Asked, Code, Evidence, Replacement, TxStatus, Vanished, Verdict
from txdiag.report import Diagnosis

NOW = datetime(2026, 1, 1, tzinfo=UTC)
HASH = "0x" + "ab" * 32
SENDER = "0x" + "11" * 20
REFUSED = Fault(status=403)  # an endpoint that will not serve us: no retry there, and no other endpoint
NO_FUNDS = ("no funds left", "nothing left your wallet", "没有资金")
RESEND = ("send it again with the same nonce", "use up nonce", "使用相同的 nonce")
EN_NOTE = "Not everything could be checked (the network alpha): ask again in a minute for a complete answer."
ZH_PART = "alpha 网络"
EN_LOOK_BACK_NOTE = (
    "Not everything could be checked (what became of the transaction txdiag saw pending on alpha): ask again in a "
    "minute for a complete answer."
)
ZH_LOOK_BACK_PART = "txdiag 在 alpha 上看到的那笔待处理交易后来的情况"
NEVER_BROADCAST = ("never broadcast", "从未广播", "may not have reached the network", "还没有传到网络")
UNREACHABLE = ("could not reach", "无法连接")
EN_SEEN = (
    "txdiag saw this transaction pending on alpha at {at}. What became of it could not be read just now: it may have "
    "been mined. Check again in a minute, or look at the sender's history ({sender}) on the alpha explorer, before "
    "you send it again."
)
ZH_SEEN = (
    "txdiag 曾于 {at} 在 alpha 上看到这笔交易处于待处理状态。暂时无法读取它后来的情况：它可能已被打包进区块。"
    "重新发送之前，请一分钟后再查询，或在 alpha 的区块浏览器上查看发送方（{sender}）的交易记录。"
)


def said(doc: dict[str, Any]) -> str:
    return " ".join([doc["summary"], *doc["next_steps"], *(f["message"] for f in doc["findings"])]).lower()


def assert_could_not_be_checked(doc: dict[str, Any], *, reached: bool) -> None:
    """Not found, incomplete with the part named, no verdict of what became of it, no word about the funds.

    ``reached``: the chain it was seen on was asked (``look_back:alpha``, alpha not unreachable); else it could
    not be asked (``chain:alpha``, alpha unreachable). Either way the sighting is said, never "never broadcast".
    """
    assert doc["verdict"] == "not_found", doc["summary"]
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == (["look_back:alpha"] if reached else ["chain:alpha"])
    codes = [f["code"] for f in doc["findings"]]
    assert "dropped" not in codes
    assert "replaced" not in codes
    (nf,) = [f for f in doc["findings"] if f["code"] == "not_found"]
    assert nf["details"]["unreachable"] == (None if reached else ["alpha"])
    assert nf["details"]["seen_on"] == "alpha"
    text = said(doc)
    for words in (*NO_FUNDS, *RESEND, *NEVER_BROADCAST):
        assert words not in text, words
    assert any(w in text for w in UNREACHABLE) is not reached, text
    seen = EN_SEEN if doc["lang"] == "en" else ZH_SEEN
    at = nf["details"]["last_seen"][:10] + " " + nf["details"]["last_seen"][11:16] + " UTC"
    assert seen.format(at=at, sender=nf["details"]["sender"]) in doc["next_steps"]


# --- the rules and the words -------------------------------------------------------------------------------


def seen(latest: int | None, replacement: Replacement | None = None) -> Vanished:
    return Vanished(SENDER, 3, SENDER, 10**17, 3 * GWEI, GWEI, NOW - timedelta(minutes=5), NOW, latest, replacement)


def test_a_vanished_transaction_whose_nonce_was_not_read_is_not_dropped() -> None:
    """The sender's nonce unread and nothing waiting at it: dropped or replaced cannot be told, so neither is said."""
    spec = builders.chain_spec()
    ev = Evidence(HASH, "alpha", None, None, vanished=seen(None))
    result = classify(ev, spec, NOW)
    assert result.verdict is Verdict.NOT_FOUND
    assert incomplete(ev, spec) == ("look_back:alpha",)  # an unexplained sighting is never a complete answer
    assert Code.DROPPED not in {f.code for f in result.findings}
    for lang in ("en", "zh-CN"):
        text = said(Diagnosis.build(ev, result, spec, lang, NOW).to_json())
        for words in (*NO_FUNDS, *RESEND):
            assert words not in text


def test_a_waiting_replacement_still_speaks_without_the_nonce() -> None:
    """The control: a transaction waiting at the nonce says it was replaced, nonce read or not."""
    waiting = Replacement("0x" + "05" * 32, SENDER, 10**17, 4 * GWEI, None, tip_cap=2 * GWEI, status=TxStatus.PENDING)
    result = classify(Evidence(HASH, "alpha", None, None, vanished=seen(None, waiting)), builders.chain_spec(), NOW)
    assert result.findings[0].code is Code.REPLACED
    assert Code.NOT_FOUND not in {f.code for f in result.findings}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_not_found_with_a_chain_not_asked_is_incomplete_and_says_so(lang: str) -> None:
    """A chain that could not be asked may have the transaction: incomplete, named, in the summary in words."""
    ev = Evidence(HASH, "beta", None, None, asked=(Asked("beta", ("http://b",)),), unchecked=frozenset({"chain:alpha"}))
    assert incomplete(ev, None) == ("chain:alpha",)
    doc = Diagnosis.build(ev, classify(ev, builders.chain_spec(), NOW), None, lang, NOW).to_json()
    assert doc["verdict"] == "not_found"
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["chain:alpha"]
    if lang == "en":
        assert doc["summary"].endswith(EN_NOTE)
    else:
        assert ZH_PART in doc["summary"]


def test_a_settled_look_back_is_complete_beside_a_chain_not_asked() -> None:
    """A dropped transaction, read on the chain it was seen on: another chain out of reach decides nothing."""
    ev = Evidence(HASH, "alpha", None, None, vanished=seen(3), unchecked=frozenset({"chain:gamma"}))
    assert incomplete(ev, builders.chain_spec()) == ()
    assert classify(ev, builders.chain_spec(), NOW).findings[0].code is Code.DROPPED


def untold(*, reached: bool = True, beta_out: bool = False) -> Evidence:
    """What the service builds for a sighting on alpha that alpha cannot explain now (as ``_vanished`` does)."""
    asked = (Asked("alpha", ("http://a", "http://b"), 2, 2),) if reached else (Asked("beta", ("http://b",), 1, 1),)
    parts = {"look_back:alpha" if reached else "chain:alpha"} | ({"chain:beta"} if beta_out else set())
    return Evidence(HASH, "alpha", None, None, asked=asked, unchecked=frozenset(parts), vanished=seen(None))


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_chain_asked_whose_look_back_could_not_tell_is_not_unreachable(lang: str) -> None:
    """Alpha answered, its look-back could not say: look_back:alpha, alpha not unreachable, the sighting said."""
    spec = builders.chain_spec()
    ev = untold()
    result = classify(ev, spec, NOW)
    assert result.verdict is Verdict.NOT_FOUND
    assert incomplete(ev, spec) == ("look_back:alpha",)
    (nf,) = result.findings
    assert nf.details["unreachable"] is None
    assert (nf.details["seen_on"], nf.details["sender"], nf.details["nonce"]) == ("alpha", SENDER, 3)
    assert nf.details["last_seen"] == NOW.isoformat(timespec="seconds")
    doc = Diagnosis.build(ev, result, spec, lang, NOW).to_json()
    assert_could_not_be_checked(doc, reached=True)
    seen_words = (EN_SEEN if lang == "en" else ZH_SEEN).format(at="2026-01-01 00:00 UTC", sender=SENDER)
    assert doc["next_steps"][0] == seen_words
    assert len(doc["next_steps"]) == 2  # the sighting's step and the safety notice: no "check the hash / network"
    if lang == "en":
        assert doc["summary"].endswith(EN_LOOK_BACK_NOTE)
    else:
        assert ZH_LOOK_BACK_PART in doc["summary"]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_sighting_on_a_chain_not_asked_is_unreachable_and_never_never_broadcast(lang: str) -> None:
    """Alpha could not be asked: chain:alpha, unreachable, and the sighting still rules out "never broadcast"."""
    spec = builders.chain_spec()
    ev = untold(reached=False)
    doc = Diagnosis.build(ev, classify(ev, spec, NOW), spec, lang, NOW).to_json()
    assert_could_not_be_checked(doc, reached=False)


def test_only_the_chains_not_asked_are_unreachable() -> None:
    """Alpha asked (look-back untold) and beta out of reach: beta alone is unreachable, both parts named."""
    spec = builders.chain_spec()
    ev = untold(beta_out=True)
    assert incomplete(ev, spec) == ("chain:beta", "look_back:alpha")
    (nf,) = classify(ev, spec, NOW).findings
    assert nf.details["unreachable"] == ["beta"]
    # a chain that was asked is never called unreachable, whatever part names it
    asked = (Asked("alpha", ("http://a",)),)
    ev = Evidence(HASH, "alpha", None, None, asked=asked, unchecked=frozenset({"chain:alpha"}))
    (nf,) = classify(ev, spec, NOW).findings
    assert nf.details["unreachable"] is None


def test_without_a_sighting_the_generic_not_found_steps_stay() -> None:
    """The control: a hash txdiag never saw keeps "check the hash" and "probably never broadcast"."""
    ev = Evidence(HASH, "alpha", None, None, asked=(Asked("alpha", ("http://a", "http://b"), 2, 2),))
    doc = Diagnosis.build(ev, classify(ev, builders.chain_spec(), NOW), None, "en", NOW).to_json()
    assert doc["complete"] is True
    text = said(doc)
    assert "probably never broadcast" in text
    assert "check that the hash is copied" in text
    assert "saw this transaction pending" not in text


# --- end to end: two real nodes, the chain the payment was seen on behind the fault proxy ---------------------


@pytest.fixture
def alpha(fresh_node: Anvil) -> Iterator[tuple[Anvil, FaultProxy]]:
    """The test's own "alpha" node (automine off) behind a fault proxy."""
    fresh_node.automine(False)
    proxy = FaultProxy(fresh_node.url).start()
    yield fresh_node, proxy
    proxy.stop()


@pytest.fixture
def beta(node_b: Anvil) -> Iterator[FaultProxy]:
    """The shared "beta" node behind a proxy that only counts."""
    proxy = FaultProxy(node_b.url).start()
    yield proxy
    proxy.stop()


def directory(tmp_path: Path, alpha_url: str, beta_url: str) -> Path:
    d = tmp_path / "chains"
    write_chain_file(d, "alpha", 31337, [alpha_url])
    write_chain_file(d, "beta", 31338, [beta_url], symbol="BETA")
    return d


def seen_then_mined(node: Anvil, sender: int) -> tuple[str, Chain]:
    """A payment sent with automine off (to be seen pending), returned before it is mined."""
    chain = Chain(node)
    tx = chain.send(account(sender), account(9).address, value=10**17, gas=21_000, nonce=0, max_fee=3 * GWEI)
    return tx, chain


def cli(tx_hash: str, chains: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    env = {"TXDIAG_DEADLINE": "5", "TXDIAG_RPC_TIMEOUT": "1"}  # sightings kept in the test's own data directory
    result = support_cli.run(tx_hash, chains, *extra, env=env)
    doc: dict[str, Any] = json.loads(result.stdout) if result.stdout else {}
    return result.returncode, doc


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_mined_payment_whose_chain_is_out_of_reach_is_not_dropped_from_the_cli(
    lang: str, alpha: tuple[Anvil, FaultProxy], beta: FaultProxy, tmp_path: Path
) -> None:
    """CLI: seen pending on alpha, mined, then alpha out of reach: not found, alpha unchecked, never "dropped"."""
    node, proxy = alpha
    chains = directory(tmp_path, proxy.url, beta.url)
    tx, chain = seen_then_mined(node, 2)
    code, first = cli(tx, chains)
    assert (code, first["verdict"]) == (0, "delayed")  # seen pending: the sighting is kept
    node.mine()
    assert chain.receipt(tx)["status"] == "0x1"
    proxy.set(REFUSED)
    code, doc = cli(tx, chains, "--lang", lang)
    assert code == 0
    assert proxy.injected["status"] >= 1
    assert_could_not_be_checked(doc, reached=False)
    if lang == "en":
        assert doc["summary"].endswith(EN_NOTE)
        assert any("could not reach alpha" in step for step in doc["next_steps"])
    else:
        assert ZH_PART in doc["summary"]
        assert any("无法连接 alpha" in step for step in doc["next_steps"])


def fails(method: str) -> Any:
    """A schedule: every batch asking ``method`` is refused; the rest pass."""

    def choose(q: Question) -> Fault | None:
        return REFUSED if method in q.methods else None

    return choose


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "how",
    [
        "round_one_fails",  # the search on alpha fails; the look-back would have worked (it finds the payment)
        "look_back_fails",  # alpha says "no such transaction" (a node that lost it), and the look-back fails
        "holds_itself",  # alpha says "no such transaction", but holds this very payment, mined, at its nonce
    ],
)
async def test_what_became_of_a_seen_payment_is_never_guessed_over_http(
    how: str, alpha: tuple[Anvil, FaultProxy], beta: FaultProxy, tmp_path: Path
) -> None:
    """HTTP: a mined payment whose chain cannot say what became of it: not found, incomplete, not cached.

    Where alpha was asked (the look-back failed, or alpha holds this very payment at its nonce), the part is
    look_back:alpha and alpha is not called unreachable; where round 1 could not ask alpha, it is chain:alpha.
    """
    node, proxy = alpha
    tx, chain = seen_then_mined(node, 3)
    async with serving(directory(tmp_path, proxy.url, beta.url), pending_cache_seconds=2.0) as live:
        first = await (await live.session.get(f"/v1/tx/{tx}")).json()
        assert first["verdict"] == "delayed"  # the sighting, in this service's store
        live.service.results.clear()  # that answer was kept for two seconds: the next one must be asked afresh
        node.mine()
        assert chain.receipt(tx)["status"] == "0x1"
        if how == "round_one_fails":
            proxy.schedule = fails("eth_getTransactionByHash")
        elif how == "look_back_fails":
            proxy.set(Fault(null_txs=True))
            proxy.schedule = fails("eth_getTransactionCount")
        else:
            proxy.set(Fault(null_txs=True))
        beta.reset_counts()
        resp = await live.session.get(f"/v1/tx/{tx}")
        doc = await resp.json()
        again = await live.session.get(f"/v1/tx/{tx}?lang=zh-CN")
        assert again.status == 200
        zh = await again.json()
    assert resp.status == 200
    reached = how != "round_one_fails"  # alpha answered round 1 ("no such transaction"): it is no unreachable chain
    assert_could_not_be_checked(doc, reached=reached)
    assert doc["summary"].endswith(EN_LOOK_BACK_NOTE if reached else EN_NOTE)
    assert_could_not_be_checked(zh, reached=reached)
    assert (ZH_LOOK_BACK_PART if reached else ZH_PART) in zh["summary"]
    if how == "holds_itself":
        assert proxy.methods["eth_getTransactionBySenderAndNonce"] >= 1  # the look-back asked, and found it
    assert beta.methods["eth_getTransactionByHash"] == 2  # nothing incomplete was cached: beta was asked again
