"""A token and a contract that advertise a fake support line, on a real node: the number is never shown.

The Hostile contract (tests/contracts/Hostile.sol) is deployed with a name, a
symbol and a revert string that each carry a phone number, as the scams that
send people to a fake support desk write them. A transfer of it and a failed
transfer of it are diagnosed through the CLI (text and ``--json``), the HTTP API
and the page, in English and Chinese: none of the number's digits is shown
anywhere, the mask is, and the scam signs say not to call.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import Anvil
from tests.support.chain import account, hostile_payments
from tests.support.live import serving
from txdiag.text import PHONE_MASK

TXDIAG = str(Path(sys.executable).parent / "txdiag")
NAME = "USDT Support +1 (800) 555-0199"
SYMBOL = "USDT +18005550199"
REASON = "Transfer locked. Call support +44 20 7946 0958 to unlock"
NUMBERS = ("+1 (800) 555-0199", "+18005550199", "+44 20 7946 0958")
DIGITS = ("18005550199", "442079460958")
SENDER = account(11)
RECIPIENT = "0x00000000000000000000000000000000000Bee13"
LANGS = ("en", "zh-CN")
WORDS = {
    "en": (
        "never reaches you through a token's name or a contract's error message",
        "Do not call that number",
        "only through your wallet's own app or website",
    ),
    "zh-CN": ("绝不会通过代币名称或合约的错误信息联系您", "不要拨打这个号码", "只通过钱包官方应用或官方网站联系客服"),
}


@pytest.fixture(scope="module")
def scam(node_a: Anvil) -> dict[str, str]:
    """A token named after a support line on alpha: one transfer that went through, one that reverted."""
    node_a.rpc("anvil_setBalance", SENDER.address, hex(10**20))  # an account no other test sends from
    return hostile_payments(node_a, SENDER, RECIPIENT, name=NAME, symbol=SYMBOL, reason=REASON)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TXDIAG, *args], capture_output=True, text=True, timeout=120, check=False)


def assert_no_number(out: str) -> None:
    """No number as written, nor any seven digits of one in a row, even with the separators taken out.

    Seven, not all: a display form cut at its limit could show most of a number. Hex (hashes,
    addresses, raw bytes) is taken out first: its digits are no number anyone reads.
    """
    for number in NUMBERS:
        assert number not in out, number
    runs = re.sub(r"[\s().+-]", "", re.sub(r"0x[0-9a-fA-F]+", " ", out))
    for digits in DIGITS:
        for at in range(len(digits) - 6):
            assert digits[at : at + 7] not in runs, (digits, out)


def walk_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*(str(k) for k in value), *(s for v in value.values() for s in walk_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in walk_strings(v)]
    return []


def check_json(doc: dict[str, Any], key: str, lang: str) -> None:
    """The shown text holds the mask and no number; the sign is there with its words; the verdict is its own."""
    shown = [s for s in walk_strings(doc) if not s.startswith("0x")]  # hex: hashes, addresses, raw bytes
    for s in shown:
        assert_no_number(s)
    codes = {f["code"]: f for f in doc["findings"]}
    if key == "ok":
        assert doc["verdict"] == "confirmed"
        t = doc["tx"]["token_transfers"][0]
        assert t["name"] == f"USDT Support {PHONE_MASK}"
        assert t["symbol"] == f"USDT {PHONE_MASK}"
        assert codes["scam_phone_token"]["details"] == {"token": t["token"], "field": "name"}
        assert codes["scam_phone_token"]["severity"] == "warning"
    else:
        assert doc["verdict"] == "failed"
        assert f"Call support {PHONE_MASK} to unlock" in json.dumps(codes["reverted"]["details"], ensure_ascii=False)
        assert codes["scam_phone_message"]["details"]["source"] == "contract"
    said = " ".join([doc["summary"], *(f["message"] for f in doc["findings"]), *doc["next_steps"]])
    for words in WORDS[lang]:
        assert words in said, (words, said)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", ["ok", "failed"])
def test_cli_text_shows_no_phone_number(scam: dict[str, str], chains_dir: Path, key: str, lang: str) -> None:
    """CLI text: the mask where the number was, none of its digits, and the words not to call."""
    result = cli("diagnose", scam[key], "--chain", "alpha", "--chains-dir", str(chains_dir), "--lang", lang)
    assert result.returncode == 0, result.stderr
    assert_no_number(result.stdout)
    assert PHONE_MASK in result.stdout
    for words in WORDS[lang]:
        assert words in result.stdout, result.stdout


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", ["ok", "failed"])
def test_cli_json_shows_no_phone_number(scam: dict[str, str], chains_dir: Path, key: str, lang: str) -> None:
    """--json: masked names, symbol and reason; the scam sign with its words."""
    result = cli("diagnose", scam[key], "--chain", "alpha", "--chains-dir", str(chains_dir), "--json", "--lang", lang)
    assert result.returncode == 0, result.stderr
    check_json(json.loads(result.stdout), key, lang)


async def test_http_and_page_show_no_phone_number(scam: dict[str, str], chains_dir: Path) -> None:
    """The API's JSON and the page, in both languages: the mask, no digit of the number, the words not to call."""
    async with serving(chains_dir) as live:
        for key in ("ok", "failed"):
            for lang in LANGS:
                async with live.session.get(f"/v1/tx/{scam[key]}", params={"chain": "alpha", "lang": lang}) as resp:
                    assert resp.status == 200, await resp.text()
                    check_json(await resp.json(), key, lang)
                async with live.session.get(f"/tx/{scam[key]}", params={"chain": "alpha", "lang": lang}) as resp:
                    assert resp.status == 200
                    page = await resp.text()
                shown = html.unescape(page)
                assert_no_number(shown)
                assert PHONE_MASK in shown
                for words in WORDS[lang]:
                    assert words in shown, words
