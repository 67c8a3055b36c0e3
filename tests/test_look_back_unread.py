"""A transaction txdiag saw pending, whose chain cannot now say what became of it, is never "dropped".

txdiag looks back at a hash it once saw pending (its sighting) only when the
chain it was seen on answered "no such transaction". When that chain could
not be asked at all, when the look-back itself fails, when it cannot read the
sender's nonce, or when it finds this very transaction at its nonce (so the
chain has it after all, maybe mined), the answer is "not found" with the
chain named unchecked (``chain:NAME``): incomplete, not cached, and it never
says that no funds left the wallet or that the payment should be sent again.
A "not found" with any chain that could not be asked is incomplete too.
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


def said(doc: dict[str, Any]) -> str:
    return " ".join([doc["summary"], *doc["next_steps"], *(f["message"] for f in doc["findings"])]).lower()


def assert_could_not_be_checked(doc: dict[str, Any]) -> None:
    """Not found, incomplete with the chain named, no verdict of what became of it, no word about the funds."""
    assert doc["verdict"] == "not_found", doc["summary"]
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["chain:alpha"]
    codes = [f["code"] for f in doc["findings"]]
    assert "dropped" not in codes
    assert "replaced" not in codes
    (nf,) = [f for f in doc["findings"] if f["code"] == "not_found"]
    assert nf["details"]["unreachable"] == ["alpha"]
    text = said(doc)
    for words in (*NO_FUNDS, *RESEND):
        assert words not in text, words


# --- the rules and the words -------------------------------------------------------------------------------


def seen(latest: int | None, replacement: Replacement | None = None) -> Vanished:
    return Vanished(SENDER, 3, SENDER, 10**17, 3 * GWEI, GWEI, NOW - timedelta(minutes=5), NOW, latest, replacement)


def test_a_vanished_transaction_whose_nonce_was_not_read_is_not_dropped() -> None:
    """The sender's nonce unread and nothing waiting at it: dropped or replaced cannot be told, so neither is said."""
    spec = builders.chain_spec()
    ev = Evidence(HASH, "alpha", None, None, vanished=seen(None))
    result = classify(ev, spec, NOW)
    assert result.verdict is Verdict.NOT_FOUND
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
    assert_could_not_be_checked(doc)
    if lang == "en":
        assert doc["summary"].endswith(EN_NOTE)
        assert "could not reach alpha" in doc["next_steps"][0]
    else:
        assert ZH_PART in doc["summary"]


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
    """HTTP: a mined payment whose chain cannot say what became of it: not found, incomplete, not cached."""
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
        again = await live.session.get(f"/v1/tx/{tx}")
        assert again.status == 200
    assert resp.status == 200
    assert_could_not_be_checked(doc)
    assert doc["summary"].endswith(EN_NOTE)
    if how == "holds_itself":
        assert proxy.methods["eth_getTransactionBySenderAndNonce"] >= 1  # the look-back asked, and found it
    assert beta.methods["eth_getTransactionByHash"] == 2  # nothing incomplete was cached: beta was asked again
