"""Misdirected transfers from real signed transactions on two anvil nodes, through the CLI and the HTTP API."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import rlp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account, calldata
from tests.support.live import serving
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.settings import Settings

TXDIAG = str(Path(sys.executable).parent / "txdiag")
ETH = 10**18
DEAD = "0x000000000000000000000000000000000000dEaD"
ZERO = "0x0000000000000000000000000000000000000000"
MISDIRECTED_CODES = {
    "zero_address_recipient",
    "burn_address_recipient",
    "token_contract_recipient",
    "lookalike_recipient",
    "recipient_contract_on_other_chain",
    "unexpected_recipient",
}


def funded(chain: Chain, funder: LocalAccount, eth: int = 5) -> LocalAccount:
    """A brand-new account with its own clean history, funded from a test account."""
    acct: LocalAccount = Account.create()
    chain.send(funder, acct.address, value=eth * ETH, gas=21_000)
    return acct


def created_address(deployer: str, nonce: int) -> str:
    """The address a contract created by ``deployer`` at ``nonce`` gets (the same on every chain)."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(deployer[2:]), nonce]))[12:])


def twin(address: str, prefix: int, suffix: int) -> str:
    """Another address sharing exactly ``prefix`` leading and ``suffix`` trailing hex digits with ``address``."""
    body = address[2:].lower()
    middle = list(secrets.token_hex(20)[: 40 - prefix - suffix])
    # the first and last differing digits must differ, so the match is exactly prefix + suffix
    middle[0] = "0" if body[prefix] != "0" else "1"
    middle[-1] = "0" if body[39 - suffix] != "0" else "1"
    return to_checksum_address("0x" + body[:prefix] + "".join(middle) + body[40 - suffix :])


@pytest.fixture(scope="module")
def scene(chain_a: Chain, chain_b: Chain) -> dict[str, Any]:
    """Every scenario, as real mined transactions from one fresh victim on alpha (plus contracts on beta)."""
    funder = account(9)
    victim = funded(chain_a, funder, 20)
    attacker = funded(chain_a, funder, 1)
    token = chain_a.deploy("Stardust", victim)
    chain_a.send(victim, token, data=calldata("Stardust", "mint", victim.address, 1000 * ETH), gas=200_000)

    def pay_token(to: str, amount: int) -> str:
        return chain_a.send(victim, token, data=calldata("Stardust", "transfer", to, amount), gas=200_000)

    out: dict[str, Any] = {"victim": victim.address, "token": token}
    out["to_token_contract"] = pay_token(token, 5 * ETH)
    out["to_zero"] = chain_a.send(victim, ZERO, value=10**15, gas=21_000)
    out["to_dead"] = chain_a.send(victim, DEAD, value=2 * 10**15, gas=21_000)

    # address poisoning: genuine payments to a friend, a zero-value transferFrom planting a look-alike, then the mistake
    lookalike = Account.create().address
    friend = twin(lookalike, 5, 4)
    out["friend"], out["lookalike"] = friend, lookalike
    pay_token(friend, 10 * ETH)
    pay_token(friend, 12 * ETH)
    chain_a.send(attacker, token, data=calldata("Stardust", "transferFrom", victim.address, lookalike, 0), gas=200_000)
    out["to_lookalike"] = pay_token(lookalike, 11 * ETH)
    out["to_friend_after_poisoning"] = pay_token(friend, 3 * ETH)

    # a wallet that exists only on beta, and a non-wallet contract only on beta, both used on alpha
    wallet_deployer = funded(chain_b, account(9), 1)
    assert chain_b.deploy("Wallet", wallet_deployer) == created_address(wallet_deployer.address, 0)
    out["beta_wallet"] = created_address(wallet_deployer.address, 0)
    out["to_beta_wallet"] = chain_a.send(victim, out["beta_wallet"], value=10**16, gas=21_000)
    token_deployer = funded(chain_b, account(9), 1)
    out["beta_token"] = chain_b.deploy("Stardust", token_deployer)
    out["to_beta_token"] = pay_token(out["beta_token"], 1 * ETH)

    # negative cases: an established address, a contract wallet on this chain, two addresses with a short prefix
    out["normal"] = account(8).address
    out["to_normal"] = chain_a.send(victim, account(8).address, value=10**16, gas=21_000)
    out["alpha_wallet"] = chain_a.deploy("Wallet", funded(chain_a, funder, 1))
    out["to_alpha_wallet"] = pay_token(out["alpha_wallet"], 2 * ETH)
    first = Account.create().address
    second = twin(first, 4, 2)
    pay_token(first, 1 * ETH)
    out["short_prefix"] = (first, second)
    out["to_short_prefix"] = pay_token(second, 1 * ETH)
    return out


def cli(tx_hash: str, chains_dir: Path, tmp: Path, *extra: str) -> dict[str, Any]:
    env = {**os.environ, "TXDIAG_DATA_DIR": str(tmp)}
    env.pop("TXDIAG_LANG", None)
    result = subprocess.run(
        [TXDIAG, "diagnose", tx_hash, "--chains-dir", str(chains_dir), "--json", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


# (scenario, extra CLI args / HTTP query) -> every diagnosis, once through the CLI and once through HTTP
CASES: dict[str, dict[str, str]] = {
    "to_token_contract": {},
    "to_zero": {},
    "to_dead": {},
    "to_lookalike": {},
    "to_friend_after_poisoning": {},
    "to_beta_wallet": {},
    "to_beta_token": {},
    "to_normal": {},
    "to_alpha_wallet": {},
    "to_short_prefix": {},
    "expected_elsewhere": {"expected_to": "normal"},
    "expected_lookalike": {"expected_to": "friend"},
}
SOURCE = {"expected_elsewhere": "to_beta_wallet", "expected_lookalike": "to_lookalike"}


def _query(scene: dict[str, Any], name: str) -> tuple[str, dict[str, str]]:
    tx_hash = scene[SOURCE.get(name, name)]
    return tx_hash, {k: scene[v] for k, v in CASES[name].items()}


@pytest.fixture(scope="module")
def via_cli(scene: dict[str, Any], chains_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case through `txdiag diagnose --json` subprocesses (run side by side to keep the suite fast)."""
    tmp = tmp_path_factory.mktemp("cli-data")

    def one(name: str) -> dict[str, Any]:
        tx_hash, query = _query(scene, name)
        extra = [a for k, v in query.items() for a in (f"--{k.replace('_', '-')}", v)]
        return cli(tx_hash, chains_dir, tmp, *extra)

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(CASES, pool.map(one, CASES), strict=True))


@pytest.fixture(scope="module")
def via_http(scene: dict[str, Any], chains_dir: Path) -> dict[str, Any]:
    """Every case through the real HTTP app (GET /v1/tx/{hash}) on a loopback port."""
    import asyncio

    async def run() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with serving(chains_dir) as live:
            for name in CASES:
                tx_hash, query = _query(scene, name)
                async with live.session.get(f"/v1/tx/{tx_hash}", params=query) as resp:
                    assert resp.status == 200, await resp.text()
                    out[name] = await resp.json()
        return out

    return asyncio.run(run())


@pytest.fixture(params=["cli", "http"])
def docs(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The diagnoses of every case, from one front end."""
    result: dict[str, Any] = request.getfixturevalue(f"via_{request.param}")
    return result


def finding(doc: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in doc["findings"] if f["code"] == code]
    assert found, f"{code} not in {[f['code'] for f in doc['findings']]}"
    details: dict[str, Any] = found[0]["details"]
    return details


def codes(doc: dict[str, Any]) -> set[str]:
    return {f["code"] for f in doc["findings"]}


def test_tokens_sent_to_their_own_contract(docs: dict[str, Any], scene: dict[str, Any]) -> None:
    """ERC-20 transferred to the token's own contract: misdirected, the issuer named as the only help."""
    doc = docs["to_token_contract"]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "token_contract_recipient")
    assert d["recipient"] == scene["token"]
    assert d["own_token"] is True
    assert d["amount"] == "5"
    assert d["asset"] == "STRD"
    assert any("issuer" in s for s in doc["next_steps"])
    assert "recover funds for a fee is a scammer" in doc["next_steps"][-1]


@pytest.mark.parametrize(
    ("name", "code", "recipient"),
    [("to_zero", "zero_address_recipient", ZERO), ("to_dead", "burn_address_recipient", DEAD)],
)
def test_native_coin_to_zero_and_burn_addresses(docs: dict[str, Any], name: str, code: str, recipient: str) -> None:
    """Native coin sent to the zero address or to 0x…dEaD succeeded, and is reported lost."""
    doc = docs[name]
    assert doc["tx"]["status"] == "success"
    assert doc["verdict"] == "misdirected"
    d = finding(doc, code)
    assert d["recipient"] == recipient
    assert d["value_wei"] == int(doc["tx"]["value"])
    assert "lost" in doc["summary"]
    assert any("Nobody holds the key" in s for s in doc["next_steps"])


def test_poisoned_lookalike_is_named(docs: dict[str, Any], scene: dict[str, Any]) -> None:
    """A transfer to an address planted by a zero-value transferFrom names the genuine friend it imitates."""
    doc = docs["to_lookalike"]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "lookalike_recipient")
    assert d["recipient"] == scene["lookalike"]
    assert d["lookalike_of"] == scene["friend"]
    assert d["matched_chars"] == 9
    assert d["matching_prefix"].lower() == scene["lookalike"][:7].lower()
    assert d["matching_suffix"].lower() == scene["lookalike"][-4:].lower()
    assert d["first_seen_as"] == "zero_value_transfer"
    assert d["lookalike_of_paid"] == 2
    assert 0 < d["chance"] < 1e-6
    assert "address poisoning" in doc["summary"]


def test_genuine_friend_after_poisoning_is_not_flagged(docs: dict[str, Any]) -> None:
    """Paying the genuine friend again, with the look-alike in the history, is not misdirected."""
    doc = docs["to_friend_after_poisoning"]
    assert doc["verdict"] != "misdirected"
    assert not codes(doc) & MISDIRECTED_CODES


def test_wallet_that_exists_only_on_other_chain(docs: dict[str, Any], scene: dict[str, Any]) -> None:
    """Coin sent on alpha to an address that is a smart wallet only on beta: the owner-redeploy advice."""
    doc = docs["to_beta_wallet"]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "recipient_contract_on_other_chain")
    assert d["recipient"] == scene["beta_wallet"]
    assert d["chains"] == ["beta"]
    assert d["wallet_kind"] == "owned_contract"
    assert any("deploying the same wallet" in s for s in doc["next_steps"])
    assert not any("not a recognised wallet" in s for s in doc["next_steps"])


def test_contract_that_exists_only_on_other_chain(docs: dict[str, Any], scene: dict[str, Any]) -> None:
    """Tokens sent on alpha to a non-wallet contract that exists only on beta: rarely recoverable, said so."""
    doc = docs["to_beta_token"]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "recipient_contract_on_other_chain")
    assert d["recipient"] == scene["beta_token"]
    assert "wallet_kind" not in d
    assert any("not a recognised wallet" in s for s in doc["next_steps"])


def test_expected_recipient_differs(docs: dict[str, Any], scene: dict[str, Any]) -> None:
    """expected_to given and the funds went elsewhere: both addresses shown, and they do not look alike."""
    d = finding(docs["expected_elsewhere"], "unexpected_recipient")
    assert d["recipient"] == scene["beta_wallet"]
    assert d["expected_to"] == scene["normal"]
    assert d["looks_alike"] is False


def test_expected_recipient_lookalike(docs: dict[str, Any], scene: dict[str, Any]) -> None:
    """expected_to is the friend, the funds went to the look-alike: both findings, and they look alike."""
    doc = docs["expected_lookalike"]
    d = finding(doc, "unexpected_recipient")
    assert (d["recipient"], d["expected_to"]) == (scene["lookalike"], scene["friend"])
    assert d["looks_alike"] is True
    assert (d["matching_prefix_chars"], d["matching_suffix_chars"]) == (5, 4)
    assert "lookalike_recipient" in codes(doc)


@pytest.mark.parametrize("name", ["to_normal", "to_alpha_wallet", "to_short_prefix"])
def test_negative_cases_are_not_misdirected(docs: dict[str, Any], name: str) -> None:
    """A normal address, a contract wallet on this chain, and a merely similar-prefix address: not misdirected."""
    doc = docs[name]
    assert doc["tx"]["status"] == "success"
    assert doc["verdict"] in ("confirmed", "delayed")
    assert not codes(doc) & MISDIRECTED_CODES
    assert "contract_recipient" not in codes(doc)


def test_fresh_recipient_is_only_information(docs: dict[str, Any], scene: dict[str, Any]) -> None:
    """A first payment to a brand-new address is noted as info and does not change the verdict."""
    doc = docs["to_short_prefix"]
    d = finding(doc, "fresh_recipient")
    assert [f["severity"] for f in doc["findings"] if f["code"] == "fresh_recipient"] == ["info"]
    assert d["recipient"] == scene["short_prefix"][1]
    assert d["via"] == "calldata"
    assert "fresh_recipient" not in codes(docs["to_normal"])


def test_chinese_guidance(scene: dict[str, Any], chains_dir: Path, tmp_path: Path) -> None:
    """The poisoning diagnosis in zh-CN: Chinese summary naming both addresses and the safety notice."""
    doc = cli(scene["to_lookalike"], chains_dir, tmp_path, "--lang", "zh-CN")
    assert doc["verdict"] == "misdirected"
    assert "地址投毒" in doc["summary"]
    assert scene["friend"] in doc["summary"]
    assert "助记词" in doc["next_steps"][-1]


async def test_token_transfer_round_trips(scene: dict[str, Any], chains_dir: Path) -> None:
    """A token transfer costs two dependent round trips on its chain, plus one concurrent request per other chain."""
    async with build_service(Settings(), load_chains(chains_dir, env={})) as service:
        doc = await service.diagnose(scene["to_lookalike"], chain="alpha")
        assert doc.verdict == "misdirected"
        assert service.contexts["alpha"].client.http_requests == 2
        assert service.contexts["beta"].client.http_requests == 1


async def test_pending_misdirected_gets_cancel_first(fresh_node: Anvil, tmp_path: Path) -> None:
    """A pending transfer to 0x…dEaD: misdirected, and the first step is the cancel with exact fees."""
    chain = Chain(fresh_node)
    fresh_node.automine(False)
    tx_hash = chain.send(account(1), DEAD, value=10**15, gas=21_000)
    write_chain_file(tmp_path, "alpha", fresh_node.chain_id, [fresh_node.url])
    async with build_service(Settings(), load_chains(tmp_path, env={})) as service:
        doc = (await service.diagnose(tx_hash)).to_json()
    assert doc["tx"]["status"] == "pending"
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "burn_address_recipient")
    sent = fresh_node.rpc("eth_getTransactionByHash", tx_hash)
    assert d["suggested_max_fee_per_gas"] >= int(sent["maxFeePerGas"], 16) * 9 // 8
    assert d["suggested_max_priority_fee_per_gas"] >= int(sent["maxPriorityFeePerGas"], 16) * 9 // 8
    assert d["nonce"] == int(sent["nonce"], 16)
    first = doc["next_steps"][0]
    assert first.startswith("It is not in a block yet")
    assert f"nonce {d['nonce']}" in first
    assert account(1).address in first
