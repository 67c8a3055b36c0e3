"""Fake tokens and address poisoning on a real node, through the CLI and the HTTP API, in en and zh-CN.

The chain file lists a "genuine" USDT (a token deployed first, as its issuer
would publish it); a second token calling itself USDT is the fake.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_account import Account

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account, calldata
from tests.support.live import serving
from tests.test_misdirected_e2e import cli, funded, twin

LANGS = ("en", "zh-CN")
USD = 10**6


@pytest.fixture(scope="module")
def scene(chain_a: Chain, node_a: Anvil, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A genuine and a fake USDT on alpha, a victim with a genuine history, and the poisoning that follows."""
    funder = account(9)
    victim = funded(chain_a, funder, 2)
    attacker = funded(chain_a, funder, 1)
    issuer = funded(chain_a, funder, 1)
    genuine = chain_a.deploy("Counterfeit", issuer, encode(["string", "uint8"], ["USDT", 6]))
    fake = chain_a.deploy("Counterfeit", attacker, encode(["string", "uint8"], ["USDT", 6]))
    strd = chain_a.deploy("Stardust", issuer)
    # USDT written with a Cyrillic capital dze (U+0405): it reads as USDT and compares as nothing else
    imitation = chain_a.deploy("Counterfeit", attacker, encode(["string", "uint8"], ["U\u0405DT", 6]))
    friend = Account.create().address
    lookalike = twin(friend, 5, 4)
    out: dict[str, Any] = {"victim": victim.address, "genuine": genuine, "fake": fake, "friend": friend}
    out["imitation"] = imitation
    out["lookalike"] = lookalike

    def send(who: Any, to: str, name: str, fn: str, *args: Any) -> str:
        return chain_a.send(who, to, data=calldata(name, fn, *args), gas=200_000)

    send(issuer, genuine, "Counterfeit", "mint", victim.address, 100 * USD)
    send(issuer, strd, "Stardust", "mint", victim.address, 100 * 10**18)
    send(attacker, fake, "Counterfeit", "mint", victim.address, 100 * USD)
    out["genuine_to_friend"] = send(victim, genuine, "Counterfeit", "transfer", friend, 7 * USD)
    send(victim, strd, "Stardust", "transfer", friend, 10**18)
    out["fake_sent"] = send(victim, fake, "Counterfeit", "transfer", friend, 5 * USD)
    # poisoning: a fake "payment" from the look-alike, and a zero-value transferFrom out of the victim
    out["fake_airdrop"] = send(attacker, fake, "Counterfeit", "airdrop", lookalike, victim.address, 7 * USD)
    out["zero_value"] = send(attacker, strd, "Stardust", "transferFrom", victim.address, lookalike, 0)
    out["imitation_airdrop"] = send(attacker, imitation, "Counterfeit", "airdrop", lookalike, victim.address, 9 * USD)

    directory = tmp_path_factory.mktemp("chains-with-tokens")
    table = f'\n[tokens]\nUSDT = {{ address = "{genuine}", issuer = "Tether" }}\n'
    write_chain_file(directory, "alpha", node_a.chain_id, [node_a.url], extra=table)
    out["dir"] = directory
    return out


CASES = ("genuine_to_friend", "fake_sent", "fake_airdrop", "zero_value", "imitation_airdrop")


@pytest.fixture(scope="module")
def via_cli(scene: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    """Every case through `txdiag diagnose --json`, in both languages."""
    tmp = tmp_path_factory.mktemp("cli-data")
    jobs = [(name, lang) for name in CASES for lang in LANGS]

    def one(job: tuple[str, str]) -> dict[str, Any]:
        return cli(scene[job[0]], scene["dir"], tmp, "--lang", job[1])

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(jobs, pool.map(one, jobs), strict=True))


@pytest.fixture(scope="module")
def via_http(scene: dict[str, Any]) -> dict[Any, Any]:
    """Every case through the real HTTP app, in both languages."""

    async def run() -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        async with serving(scene["dir"]) as live:
            for name in CASES:
                for lang in LANGS:
                    async with live.session.get(f"/v1/tx/{scene[name]}", params={"lang": lang}) as resp:
                        assert resp.status == 200, await resp.text()
                        out[name, lang] = await resp.json()
        return out

    return asyncio.run(run())


@pytest.fixture(params=["cli", "http"])
def docs(request: pytest.FixtureRequest) -> dict[Any, Any]:
    result: dict[Any, Any] = request.getfixturevalue(f"via_{request.param}")
    return result


def finding(doc: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in doc["findings"] if f["code"] == code]
    assert found, f"{code} not in {[f['code'] for f in doc['findings']]}"
    details: dict[str, Any] = found[0]["details"]
    return details


def codes(doc: dict[str, Any]) -> set[str]:
    return {f["code"] for f in doc["findings"]}


@pytest.mark.parametrize("lang", LANGS)
def test_genuine_token_is_not_flagged(docs: dict[Any, Any], lang: str) -> None:
    """The listed USDT itself: no fake-token or poisoning finding."""
    doc = docs["genuine_to_friend", lang]
    assert doc["verdict"] in ("confirmed", "delayed")
    assert not codes(doc) & {"fake_token", "address_poisoning"}


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "This is not Tether's USDT on alpha"), ("zh-CN", "这不是 alpha 上的 Tether 发行的 USDT")]
)
def test_fake_usdt_sent(docs: dict[Any, Any], scene: dict[str, Any], lang: str, words: str) -> None:
    """Sending the fake: flagged, with whose USDT it is not and where the real one is."""
    doc = docs["fake_sent", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "fake_token")
    assert (d["token"], d["genuine"], d["issuer"], d["explanation"]) == (
        scene["fake"],
        scene["genuine"],
        "Tether",
        "fake_sent",
    )
    assert doc["summary"].startswith(words)
    assert scene["genuine"] in doc["summary"]


@pytest.mark.parametrize(("lang", "words"), [("en", "moved no funds"), ("zh-CN", "没有转走任何资金")])
def test_fake_airdrop_from_lookalike_is_poisoning(
    docs: dict[Any, Any], scene: dict[str, Any], lang: str, words: str
) -> None:
    """A fake USDT "payment" from a look-alike of the victim's friend: fake, and poisoning naming the friend."""
    doc = docs["fake_airdrop", lang]
    assert doc["verdict"] == "misdirected"
    assert finding(doc, "fake_token")["explanation"] == "fake_received"
    p = finding(doc, "address_poisoning")
    assert (p["victim"], p["planted"], p["lookalike_of"]) == (scene["victim"], scene["lookalike"], scene["friend"])
    assert any(words in f["message"] or words in doc["summary"] for f in doc["findings"]) or words in " ".join(
        doc["next_steps"]
    )
    assert any(
        ("Never copy an address" if lang == "en" else "切勿从交易记录中复制地址") in s for s in doc["next_steps"]
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "This was address poisoning, and it moved no funds"), ("zh-CN", "这是地址投毒，没有转走任何资金")],
)
def test_zero_value_transfer_is_poisoning(docs: dict[Any, Any], scene: dict[str, Any], lang: str, words: str) -> None:
    """A third party's zero-value transferFrom out of the victim to a look-alike: poisoning, nothing moved."""
    doc = docs["zero_value", lang]
    assert doc["verdict"] == "misdirected"
    p = finding(doc, "address_poisoning")
    assert (p["victim"], p["planted"], p["lookalike_of"]) == (scene["victim"], scene["lookalike"], scene["friend"])
    assert doc["summary"].startswith(words)
    assert not {c for c in codes(doc) if c.endswith("_recipient")}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "the token {token} calls itself U\u0405DT, written with other characters (U+0405) to look like USDT"),
        ("zh-CN", "代币 {token} 自称 U\u0405DT，用其他字符（U+0405）写成，只是看起来像 USDT"),
    ],
)
def test_lookalike_usdt_airdrop(docs: dict[Any, Any], scene: dict[str, Any], lang: str, words: str) -> None:
    """A token whose symbol is USDT with a Cyrillic Ѕ: a fake, said to imitate USDT, and its airdrop is poisoning."""
    doc = docs["imitation_airdrop", lang]
    assert doc["verdict"] == "misdirected"
    d = finding(doc, "fake_token")
    assert (d["token"], d["genuine"], d["symbol_claimed"], d["explanation"]) == (
        scene["imitation"],
        scene["genuine"],
        "USDT",
        "fake_received",
    )
    assert (d["lookalike"], d["symbol_shown"], d["lookalike_chars"], d["mixed_scripts"]) == (
        True,
        "U\u0405DT",
        ["U+0405"],
        True,
    )
    assert words.format(token=scene["imitation"]) in doc["summary"]
    p = finding(doc, "address_poisoning")
    assert (p["victim"], p["planted"], p["lookalike_of"], p["kind"]) == (
        scene["victim"],
        scene["lookalike"],
        scene["friend"],
        "foreign",
    )
