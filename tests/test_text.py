"""The one sanitiser for chain text: table cases, scam signs, and fuzzing of its guarantees."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from txdiag import text

UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def check_safe(out: str, limit: int) -> None:
    """The guarantees every sanitised string keeps."""
    assert len(out) <= limit
    assert out == out.strip()
    assert "  " not in out
    for ch in out:
        assert unicodedata.category(ch) not in UNSAFE_CATEGORIES, repr(ch)
        assert ch == " " or not ch.isspace(), repr(ch)
    assert "\x1b" not in out


@pytest.mark.parametrize(
    ("raw", "limit", "shown"),
    [
        ("USDT", 16, "USDT"),
        ("US\x00DT\x07", 16, "USDT"),
        ("\x1b[31mRED\x1b[0m", 16, "RED"),
        ("\x1b]8;;http://x\x07link\x1b]8;;\x07", 16, "link"),
        ("0x\u202edaed\u202c", 16, "0xdaed"),  # right-to-left override: gone
        ("U\u200bS\u200dD\ufeffT\u2060", 16, "USDT"),  # zero-width characters: gone
        ("Tether\nVerdict: CONFIRMED", 48, "Tether Verdict: CONFIRMED"),
        ("a\r\n\tb\u2028c\u2029d\x85e", 48, "a b c d e"),
        ("  spaced   out  ", 48, "spaced out"),
        ("x" * 100, 16, "x" * 15 + "…"),
        ("e\u0301\u0301\u0301\u0301", 16, "e\u0301\u0301"),  # combining marks bounded
        ("\u0301lone", 16, "lone"),
        ("泰达币", 16, "泰达币"),
        ("", 16, ""),
    ],
)
def test_clean_table(raw: str, limit: int, shown: str) -> None:
    """Control, ANSI, bidi and zero-width characters go; whitespace folds; long text ends in an ellipsis."""
    assert text.clean(raw, limit) == shown
    check_safe(text.clean(raw, limit), limit)


def test_limits() -> None:
    """Symbols, names and reasons have their own bounds."""
    long = "y" * 5000
    assert len(text.symbol(long)) == text.SYMBOL_LIMIT == 16
    assert len(text.name(long)) == text.NAME_LIMIT == 48
    assert len(text.reason(long)) == text.REASON_LIMIT == 200
    assert text.raw_hex(b"\xff" * 5000) == "0x" + "ff" * text.RAW_HEX_LIMIT


@pytest.mark.parametrize(
    ("raw", "site"),
    [
        ("Visit usdt-claim.io to claim", "usdt-claim[.]io"),
        ("https://Evil.example.com/path?x=1", "evil[.]example[.]com"),
        ("hxxp://bad.xyz", "bad[.]xyz"),
        ("go to www . scam-site . net now", "www[.]scam-site[.]net"),
        ("claim at airdrop[.]org", "airdrop[.]org"),
        ("USDT", None),
        ("Tether USD", None),
        ("1.5 ETH", None),
        ("ERC20: transfer amount exceeds balance", None),
        ("Contract.sol: bad", None),
        ("SafeMath.sub: underflow", None),
        ("Ownable.owner failed", None),
        ("bad.token.eth", None),
    ],
)
def test_site_in(raw: str, site: str | None) -> None:
    """A web address or domain is found and defanged; ordinary token names and reasons are not sites."""
    assert text.site_in(raw) == site


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("Claim your reward", "claim"),
        ("AIRDROP bonus", "airdrop"),
        ("visit us", "visit"),
        ("Rewards token", "rewards"),
        ("空投代币", "空投"),
        ("Tether USD", None),
        ("Reclaimer", None),
    ],
)
def test_lure_word_in(raw: str, word: str | None) -> None:
    """Lure wording is found as whole words."""
    assert text.lure_word_in(raw) == word


def test_defang_is_never_a_link() -> None:
    """A defanged domain has no dot a linker could follow."""
    shown = text.defang("usdt-claim.io")
    assert shown == "usdt-claim[.]io"
    assert "." not in shown.replace("[.]", "")


@given(st.text(max_size=600), st.integers(min_value=1, max_value=300))
def test_fuzz_clean(raw: str, limit: int) -> None:
    """Any text comes out safe, bounded, idempotent, and never longer than asked."""
    out = text.clean(raw, limit)
    check_safe(out, limit)
    assert text.clean(out, limit) == out


@given(st.binary(max_size=600))
def test_fuzz_clean_decoded_bytes(raw: bytes) -> None:
    """Bytes a contract returns, decoded as the probes decode them, come out safe."""
    for fn, limit in ((text.symbol, 16), (text.name, 48), (text.reason, 200)):
        check_safe(fn(raw.decode("utf-8", "replace")), limit)


@given(st.text(max_size=300))
def test_fuzz_site_in(raw: str) -> None:
    """Site detection never raises and what it returns holds no bare dot and no unsafe character."""
    site = text.site_in(raw)
    if site is not None:
        check_safe(site, 200)
        assert "." not in site.replace("[.]", "")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Visit usdt-claim.io to claim", "Visit usdt-claim[.]io to claim"),
        ("refund at https://fix-wallet.app/now", "refund at hxxps://fix-wallet[.]app/now"),
        ("HTTP://X.IO", "hxxp://x[.]io"),
        ("SafeMath.sub: underflow", "SafeMath.sub: underflow"),
    ],
)
def test_display_defangs_sites(raw: str, shown: str) -> None:
    """What people are shown never holds a live link: schemes become hxxp, dots in sites become [.]."""
    assert text.reason(raw) == shown
    assert text.reason(shown) == shown


@given(st.text(max_size=400))
def test_fuzz_display(raw: str) -> None:
    """Display forms are safe, bounded, stable when shown again, and hold no http(s) scheme."""
    for fn, limit in ((text.symbol, 16), (text.name, 48), (text.reason, 200)):
        out = fn(raw)
        check_safe(out, limit)
        assert "http://" not in out.lower()
        assert "https://" not in out.lower()
