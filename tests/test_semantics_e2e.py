"""Token and wallet semantics on a real node: taxes, burns, bridges, false returns, NFTs, sponsored accounts.

Each scenario is a real signed transaction against a contract of
``tests/contracts/Semantics.sol``, diagnosed through the CLI and the HTTP API,
in English and in Simplified Chinese.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import GWEI, Chain, account, calldata
from tests.support.live import serving
from tests.test_misdirected_e2e import ETH, MISDIRECTED_CODES, ZERO, cli, funded, twin

LANGS = ("en", "zh-CN")


def sponsored(chain: Chain, sponsor: LocalAccount, owner: LocalAccount, delegate: str, data: bytes) -> str:
    """A type-4 transaction from ``sponsor`` to ``owner``'s account, delegating it to ``delegate`` (EIP-7702)."""
    auth = owner.sign_authorization(
        {"chainId": chain.node.chain_id, "address": delegate, "nonce": chain.nonce(owner.address)}
    )
    tx = {
        "type": 4,
        "chainId": chain.node.chain_id,
        "nonce": chain.nonce(sponsor.address),
        "to": owner.address,
        "value": 0,
        "gas": 300_000,
        "data": data,
        "maxFeePerGas": 2 * chain.base_fee() + GWEI,
        "maxPriorityFeePerGas": GWEI,
        "authorizationList": [auth],
    }
    signed = sponsor.sign_transaction(tx)
    tx_hash: str = chain.node.rpc("eth_sendRawTransaction", "0x" + bytes(signed.raw_transaction).hex())
    receipt = chain.wait(tx_hash)
    assert receipt["status"] == "0x1", "the sponsored call failed"
    return tx_hash


@pytest.fixture(scope="module")
def scene(chain_a: Chain) -> dict[str, Any]:
    """Every scenario, as real mined transactions from fresh accounts on alpha."""
    funder = account(9)
    payer = funded(chain_a, funder, 5)
    friend = account(7).address
    treasury = Account.create().address
    out: dict[str, Any] = {"payer": payer.address, "friend": friend, "treasury": treasury}

    def deploy(name: str, *args: bytes) -> str:
        address = chain_a.deploy(name, payer, *args)
        if name != "Kittens":
            chain_a.send(payer, address, data=calldata(name, "mint", payer.address, 1000 * ETH), gas=200_000)
        return address

    def call(to: str, name: str, fn: str, *args: Any) -> str:
        return chain_a.send(payer, to, data=calldata(name, fn, *args), gas=300_000)

    tax = out["tax"] = deploy("TaxToken", encode(["address"], [treasury]))
    out["tax_to_friend"] = call(tax, "TaxToken", "transfer", friend, 100 * ETH)
    out["tax_to_its_contract"] = call(tax, "TaxToken", "transfer", tax, 10 * ETH)
    defl = out["defl"] = deploy("DeflationaryToken")
    out["defl_to_friend"] = call(defl, "DeflationaryToken", "transfer", friend, 50 * ETH)
    out["defl_to_zero"] = call(defl, "DeflationaryToken", "transfer", ZERO, 5 * ETH)
    bridged = out["bridged"] = deploy("BridgedToken")
    out["bridge_withdraw"] = call(bridged, "BridgedToken", "withdraw", 40 * ETH)
    out["bridge_burn"] = call(bridged, "BridgedToken", "burn", 2 * ETH)
    quiet = out["quiet"] = chain_a.deploy("FalseToken", payer)  # nothing minted: every transfer returns false
    out["false_return"] = call(quiet, "FalseToken", "transfer", friend, 5 * ETH)
    kittens = out["kittens"] = deploy("Kittens")
    call(kittens, "Kittens", "mint", payer.address, 7)
    call(kittens, "Kittens", "mint", payer.address, 8)
    out["nft_to_its_contract"] = call(kittens, "Kittens", "transferFrom", payer.address, kittens, 7)
    out["nft_to_friend"] = call(kittens, "Kittens", "transferFrom", payer.address, friend, 8)
    badges = out["badges"] = chain_a.deploy("Badges", payer)
    call(badges, "Badges", "mint", payer.address, 3, 5)
    out["badges_to_its_contract"] = call(badges, "Badges", "safeTransferFrom", payer.address, badges, 3, 2, b"")
    out["badges_to_friend"] = call(badges, "Badges", "safeTransferFrom", payer.address, friend, 3, 1, b"")

    # an EIP-7702 account whose tokens a sponsor's transaction moves
    owner = funded(chain_a, funder, 1)
    sponsor = funded(chain_a, funder, 1)
    delegate = chain_a.deploy("Sponsored", funder)
    strd = out["strd"] = chain_a.deploy("Stardust", funder)
    chain_a.send(funder, strd, data=calldata("Stardust", "mint", owner.address, 100 * ETH), gas=200_000)
    out["owner"], out["sponsor"] = owner.address, sponsor.address
    inner = calldata("Stardust", "transfer", strd, 5 * ETH)
    out["sponsored_to_token"] = sponsored(
        chain_a, sponsor, owner, delegate, calldata("Sponsored", "execute", strd, 0, inner)
    )
    inner = calldata("Stardust", "transfer", friend, 6 * ETH)
    out["sponsored_to_friend"] = sponsored(
        chain_a, sponsor, owner, delegate, calldata("Sponsored", "execute", strd, 0, inner)
    )

    # a contract wallet (owner-called, like a Safe's owner executing): its tokens, its history, a planted look-alike
    wallet = out["wallet"] = chain_a.deploy("Wallet", payer)
    chain_a.send(funder, strd, data=calldata("Stardust", "mint", wallet, 100 * ETH), gas=200_000)

    def from_wallet(to: str, amount: int) -> str:
        inner = calldata("Stardust", "transfer", to, amount)
        return chain_a.send(payer, wallet, data=calldata("Wallet", "execute", strd, 0, inner), gas=300_000)

    out["wallet_to_token"] = from_wallet(strd, 3 * ETH)
    partner = out["partner"] = Account.create().address
    lookalike = out["lookalike"] = twin(partner, 5, 4)
    from_wallet(partner, 4 * ETH)
    attacker = funded(chain_a, funder, 1)
    chain_a.send(attacker, strd, data=calldata("Stardust", "transferFrom", wallet, lookalike, 0), gas=200_000)
    out["wallet_to_lookalike"] = from_wallet(lookalike, 2 * ETH)
    return out


CASES = (
    "tax_to_friend",
    "tax_to_its_contract",
    "defl_to_friend",
    "defl_to_zero",
    "bridge_withdraw",
    "bridge_burn",
    "false_return",
    "nft_to_its_contract",
    "nft_to_friend",
    "badges_to_its_contract",
    "badges_to_friend",
    "sponsored_to_token",
    "sponsored_to_friend",
    "wallet_to_token",
    "wallet_to_lookalike",
)


@pytest.fixture(scope="module")
def via_cli(scene: dict[str, Any], chains_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    """Every case through `txdiag diagnose --json`, in both languages (side by side to keep the suite fast)."""
    tmp = tmp_path_factory.mktemp("cli-data")
    jobs = [(name, lang) for name in CASES for lang in LANGS]

    def one(job: tuple[str, str]) -> dict[str, Any]:
        name, lang = job
        return cli(scene[name], chains_dir, tmp, "--chain", "alpha", "--lang", lang)

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(jobs, pool.map(one, jobs), strict=True))


@pytest.fixture(scope="module")
def via_http(scene: dict[str, Any], chains_dir: Path) -> dict[Any, Any]:
    """Every case through the real HTTP app (GET /v1/tx/{hash}), in both languages."""

    async def run() -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        async with serving(chains_dir) as live:
            for name in CASES:
                for lang in LANGS:
                    params = {"chain": "alpha", "lang": lang}
                    async with live.session.get(f"/v1/tx/{scene[name]}", params=params) as resp:
                        assert resp.status == 200, await resp.text()
                        out[name, lang] = await resp.json()
        return out

    return asyncio.run(run())


@pytest.fixture(params=["cli", "http"])
def docs(request: pytest.FixtureRequest) -> dict[Any, Any]:
    """The diagnoses of every case in both languages, from one front end."""
    result: dict[Any, Any] = request.getfixturevalue(f"via_{request.param}")
    return result


def codes(doc: dict[str, Any]) -> set[str]:
    return {f["code"] for f in doc["findings"]}


def finding(doc: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in doc["findings"] if f["code"] == code]
    assert found, f"{code} not in {sorted(codes(doc))}"
    details: dict[str, Any] = found[0]["details"]
    return details


@pytest.mark.parametrize(
    "name",
    [
        "tax_to_friend",
        "defl_to_friend",
        "bridge_withdraw",
        "bridge_burn",
        "nft_to_friend",
        "badges_to_friend",
        "sponsored_to_friend",
    ],
)
@pytest.mark.parametrize("lang", LANGS)
def test_token_logic_is_never_misdirection(docs: dict[Any, Any], name: str, lang: str) -> None:
    """Taxes to the token and a treasury, burns inside a transfer, bridge and burn() burns: confirmed, no alarm."""
    doc = docs[name, lang]
    assert doc["tx"]["status"] == "success"
    assert doc["verdict"] in ("confirmed", "delayed"), doc["summary"]
    assert not codes(doc) & (MISDIRECTED_CODES | {"contract_recipient", "nothing_transferred"})
    assert doc["lang"] == lang


def test_tax_token_logs_are_all_there(docs: dict[Any, Any], scene: dict[str, Any]) -> None:
    """The tax token's three Transfer logs are shown as they are: the diagnosis hides nothing it ignores."""
    doc = docs["tax_to_friend", "en"]
    moved = {(t["to"], t["amount"]) for t in doc["tx"]["token_transfers"]}
    assert moved == {(scene["tax"], "3"), (scene["treasury"], "2"), (scene["friend"], "95")}


@pytest.mark.parametrize("lang", LANGS)
def test_hand_addressed_transfer_to_the_token_is_misdirection(
    docs: dict[Any, Any], scene: dict[str, Any], lang: str
) -> None:
    """A tax token sent by hand to its own contract is still misdirected (its tax log does not hide it)."""
    doc = docs["tax_to_its_contract", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "token_contract_recipient")
    assert (d["recipient"], d["own_token"], d["asset"], d["amount"]) == (scene["tax"], True, "MCAKE", "10")


@pytest.mark.parametrize("lang", LANGS)
def test_hand_addressed_transfer_to_zero_is_misdirection(docs: dict[Any, Any], lang: str) -> None:
    """A deflationary token sent by hand to the zero address: misdirected, for the addressed amount."""
    doc = docs["defl_to_zero", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "zero_address_recipient")
    assert (d["recipient"], d["amount"], d["asset"], d["via"]) == (ZERO, "5", "EMBR", "calldata")


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "The token refused the transfer; nothing was sent"), ("zh-CN", "代币拒绝了这笔转账，什么也没有转出")],
)
def test_false_return_is_failed(docs: dict[Any, Any], scene: dict[str, Any], lang: str, words: str) -> None:
    """Status 1 but the token returned false and logged nothing: failed, in plain words, with the amount."""
    doc = docs["false_return", lang]
    assert doc["tx"]["status"] == "success"
    assert doc["verdict"] == "failed"
    d = finding(doc, "nothing_transferred")
    assert (d["recipient"], d["token"], d["asset"], d["amount"]) == (scene["friend"], scene["quiet"], "QUIET", "5")
    assert d["returned_false"] is True  # read from the call trace: the token answered false
    assert doc["summary"].startswith(words)
    assert any("5 QUIET" in s for s in doc["next_steps"])


@pytest.mark.parametrize(("lang", "words"), [("en", "NFT #7 of KIT"), ("zh-CN", "KIT 的 NFT #7")])
def test_nft_sent_to_its_own_contract(docs: dict[Any, Any], scene: dict[str, Any], lang: str, words: str) -> None:
    """An ERC-721 sent to its own contract: misdirected, spoken of as NFT #7 of the collection, never an amount."""
    doc = docs["nft_to_its_contract", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "token_contract_recipient")
    assert (d["recipient"], d["nft"], d["token_id"], d["collection"]) == (scene["kittens"], True, 7, "KIT")
    assert words in doc["summary"]
    assert "smallest units" not in doc["summary"]
    assert "最小单位" not in doc["summary"]
    (moved,) = doc["tx"]["token_transfers"]
    assert (moved["standard"], moved["token_id"], moved["decimals"]) == ("erc721", "7", None)


@pytest.mark.parametrize("lang", LANGS)
def test_sponsored_account_paying_its_token_contract(docs: dict[Any, Any], scene: dict[str, Any], lang: str) -> None:
    """A sponsor's transaction moves a 7702 account's tokens to the token contract: the account is the payer."""
    doc = docs["sponsored_to_token", lang]
    assert doc["tx"]["from"] == scene["sponsor"]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "token_contract_recipient")
    assert (d["recipient"], d["amount"], d["asset"]) == (scene["strd"], "5", "STRD")


def test_chinese_answers_carry_no_english_summary(docs: dict[Any, Any]) -> None:
    """Every zh-CN summary here is in Chinese (no English sentence leaks from the new words)."""
    for name in CASES:
        summary = docs[name, "zh-CN"]["summary"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in summary), (name, summary)


@pytest.mark.parametrize("lang", LANGS)
def test_contract_wallet_paying_its_token_contract(docs: dict[Any, Any], scene: dict[str, Any], lang: str) -> None:
    """Tokens leaving a contract wallet (its owner's execute()) for the token's own contract: misdirected."""
    doc = docs["wallet_to_token", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "token_contract_recipient")
    assert (d["recipient"], d["amount"], d["asset"]) == (scene["strd"], "3", "STRD")


@pytest.mark.parametrize("lang", LANGS)
def test_contract_wallet_history_catches_a_lookalike(docs: dict[Any, Any], scene: dict[str, Any], lang: str) -> None:
    """The paying wallet's own history, not its owner's, shows the look-alike it was poisoned with."""
    doc = docs["wallet_to_lookalike", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "lookalike_recipient")
    assert (d["recipient"], d["lookalike_of"], d["first_seen_as"]) == (
        scene["lookalike"],
        scene["partner"],
        "zero_value_transfer",
    )


@pytest.mark.parametrize(("lang", "words"), [("en", "2 × NFT #3 of BDG"), ("zh-CN", "BDG 的 2 个 NFT #3")])
def test_erc1155_sent_to_its_own_contract(docs: dict[Any, Any], scene: dict[str, Any], lang: str, words: str) -> None:
    """ERC-1155 items sent to their own contract: misdirected, with how many of which id."""
    doc = docs["badges_to_its_contract", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "token_contract_recipient")
    assert (d["recipient"], d["token_id"], d["nft_count"]) == (scene["badges"], 3, 2)
    assert words in doc["summary"]
    (moved,) = doc["tx"]["token_transfers"]
    assert (moved["standard"], moved["token_id"], moved["value"]) == ("erc1155", "3", "2")


def test_pending_nft_is_told_by_erc165(fresh_node: Anvil, tmp_path: Path) -> None:
    """A pending ERC-721 transferFrom (no log yet) to its own contract: supportsInterface tells it is an NFT."""
    chain = Chain(fresh_node)
    owner = account(1)
    kittens = chain.deploy("Kittens", owner)
    chain.send(owner, kittens, data=calldata("Kittens", "mint", owner.address, 7), gas=200_000)
    fresh_node.automine(False)
    tx_hash = chain.send(
        owner, kittens, data=calldata("Kittens", "transferFrom", owner.address, kittens, 7), gas=200_000
    )
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", fresh_node.chain_id, [fresh_node.url])
    docs = {lang: cli(tx_hash, directory, tmp_path / "data", "--lang", lang) for lang in LANGS}

    async def http() -> None:
        async with serving(directory) as live:
            for lang in LANGS:
                async with live.session.get(f"/v1/tx/{tx_hash}", params={"lang": lang}) as resp:
                    docs["http-" + lang] = await resp.json()

    asyncio.run(http())
    for key, doc in docs.items():
        assert doc["tx"]["status"] == "pending"
        assert doc["verdict"] == "misdirected"
        d = finding(doc, "token_contract_recipient")
        assert (d["nft"], d["token_id"]) == (True, 7), key
        assert ("NFT #7 of KIT" if key.endswith("en") else "KIT 的 NFT #7") in doc["summary"]
