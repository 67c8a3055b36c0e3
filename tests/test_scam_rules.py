"""Scam signs from evidence values: tokens and revert strings that advertise a site or a phone number."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from eth_abi.abi import encode

from txdiag import text
from txdiag.chains import ChainSpec, Endpoint
from txdiag.families.evm.classify.engine import classify
from txdiag.families.evm.classify.scam import scam_phone_message, scam_phone_token, scam_revert_message, scam_token
from txdiag.guidance.render import render
from txdiag.models import (
    Code,
    Evidence,
    FailureInfo,
    FailureKind,
    NetworkView,
    ReceiptView,
    TokenTransfer,
    TxStatus,
    TxView,
)

CHAIN = ChainSpec("alpha", 31337, "ETH", 18, 3, 12.0, (Endpoint("http://127.0.0.1:1", "http://127.0.0.1:1"),))
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _ev(status: TxStatus = TxStatus.SUCCESS, **kw: Any) -> Evidence:
    tx = TxView(
        hash="0x" + "11" * 32,
        sender="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        to=TOKEN,
        nonce=7,
        value=0,
        gas=100_000,
        type=2,
        input=b"",
        gas_price=10**9,
        max_fee_per_gas=3 * 10**9,
        max_priority_fee_per_gas=10**9,
        block_number=100,
        block_hash="0x" + "22" * 32,
    )
    return Evidence(
        hash=tx.hash,
        chain="alpha",
        network=NetworkView(head=200, head_timestamp=0, finalized=150, safe=None, next_base_fee=2 * 10**9),
        tx=tx,
        receipt=ReceiptView(status, 100, "0x" + "22" * 32, 50_000, 10**9, ()),
        **kw,
    )


def transfer(name: str | None, symbol: str | None) -> TokenTransfer:
    return TokenTransfer(TOKEN, "0x" + "34" * 20, "0x" + "56" * 20, 10, symbol, 18, 0, name=name)


@pytest.mark.parametrize(
    ("name", "symbol", "site", "lure"),
    [
        (text.name("Visit usdt-claim.io to claim"), "USDT", "usdt-claim[.]io", "visit"),
        ("Tether USD", text.symbol("https://x.io"), "x[.]io", None),
        ("Airdrop Reward", "AIR", None, "airdrop"),
        ("Tether USD", "USDT", None, None),
        (None, None, None, None),
    ],
)
def test_scam_token(name: str | None, symbol: str | None, site: str | None, lure: str | None) -> None:
    """A name or symbol with a site or lure wording is a scam_token finding, the site defanged; others are not."""
    finding = scam_token(_ev(token_transfers=(transfer(name, symbol),)), CHAIN, NOW)
    if site is None and lure is None:
        assert finding is None
        return
    assert finding is not None
    assert finding.code is Code.SCAM_TOKEN
    assert finding.details.get("site") == site
    assert finding.details.get("lure") == lure
    assert not finding.code.escalates


def test_scam_revert_message() -> None:
    """A revert string naming a site is scam_revert_message; a plain reason is not."""
    data = bytes.fromhex("08c379a0") + encode(["string"], ["Failed: go to http://fix-wallet.app\x1b[2J now"])
    info = FailureInfo(source="trace", kind=FailureKind.REVERT, revert_data=data)
    finding = scam_revert_message(_ev(TxStatus.REVERTED, failure=info), CHAIN, NOW)
    assert finding is not None
    assert finding.details["site"] == "fix-wallet[.]app"
    plain = bytes.fromhex("08c379a0") + encode(["string"], ["ERC20: transfer amount exceeds balance"])
    quiet = _ev(TxStatus.REVERTED, failure=replace(info, revert_data=plain))
    assert scam_revert_message(quiet, CHAIN, NOW) is None


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_scam_guidance_words(lang: str) -> None:
    """The guidance says not to visit the defanged site and not to approve the token, in every language."""
    ev = _ev(token_transfers=(transfer(text.name("Visit usdt-claim.io to claim"), "USDT"),))
    out = render(classify(ev, CHAIN, NOW), ev, CHAIN, lang)
    codes = [f.code for f in out.findings]
    assert "scam_token" in codes
    joined = " ".join(out.next_steps)
    assert "usdt-claim[.]io" in joined
    assert "usdt-claim.io" not in joined + " ".join(f.message for f in out.findings) + out.summary
    assert ("approve" in joined) if lang == "en" else ("授权" in joined)


def _reverting(message: str, error: str | None = None, contract: str | None = TOKEN) -> Evidence:
    data = bytes.fromhex("08c379a0") + encode(["string"], [message])
    return _ev(
        TxStatus.REVERTED,
        failure=FailureInfo(source="trace", kind=FailureKind.REVERT, revert_data=data, error=error, contract=contract),
    )


@pytest.mark.parametrize(
    ("name", "symbol", "field"),
    [
        (text.name("USDT Support +1 (800) 555-0199"), "USDT", "name"),
        ("Tether USD", text.symbol("+18005550199"), "symbol"),
        (text.name("客服电话13800138000"), "USDT", "name"),
        (text.name("Call18005550199 to unlock"), text.symbol("+1 800 555 0199"), "name"),
        ("USDT0", "USDT0", None),
        ("Token 2024", "TKN", None),
        ("10000 USDC airdrop", "USDC", None),  # a lure (scam_token), not a phone number
        ("Series 2024-01-15", "v2.0.1", None),
        ("Tether USD", "1INCH", None),
        (None, None, None),
    ],
)
def test_scam_phone_token(name: str | None, symbol: str | None, field: str | None) -> None:
    """A name or symbol that carried a phone number (shown masked) is scam_phone_token; numbers that are not are not."""
    finding = scam_phone_token(_ev(token_transfers=(transfer(name, symbol),)), CHAIN, NOW)
    if field is None:
        assert finding is None
        return
    assert finding is not None
    assert finding.code is Code.SCAM_PHONE_TOKEN
    assert finding.details == {"token": TOKEN, "field": field}
    assert not finding.code.escalates


@pytest.mark.parametrize(
    ("ev", "source"),
    [
        (_reverting("Transfer locked. Call support +44 20 7946 0958 to unlock"), "contract"),
        (_reverting("转账已锁定，请致电 +86 138 0013 8000 解锁"), "contract"),
        (_reverting("", error=text.reason("stack underflow. Call support at +1-800-555-0100")), "node"),
        (_reverting("ERC20: transfer amount exceeds balance"), None),
        (_reverting("insufficient: have 12345678 want 99999999"), None),
        (_reverting("Deadline passed at 2024-01-15 12:30:45", error=text.reason("execution reverted")), None),
    ],
)
def test_scam_phone_message(ev: Evidence, source: str | None) -> None:
    """A revert string or node error text with a phone number is scam_phone_message, which never sets the verdict."""
    finding = scam_phone_message(ev, CHAIN, NOW)
    if source is None:
        assert finding is None
        return
    assert finding is not None
    assert finding.code is Code.SCAM_PHONE_MESSAGE
    assert finding.details == {"source": source, "contract": TOKEN}
    assert not finding.code.escalates
    assert classify(ev, CHAIN, NOW).verdict == classify(_reverting("plain"), CHAIN, NOW).verdict


def test_a_number_past_the_display_cut_is_still_a_sign() -> None:
    """A name whose number lies past what is shown of it: the raw bytes kept beside it still tell."""
    raw = "Tether USD " + "x" * 60 + " call +1 800 555 0199"
    shown = text.name(raw)
    assert not text.phone_in(shown)  # cut off before the number
    t = replace(transfer(shown, "USDT"), name_hex=text.raw_hex(raw.encode()))
    finding = scam_phone_token(_ev(token_transfers=(t,)), CHAIN, NOW)
    assert finding is not None
    assert finding.details == {"token": TOKEN, "field": "name"}
    plain = replace(transfer("Tether USD", "USDT"), name_hex=text.raw_hex(b"Tether USD 2024-01-15"))
    assert scam_phone_token(_ev(token_transfers=(plain,)), CHAIN, NOW) is None


def test_phone_signs_do_not_set_the_verdict() -> None:
    """A confirmed transfer of a token whose name carries a phone number stays confirmed, with the sign beside it."""
    ev = _ev(token_transfers=(transfer(text.name("USDT Support +1 (800) 555-0199"), "USDT"),))
    result = classify(ev, CHAIN, NOW)
    assert Code.SCAM_PHONE_TOKEN in [f.code for f in result.findings]
    plain = classify(_ev(token_transfers=(transfer("Tether USD", "USDT"),)), CHAIN, NOW)
    assert result.verdict == plain.verdict


PHONE_WORDS = {
    "en": ("never reaches you through a token's name", "Do not call that number", "wallet's own app or website"),
    "zh-CN": ("绝不会通过代币名称或合约的错误信息联系您", "不要拨打这个号码", "钱包官方应用或官方网站"),
}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_phone_guidance_words(lang: str) -> None:
    """The words say a real desk never calls through a token or an error, not to call, where support really is."""
    for ev, code in (
        (_ev(token_transfers=(transfer(text.name("USDT Support +1 (800) 555-0199"), "USDT"),)), "scam_phone_token"),
        (_reverting("Transfer locked. Call support +44 20 7946 0958 to unlock"), "scam_phone_message"),
    ):
        out = render(classify(ev, CHAIN, NOW), ev, CHAIN, lang)
        found = next(f for f in out.findings if f.code == code)
        assert text.PHONE_MASK in found.message
        joined = " ".join([out.summary, *(f.message for f in out.findings), *out.next_steps])
        for words in PHONE_WORDS[lang]:
            assert words in joined, (words, joined)
        for digits in ("8005550199", "2079460958", "555-0199", "7946 0958"):
            assert digits not in joined
