"""Scam signs from evidence values: tokens and revert strings that advertise a site, in both languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from eth_abi.abi import encode

from txdiag import text
from txdiag.chains import ChainSpec, Endpoint
from txdiag.families.evm.classify.engine import classify
from txdiag.families.evm.classify.scam import scam_revert_message, scam_token
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
