"""Delayed transactions on a real node: each code from real pending transactions, and the advice works.

Scenarios run with automatic mining off. Each diagnosis goes through the CLI
(a subprocess) or ``Service.diagnose``; the suggested replacement is then
signed and sent to the node, which must accept it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import Anvil, start_anvil, write_chain_file
from tests.support.chain import GWEI, Chain, account
from tests.support.cli import diagnose, text
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.families.evm.classify.fees import with_headroom
from txdiag.settings import Settings


def finding(result: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in result["findings"] if f["code"] == code]
    assert found, f"no {code} in {[f['code'] for f in result['findings']]}"
    details: dict[str, Any] = found[0]["details"]
    return details


def chain_dir(tmp_path: Path, node: Anvil) -> Path:
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", node.chain_id, [node.url])
    return directory


def gwei_text(wei: int) -> str:
    return f"{wei / GWEI:.4f}".rstrip("0").rstrip(".")


@pytest.fixture
def paused(fresh_node: Anvil) -> Anvil:
    """A fresh node with automatic mining off."""
    fresh_node.automine(False)
    return fresh_node


@pytest.fixture
def small_blocks() -> Iterator[Anvil]:
    """A node whose blocks hold exactly two plain transfers, mining only when told."""
    node = start_anvil(31337, ["--gas-limit", "42000", "--no-mining"])
    yield node
    node.stop()


def test_fee_below_base_fee_then_the_suggested_speed_up_is_mined(paused: Anvil, tmp_path: Path) -> None:
    """A cap under the next base fee is named with both numbers; the suggested speed-up is accepted and mined."""
    chain = Chain(paused)
    alice = account(1)
    stuck = chain.send(alice, account(2).address, value=1, gas=21_000, max_fee=3 * GWEI, tip=1 * GWEI)
    paused.rpc("anvil_setNextBlockBaseFeePerGas", hex(10 * GWEI))
    base = chain.base_fee()
    assert base == 10 * GWEI
    directory = chain_dir(tmp_path, paused)

    result = diagnose(stuck, directory)
    assert result["verdict"] == "delayed"
    d = finding(result, "fee_below_base_fee")
    assert d["max_fee_per_gas"] == 3 * GWEI
    assert d["base_fee_per_gas"] == base
    assert d["shortfall_per_gas"] == base - 3 * GWEI
    assert d["reached_recently"] is True  # the genesis block's base fee was 1 gwei
    fee, tip = d["suggested_max_fee_per_gas"], d["suggested_max_priority_fee_per_gas"]
    assert tip * 8 >= 1 * GWEI * 9
    assert fee >= with_headroom(base) + tip
    assert result["network"]["next_base_fee_per_gas"] == base
    assert any(gwei_text(fee) in s and gwei_text(tip) in s and "nonce 0" in s for s in result["next_steps"])
    zh = text(stuck, directory, "zh-CN")
    assert f"最高费用 {gwei_text(fee)} gwei" in zh
    assert f"最高优先费用 {gwei_text(tip)} gwei" in zh

    faster = chain.send(alice, account(2).address, value=1, gas=21_000, nonce=0, max_fee=fee, tip=tip)
    paused.mine()
    receipt = chain.receipt(faster)
    assert receipt is not None
    assert receipt["status"] == "0x1"
    assert paused.rpc("eth_getTransactionByHash", stuck) is None


def test_cancel_suggestion_is_accepted(paused: Anvil, tmp_path: Path) -> None:
    """The cancel (0 to oneself, same nonce, suggested fees) replaces a stuck legacy transaction."""
    chain = Chain(paused)
    bob = account(3)
    stuck = chain.send(bob, account(4).address, value=10**15, gas=21_000, legacy_gas_price=2 * GWEI)
    paused.rpc("anvil_setNextBlockBaseFeePerGas", hex(7 * GWEI))
    result = diagnose(stuck, chain_dir(tmp_path, paused))
    d = finding(result, "fee_below_base_fee")
    assert "suggested_max_fee_per_gas" not in d
    price = d["suggested_gas_price"]
    assert price >= with_headroom(7 * GWEI)
    assert price * 8 >= 2 * GWEI * 9
    assert any(
        f"gas price {gwei_text(price)} gwei" in s and "0 ETH to your own address" in s for s in result["next_steps"]
    )
    cancel = chain.send(bob, bob.address, value=0, gas=21_000, nonce=0, legacy_gas_price=price)
    paused.mine()
    receipt = chain.receipt(cancel)
    assert receipt is not None
    assert receipt["status"] == "0x1"


def test_nonce_gaps_of_one_and_of_several(paused: Anvil, tmp_path: Path) -> None:
    """Every missing nonce is listed; sending exactly those nonces lets the waiting transaction through."""
    chain = Chain(paused)
    carol, dave = account(5), account(6)
    to = account(7).address
    chain.send(carol, to, value=1, gas=21_000, nonce=0)
    one_gap = chain.send(carol, to, value=1, gas=21_000, nonce=2)
    for n in (0, 2):
        chain.send(dave, to, value=1, gas=21_000, nonce=n)
    several = chain.send(dave, to, value=1, gas=21_000, nonce=5)
    directory = chain_dir(tmp_path, paused)

    single = diagnose(one_gap, directory)
    d = finding(single, "nonce_gap")
    assert (d["missing_nonces"], d["first_missing"], d["missing_nonces_truncated"]) == ([1], 1, False)
    assert d["pool_pending_nonces"] == [0]
    assert d["pool_queued_nonces"] == [2]
    assert single["verdict"] == "delayed"
    assert any("nonce 1 first" in s for s in single["next_steps"])

    many = diagnose(several, directory)
    d = finding(many, "nonce_gap")
    assert d["missing_nonces"] == [1, 3, 4]
    assert d["first_missing"] == 1
    assert d["next_nonce"] == 0
    assert d["pool_queued_nonces"] == [2, 5]
    assert "1, 3, 4" in many["summary"]

    for n in d["missing_nonces"]:
        chain.send(dave, dave.address, value=0, gas=21_000, nonce=n)
    paused.mine()
    receipt = chain.receipt(several)
    assert receipt is not None
    assert receipt["status"] == "0x1"


def test_gap_wider_than_the_lookup_window_is_reported_honestly(paused: Anvil, tmp_path: Path) -> None:
    """Beyond the nonces looked up one by one, txdiag says it could not check rather than guessing."""
    chain = Chain(paused)
    far = chain.send(account(8), account(7).address, value=1, gas=21_000, nonce=20)
    d = finding(diagnose(far, chain_dir(tmp_path, paused)), "nonce_gap")
    assert d["missing_nonces"] == [0, *range(4, 20)]
    assert d["missing_nonces_truncated"] is True
    assert d["unchecked_nonces_to"] == 3


def test_low_tip_behind_full_blocks(small_blocks: Anvil, tmp_path: Path) -> None:
    """Low tip in a congested market: tip_below_market names the percentile; the suggested fees get it mined."""
    node = small_blocks
    chain = Chain(node)
    to = account(9).address
    for i in range(1, 6):  # ten 5-gwei-tip transfers fill five two-transfer blocks
        for n in range(2):
            chain.send(account(i), to, value=1, gas=21_000, nonce=n, max_fee=50 * GWEI, tip=5 * GWEI)
    node.mine(5)
    base = chain.base_fee()
    low = chain.send(account(6), to, value=1, gas=21_000, max_fee=base + 1 * GWEI, tip=1 * GWEI)
    for i in (7, 8):
        chain.send(account(i), to, value=1, gas=21_000, max_fee=50 * GWEI, tip=5 * GWEI)
    directory = chain_dir(tmp_path, node)

    result = diagnose(low, directory)
    codes = [f["code"] for f in result["findings"]]
    assert result["verdict"] == "delayed"
    assert "fee_below_base_fee" not in codes
    t = finding(result, "tip_below_market")
    assert t["tip"] == 1 * GWEI
    assert t["market_tip"] == 5 * GWEI
    assert t["percentile"] == 10
    c = finding(result, "network_congested")
    assert c["full_blocks"] == 5
    assert c["gas_used_percent"] == 100
    assert c["base_fee_per_gas"] == base
    assert c["base_fee_rise_percent"] == pytest.approx(100 * (1.125**5 - 1), abs=0.1)
    fee, tip = t["suggested_max_fee_per_gas"], t["suggested_max_priority_fee_per_gas"]
    assert tip >= 5 * GWEI
    assert fee >= with_headroom(base) + tip
    assert fee * 8 >= (base + GWEI) * 9

    faster = chain.send(account(6), to, value=1, gas=21_000, nonce=0, max_fee=fee, tip=tip)
    node.mine(2)  # the two 50-gwei caps go first (anvil orders by fee cap), then ours
    receipt = chain.receipt(faster)
    assert receipt is not None
    assert receipt["status"] == "0x1"


@pytest.mark.asyncio
async def test_service_reports_how_long_a_transaction_has_waited(paused: Anvil, tmp_path: Path) -> None:
    """Diagnosed twice through the service, a pending transaction shows when it was first seen."""
    chain = Chain(paused)
    stuck = chain.send(account(9), account(1).address, value=1, gas=21_000)
    start = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    times = iter([start, start, start + timedelta(seconds=150), start + timedelta(seconds=150)])
    async with build_service(
        Settings(), load_chains(chain_dir(tmp_path, paused)), clock=lambda: next(times)
    ) as service:
        await service.diagnose(stuck)
        later = await service.diagnose(stuck, lang="zh-CN")
    d = later.to_json()
    p = finding(d, "pending")
    assert p["first_seen"] == start.isoformat(timespec="seconds")
    assert p["waiting_seconds"] == 150
    assert any("2分钟" in f["message"] for f in d["findings"] if f["code"] == "pending")


def test_awaiting_confirmations_eta_counts_down_to_final(fresh_node: Anvil, tmp_path: Path) -> None:
    """A mined transaction not yet finalized: the blocks remaining are exact, and final when they are mined."""
    chain = Chain(fresh_node)
    fresh_node.mine(100)  # past the node's finality lag, so the finalized tag is not clamped at genesis
    mined = chain.send(account(1), account(2).address, value=1, gas=21_000)
    directory = chain_dir(tmp_path, fresh_node)
    result = diagnose(mined, directory)
    d = finding(result, "awaiting_confirmations")
    assert result["verdict"] == "delayed"
    remaining = d["remaining_blocks"]
    assert d["confirmations"] == 1
    assert d["eta_seconds"] == remaining  # block_time 1 s in the chain file
    fresh_node.mine(remaining - 1)
    assert finding(diagnose(mined, directory), "awaiting_confirmations")["remaining_blocks"] == 1
    fresh_node.mine(1)
    assert diagnose(mined, directory)["verdict"] == "confirmed"
