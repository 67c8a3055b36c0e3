"""Bitcoin-family payments on a real node (litecoind -regtest): every scenario diagnosed, every fee proven.

One node for the module. Each test starts from an empty mempool and leaves
one behind; congestion is real (small blocks, dozens of payments that pay
more). The suggested fees are not trusted: a replacement at exactly the
suggested fee must pass ``testmempoolaccept`` and be mined in the next block,
one satoshi less must fail where the replacement rule binds, and a child at the
suggested fee must pull its parent into the next block.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.support.cli import diagnose, text
from tests.support.litecoind import Litecoind, coins, sats, write_bitcoin_chain_file
from tests.support.live import served
from txdiag.families.bitcoin import fees, wire
from txdiag.openapi import build_document

CONGESTION = 40  # payments at 20 sat/vB: more than one 4,000 vB block holds


@pytest.fixture(scope="module")
def node(ltc_node: Litecoind) -> Litecoind:
    return ltc_node


@pytest.fixture(scope="module")
def chains(node: Litecoind, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("btc-chains")
    write_bitcoin_chain_file(directory, "ltc", node.url)
    return directory


@pytest.fixture
def clean(node: Litecoind) -> Iterator[Litecoind]:
    node.clear_mempool()
    yield node
    node.rpc("setmocktime", 0)
    node.clear_mempool()


def http(base: str, txid: str, lang: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/v1/tx/{txid}?lang={lang}", timeout=30) as resp:
        result: dict[str, Any] = json.loads(resp.read())
    return result


def finding(result: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in result["findings"] if f["code"] == code]
    assert found, f"no {code} in {[f['code'] for f in result['findings']]}"
    details: dict[str, Any] = found[0]["details"]
    return details


def codes(result: dict[str, Any]) -> list[str]:
    return [f["code"] for f in result["findings"]]


def pay(node: Litecoind, amount: str, rate: float, *, rbf: bool = True) -> str:
    """A wallet payment at ``rate`` sat/vB."""
    return str(node.wallet("sendtoaddress", node.new_address(), amount, "", "", False, rbf, None, "unset", None, rate))


def congest(node: Litecoind) -> None:
    for _ in range(CONGESTION):
        pay(node, "0.01", 20)


def mined_next(node: Litecoind, *txids: str) -> bool:
    (block,) = node.mine(1)
    included = set(node.rpc("getblock", block)["tx"])
    return all(t in included for t in txids)


def replacement_at(node: Litecoind, txid: str, fee: int) -> tuple[str, int]:
    """The same payment (same inputs, same outputs) with the change lowered so the fee is exactly ``fee``."""
    tx = node.rpc("getrawtransaction", txid, True)
    old_fee = sats(node.rpc("getmempoolentry", txid)["fees"]["base"])
    change = next(o for o in tx["vout"] if node.wallet("getaddressinfo", o["scriptPubKey"]["addresses"][0])["ischange"])
    outputs = []
    for o in tx["vout"]:
        value = sats(o["value"]) - (fee - old_fee if o is change else 0)
        outputs.append({o["scriptPubKey"]["addresses"][0]: str(coins(value))})
    inputs = [{"txid": i["txid"], "vout": i["vout"], "sequence": 0xFFFFFFFD} for i in tx["vin"]]
    raw = node.rpc("createrawtransaction", inputs, outputs)
    signed = node.wallet("signrawtransactionwithwallet", raw)["hex"]
    decoded = node.rpc("decoderawtransaction", signed)
    return signed, int(decoded["vsize"])


def test_confirmed_one_confirmation_then_deep(clean: Litecoind, chains: Path) -> None:
    """One confirmation waits for the chain's depth (6); six are confirmed; both languages say so."""
    node = clean
    txid = pay(node, "0.2", 5)
    node.mine(1)
    one = diagnose(txid, chains)
    assert one["verdict"] == "delayed"
    details = finding(one, "awaiting_confirmations")
    assert (details["confirmations"], details["required"], details["remaining_blocks"]) == (1, 6, 5)
    assert one["chain"] == {"name": "ltc", "chain_id": None, "family": "bitcoin", "network": "regtest"}
    assert one["tx"]["confirmations"] == 1
    node.mine(5)
    deep = diagnose(txid, chains)
    assert deep["verdict"] == "confirmed"
    assert finding(deep, "confirmed")["confirmations"] == 6
    zh = text(txid, chains, "zh-CN")
    assert "已确认" in zh
    assert "6 个确认" in zh


def test_rbf_payment_stuck_exact_fee_is_mined_next(clean: Litecoind, chains: Path) -> None:
    """A replaceable payment below the next block: the suggested fee passes testmempoolaccept and is mined next."""
    node = clean
    congest(node)
    low = pay(node, "0.1", 2)
    with served(chains, {"TXDIAG_SIGHTINGS": "memory"}) as child:
        en = http(child.url, low, "en")
        zh = http(child.url, low, "zh-CN")
        with urllib.request.urlopen(f"{child.url}/tx/{low}?lang=zh-CN", timeout=30) as resp:
            page = resp.read().decode()  # the page goes through the same diagnose()
    assert en["verdict"] == "delayed"
    details = finding(en, "fee_rate_below_next_block")
    assert details["replaceable"] is True
    assert details["projected_block"] > 1
    assert details["next_block_fee_rate"] > 20
    assert details["rbf_binding"] == "next_block"
    assert any(str(details["rbf_fee_sat"]) in s for s in en["next_steps"])
    assert any("refuse replacements" in s for s in en["next_steps"])
    assert any("CPFP" in s for s in en["next_steps"])
    assert any(str(details["rbf_fee_sat"]) in s and "聪" in s for s in zh["next_steps"])
    assert en["network"]["mempool"]["transactions"] == CONGESTION + 1
    assert 'data-verdict="delayed"' in page
    assert "ltc (regtest)" in page
    assert str(finding(en, "fee_rate_below_next_block")["rbf_fee_sat"]) in page
    schema = {"$ref": "#/components/schemas/Diagnosis", "components": build_document()["components"]}
    Draft202012Validator(schema).validate(en)  # the answer is what the OpenAPI document says
    signed, vsize = replacement_at(node, low, details["rbf_fee_sat"])
    assert vsize == details["rbf_vsize"]
    (verdict,) = node.rpc("testmempoolaccept", [signed])
    assert verdict["allowed"], verdict
    replacement = node.rpc("sendrawtransaction", signed)
    assert mined_next(node, replacement)


def test_replacement_one_sat_below_the_rule_is_refused(clean: Litecoind) -> None:
    """Where the BIP125 rule binds (an empty mempool), the computed fee is accepted and one satoshi less is not."""
    node = clean
    txid = pay(node, "0.1", 1)
    entry = wire.parse_entry(json.loads(json.dumps(node.rpc("getmempoolentry", txid), default=str)), txid)
    info = wire.parse_mempool_info(
        json.loads(json.dumps(node.rpc("getmempoolinfo"), default=str)),
        json.loads(json.dumps(node.rpc("getnetworkinfo"), default=str)),
    )
    r = fees.replacement_fee(entry, info, target_fee=0)
    assert r.binding == "replacement_rules"
    assert r.fee == entry.fee + fees.fee_for(info.incremental_fee, entry.vsize)
    exact, vsize = replacement_at(node, txid, r.fee)
    assert vsize == entry.vsize
    short, _ = replacement_at(node, txid, r.fee - 1)
    (ok,) = node.rpc("testmempoolaccept", [exact])
    (refused,) = node.rpc("testmempoolaccept", [short])
    assert ok["allowed"], ok
    assert not refused["allowed"]
    assert "insufficient fee" in refused["reject-reason"]


def test_non_rbf_stuck_child_at_suggested_fee_lifts_both(clean: Litecoind, chains: Path) -> None:
    """A payment that cannot be replaced: the suggested child fee puts parent and child into the next block."""
    node = clean
    congest(node)
    low = pay(node, "0.1", 2, rbf=False)
    result = diagnose(low, chains)
    details = finding(result, "fee_rate_below_next_block")
    assert details["replaceable"] is False
    assert "rbf_fee_sat" not in details
    assert any("did not signal replaceability" in s for s in result["next_steps"])
    vout, fee, size = details["cpfp_vout"], details["cpfp_child_fee_sat"], details["cpfp_child_vsize"]
    value = result["tx"]["outputs"][vout]["value"]
    raw = node.rpc(
        "createrawtransaction", [{"txid": low, "vout": vout}], [{node.new_address(): str(coins(value - fee))}]
    )
    signed = node.wallet("signrawtransactionwithwallet", raw)["hex"]
    assert int(node.rpc("decoderawtransaction", signed)["vsize"]) == size
    child = node.rpc("sendrawtransaction", signed)
    assert mined_next(node, low, child)
    zh = text(low, chains, "zh-CN")
    assert "确认" in zh


def test_child_of_unconfirmed_low_fee_parent(clean: Litecoind, chains: Path) -> None:
    """A payment spending a low-fee unconfirmed parent names the parent and the package fee rate."""
    node = clean
    parent = pay(node, "0.3", 1)
    tx = node.rpc("getrawtransaction", parent, True)
    out = next(o for o in tx["vout"] if sats(o["value"]) == 30_000_000)
    raw = node.rpc(
        "createrawtransaction",
        [{"txid": parent, "vout": out["n"]}],
        [{node.new_address(): str(coins(30_000_000 - 1100))}],
    )
    child = node.rpc("sendrawtransaction", node.wallet("signrawtransactionwithwallet", raw)["hex"])
    result = diagnose(child, chains)
    details = finding(result, "unconfirmed_parents")
    assert details["parents"] == [parent]
    assert details["low_fee_parent_txid"] == parent
    assert 1 < details["package_fee_rate"] < details["fee_rate_sat_vb"]
    zh = text(child, chains, "zh-CN")
    assert "未确认的父交易" in zh


def test_payment_replaced_after_it_was_seen(clean: Litecoind, chains: Path) -> None:
    """Seen pending, then replaced by a fee bump that is mined: the original is replaced, and the bump named."""
    node = clean
    txid = pay(node, "0.1", 2)
    assert diagnose(txid, chains)["verdict"] == "delayed"
    bumped = node.wallet("bumpfee", txid)["txid"]
    assert mined_next(node, bumped)
    result = diagnose(txid, chains)
    assert result["verdict"] == "failed"
    details = finding(result, "replaced")
    assert details["replacement"] == bumped
    assert details["replacement_block"] == node.rpc("getblockcount")
    assert bumped in text(txid, chains, "zh-CN")


def test_payment_dropped_from_the_mempool(clean: Litecoind, chains: Path) -> None:
    """Seen pending, then expired out of the mempool with its inputs unspent: dropped, with how to resend."""
    node = clean
    txid = pay(node, "0.1", 2)
    assert diagnose(txid, chains)["verdict"] == "delayed"
    node.rpc("setmocktime", int(time.time()) + 15 * 24 * 3600)  # past -mempoolexpiry (two weeks)
    pay(node, "0.01", 5)  # a new arrival makes the node expire what is too old
    node.rpc("setmocktime", 0)
    assert txid not in node.rpc("getrawmempool")
    result = diagnose(txid, chains)
    assert result["verdict"] == "failed"
    details = finding(result, "dropped")
    assert details["fee_sat"] > 0
    assert any("abandontransaction" in s for s in result["next_steps"])
    assert "丢弃" in text(txid, chains, "zh-CN")
    node.wallet("abandontransaction", txid)


def test_value_sent_to_op_return_is_a_burn(clean: Litecoind, chains: Path) -> None:
    """Value paid to an OP_RETURN output is burned: misdirected, pending (replace it first) and once mined."""
    node = clean
    raw = node.rpc("createrawtransaction", [], [{"data": "7478646961672d6275726e"}])
    script = "0b7478646961672d6275726e"  # push of 11 bytes
    burn = 123_456
    assert ("0000000000000000" + "0d6a" + script) in raw
    raw = raw.replace("0000000000000000" + "0d6a" + script, burn.to_bytes(8, "little").hex() + "0d6a" + script)
    funded = node.wallet("fundrawtransaction", raw, {"fee_rate": 5})["hex"]
    txid = node.rpc("sendrawtransaction", node.wallet("signrawtransactionwithwallet", funded)["hex"])
    pending = diagnose(txid, chains)
    assert pending["verdict"] == "misdirected"
    details = finding(pending, "burn_output")
    assert details["burned_sat"] == burn
    assert details["replace_possible"] is True
    node.mine(1)
    mined = diagnose(txid, chains)
    assert mined["verdict"] == "misdirected"
    assert "永久销毁" in text(txid, chains, "zh-CN")


def test_unknown_txid_is_not_found(chains: Path) -> None:
    """A txid no configured chain knows is not found, in both languages; with or without 0x."""
    txid = "ab" * 32
    result = diagnose(txid, chains)
    assert result["verdict"] == "not_found"
    assert finding(result, "not_found")["chains"] == ["ltc"]
    assert diagnose("0x" + txid, chains)["verdict"] == "not_found"
    assert text(txid, chains, "zh-CN").strip()
