"""Replacement chains and blocked transactions on a real node, through the CLI and the HTTP API, in en and zh-CN.

Each test runs its own anvil with automine off: a transaction is seen pending
by a first CLI run (which records the sighting), then replaced; later answers
rest on the replacement's own receipt, or name it while it still waits.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import GWEI, Chain, account, calldata
from tests.support.live import serving
from tests.test_failed_e2e import cli_json

ALPHA_ID = 31337
OTHER = "0x000000000000000000000000000000000000bEEF"
LANGS = ("en", "zh-CN")


@pytest.fixture
def pool(fresh_node: Anvil, tmp_path: Path) -> tuple[Anvil, Chain, Path]:
    """The test's own node with automine off, and a chain file for it."""
    fresh_node.automine(False)
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", ALPHA_ID, [fresh_node.url])
    return fresh_node, Chain(fresh_node), directory


def both_ways(tx_hash: str, directory: Path, data: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """The diagnosis through the CLI and through HTTP (sharing the CLI's sightings), in both languages."""
    out = {("cli", lang): cli_json(tx_hash, directory, data, "--lang", lang) for lang in LANGS}

    async def http() -> None:
        async with serving(directory, data_dir=data, persist_sightings=True, pending_cache_seconds=0) as live:
            for lang in LANGS:
                async with live.session.get(f"/v1/tx/{tx_hash}", params={"lang": lang}) as resp:
                    assert resp.status == 200, await resp.text()
                    out["http", lang] = await resp.json()

    asyncio.run(http())
    return out


def codes(doc: dict[str, Any]) -> list[str]:
    return [f["code"] for f in doc["findings"]]


def test_mined_speed_up_is_confirmed(pool: tuple[Anvil, Chain, Path], tmp_path: Path) -> None:
    """A payment sped up, the faster copy mined and successful: confirmed, replaced as info naming the new hash."""
    node, chain, directory = pool
    data = tmp_path / "data"
    me = account(2)
    slow = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=3 * GWEI)
    assert cli_json(slow, directory, data)["verdict"] == "delayed"
    faster = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=5 * GWEI)
    node.mine()
    for (_way, lang), doc in both_ways(slow, directory, data).items():
        assert doc["verdict"] == "confirmed", doc["summary"]
        assert codes(doc) == ["replaced"]
        (f,) = doc["findings"]
        assert (f["severity"], f["details"]["replaced_by"], f["details"]["replacement_status"]) == (
            "info",
            faster,
            "success",
        )
        assert faster in doc["summary"]
        assert ("your payment went through" if lang == "en" else "您的付款已经完成") in doc["summary"]


def test_failed_replacement_is_failed(pool: tuple[Anvil, Chain, Path], tmp_path: Path) -> None:
    """The transaction using the nonce reverted, by its own receipt: failed, and no claim that anything was paid."""
    node, chain, directory = pool
    data = tmp_path / "data"
    me = account(4)
    failures = chain.deploy("Failures", account(5))
    first = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=3 * GWEI)
    assert cli_json(first, directory, data)["verdict"] == "delayed"
    reverting = chain.send(
        me, failures, data=calldata("Failures", "failString"), gas=100_000, nonce=0, max_fee=5 * GWEI
    )
    node.mine()
    for (_way, lang), doc in both_ways(first, directory, data).items():
        assert doc["verdict"] == "failed"
        (f,) = doc["findings"]
        assert (f["code"], f["details"]["explanation"], f["details"]["replaced_by"]) == (
            "replaced",
            "replaced_failed",
            reverting,
        )
        assert ("failed in block" if lang == "en" else "失败了") in doc["summary"]
        assert "went through" not in doc["summary"]


def test_pending_replacement_is_named_with_its_fees(pool: tuple[Anvil, Chain, Path], tmp_path: Path) -> None:
    """Replaced by one that is still waiting: named with its fees, delayed, and no resend with the nonce it holds."""
    _node, chain, directory = pool
    data = tmp_path / "data"
    me = account(6)
    first = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=3 * GWEI)
    assert cli_json(first, directory, data)["verdict"] == "delayed"
    waiting = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=4 * GWEI, tip=2 * GWEI)
    for (_way, lang), doc in both_ways(first, directory, data).items():
        assert doc["verdict"] == "delayed", doc["summary"]
        assert "dropped" not in codes(doc)
        assert "not_found" not in codes(doc)
        (f,) = doc["findings"]
        d = f["details"]
        assert (d["replaced_by"], d["replacement_pending"]) == (waiting, True)
        assert (d["replacement_fee_cap_per_gas"], d["replacement_tip_cap_per_gas"]) == (4 * GWEI, 2 * GWEI)
        assert (d["suggested_max_fee_per_gas"], d["suggested_max_priority_fee_per_gas"]) == (
            4_500_000_000,
            2_250_000_000,
        )
        assert waiting in doc["summary"]
        text = " ".join((doc["summary"], *doc["next_steps"]))
        assert "4.5 gwei" in text
        for advice in ("send it again with the same nonce", "use up nonce", "使用相同的 nonce", "把 nonce"):
            assert advice not in text, lang


def test_stuck_behind_an_underpriced_earlier_nonce(pool: tuple[Anvil, Chain, Path], tmp_path: Path) -> None:
    """A generous payment behind the sender's underpriced nonce: the blocker named, and its speed-up works."""
    node, chain, directory = pool
    data = tmp_path / "data"
    me = account(3)
    blocker = chain.send(me, OTHER, value=1, gas=21_000, nonce=0, max_fee=3 * GWEI, tip=1 * GWEI)
    node.rpc("anvil_setNextBlockBaseFeePerGas", hex(10 * GWEI))
    generous = chain.send(me, OTHER, value=10**16, gas=21_000, nonce=1, max_fee=60 * GWEI, tip=2 * GWEI)
    docs = both_ways(generous, directory, data)
    for (_way, lang), doc in docs.items():
        assert doc["verdict"] == "delayed"
        assert doc["findings"][0]["code"] == "blocked_by_earlier", codes(doc)
        d = doc["findings"][0]["details"]
        assert (d["blocker_hash"], d["blocker_nonce"], d["blocker_max_fee_per_gas"]) == (blocker, 0, 3 * GWEI)
        assert d["blocker_below_base_fee"] is True
        assert "fee_below_base_fee" not in codes(doc)  # this one pays enough: the blocker is the whole story
        assert blocker in doc["summary"]
        assert blocker in doc["next_steps"][0]
        assert "nonce 0" in doc["next_steps"][0]
        assert ("waiting behind" if lang == "en" else "排在同一地址更早的一笔交易之后") in doc["summary"]
    d = docs["cli", "en"]["findings"][0]["details"]
    fee, tip = d["suggested_max_fee_per_gas"], d["suggested_max_priority_fee_per_gas"]
    sped = chain.send(me, OTHER, value=1, gas=21_000, nonce=0, max_fee=fee, tip=tip)
    node.mine()
    assert chain.receipt(sped) is not None
    assert chain.receipt(generous) is not None
