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


# -- phone numbers ------------------------------------------------------------

PHONES = [
    ("USDT Support +1 (800) 555-0199", "+1 (800) 555-0199"),
    ("Transfer locked. Call support +44 20 7946 0958 to unlock", "+44 20 7946 0958"),
    ("+44 (0)20 7946 0958", "+44 (0)20 7946 0958"),
    ("+18005550199", "+18005550199"),
    ("1-800-555-0199", "1-800-555-0199"),
    ("800.555.0199", "800.555.0199"),
    ("(800) 555-0199", "(800) 555-0199"),
    ("1(800)555-0199", "1(800)555-0199"),
    ("helpdesk 555-0199", "555-0199"),
    ("020 7946 0958", "020 7946 0958"),
    ("01 23 45 67 89", "01 23 45 67 89"),
    ("Call18005550199", "18005550199"),
    ("call 18005550199 now", "18005550199"),
    ("WhatsApp 447700900123", "447700900123"),
    ("Toll-free 8005550199", "8005550199"),
    ("Support ticket: call 8005550199", "8005550199"),
    ("客服电话13800138000", "13800138000"),
    ("拨打 +86 138 0013 8000 解锁", "+86 138 0013 8000"),
    ("Call 612 345 678", "612 345 678"),  # grouped in threes, but a word says it is a number
    ("＋１ ８００ ５５５ ０１９９", "＋１ ８００ ５５５ ０１９９"),  # full-width digits and plus
    ("+٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨", "+٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨"),  # Arabic-Indic digits
    ("+1 – 800 – 555 – 0199", "+1 – 800 – 555 – 0199"),
    ("+49 30/1234567", "+49 30/1234567"),
    ("order 12345678 hotline 555-0199", "555-0199"),
    ("12345678 555-0199", "555-0199"),  # the run starts with digits that are no number; the number follows
    # a colon right before the number: only a digit before it makes a time or a ratio
    ("Tel:+18005550199", "+18005550199"),
    ("WhatsApp:+447911123456", "+447911123456"),
    ("电话:13800138000", "13800138000"),
    ("Call:+1-800-555-0199", "+1-800-555-0199"),
    ("Hotline:18005550199", "18005550199"),
    ("phone:1-800-555-0199", "1-800-555-0199"),
    # full-width, middle-dot, underscore and doubled joins
    ("８００－５５５－０１９９", "８００－５５５－０１９９"),
    ("800·555·0199", "800·555·0199"),
    ("800_555_0199", "800_555_0199"),
    ("800--555--0199", "800--555--0199"),
    # words and signs that say "phone"
    ("微信 13800138000", "13800138000"),
    ("加微信13800138000", "13800138000"),
    ("telegram 18005550199", "18005550199"),
    ("tg 18005550199", "18005550199"),
    ("☎ 18005550199", "18005550199"),
    ("☎\ufe0f 18005550199", "18005550199"),
    ("📞18005550199", "18005550199"),
]

NOT_PHONES = [
    "USDT0",
    "1INCH",
    "Token 2024",
    "Token 2024 10000",
    "10000 USDC airdrop",
    "ERC-20",
    "ERC20: transfer amount exceeds balance",
    "v2.0.1",
    "v10.20.30.40",
    "192.168.100.200",
    "2024-01-15",
    "15.01.2024",
    "01/15/2024",
    "2024-01-15 12:30:45",
    "Season 2024-2025",
    "1,000,000",
    "1 000 000",
    "1.000.000",
    "10 000 000 USDC",
    "1234567.89",
    "Balance 1234567.89 USDC",
    "insufficient: have 12345678 want 99999999",
    "block 19000000",
    "Deadline(timestamp=1767225600)",
    "0x1234567890abcdef",
    "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "0x" + "00" * 32,
    "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
    "deadbeef1234567abc",
    "+5 % APY",
    "+1234",
    "12345678901234567890",  # too many digits for any number (E.164: at most 15)
    # a word says "phone" only right before the number
    "execution reverted: Call failed 12345678",
    "Support ends at block 20000000",
    "contact the owner, min 1000000",
    # a + or parentheses before ten digits that read as a Unix time
    "Trading not enabled until +1700000000",
    "Cooldown (60) 1700000000",
    # a letter right before the first group; ratios joined by slashes
    "UNI-V2 10/20/30/40",
    "rate 25/75/100",
    "ratio 1:1000000",
]


@pytest.mark.parametrize(("raw", "number"), PHONES)
def test_phone_numbers_are_found_and_masked(raw: str, number: str) -> None:
    """A phone number as people write it is found, and what is shown holds the mask and none of its digits."""
    assert text.phones_in(raw) == [number]
    assert text.phone_in(raw)
    shown = text.reason(raw)
    assert text.PHONE_MASK in shown
    assert number not in shown
    digits = "".join(ch for ch in number if ch.isdecimal())
    assert not any(ch.isdecimal() for ch in shown.replace(raw.replace(number, ""), "")), shown
    assert digits not in "".join(ch for ch in shown if ch.isdecimal())
    assert text.phone_in(shown)  # the mask still says a number was there
    assert text.reason(shown) == shown


@pytest.mark.parametrize("raw", NOT_PHONES)
def test_numbers_that_are_not_phone_numbers(raw: str) -> None:
    """Names, symbols, amounts, dates, versions, addresses and hashes are left as they are and raise no alarm."""
    assert text.phones_in(raw) == []
    assert not text.phone_in(raw)
    assert text.reason(raw) == raw


def test_masks_every_number_and_keeps_the_rest() -> None:
    """Two numbers in one text are both masked; the words and short numbers around them stay."""
    raw = "ERC-20 USDT0 support: +1 800 555 0199 or +44 20 7946 0958 (24/7)"
    assert text.reason(raw) == "ERC-20 USDT0 support: ☎*** or ☎*** (24/7)"


def test_long_runs_of_digit_groups() -> None:
    """Hundreds of digit groups in a row: single digits are no number; pairs are read as numbers, each masked."""
    ones = " ".join(["1"] * 400)
    assert text.reason(ones) == text.clean(ones, text.REASON_LIMIT)
    pairs = text.reason("+1 " + " ".join(["12"] * 400))
    assert not any(ch.isdecimal() for ch in pairs)
    assert pairs.startswith(text.PHONE_MASK)


def test_mask_is_never_cut_in_half() -> None:
    """A number at the cut is masked whole or not shown: no stray stars that read as the name's own."""
    for pad in range(30, 50):
        shown = text.name("A" * pad + " +1 800 555 0199 more")
        assert len(shown) <= text.NAME_LIMIT
        assert not any(ch.isdecimal() for ch in shown)
        if "*" in shown or "☎" in shown:
            assert text.PHONE_MASK in shown, shown


def test_symbol_with_a_number() -> None:
    """A symbol is masked like a name: "USDT +1 800 555 0199" shows as "USDT ☎***"."""
    assert text.symbol("USDT +1 800 555 0199") == "USDT ☎***"


_DIGIT = st.characters(min_codepoint=ord("0"), max_codepoint=ord("9"))
_SEP = st.sampled_from([" ", "-", ".", " - ", "/"])
_WORDS = st.sampled_from(["", "Support ", "USDT Support ", "Locked. ", "Hotline: ", "客服 "])
_TAIL = st.sampled_from(["", " to unlock", " now", " 24/7", "。", " (toll free)"])


@st.composite
def international(draw: st.DrawFn) -> str:
    """+CC then groups of 2-4 digits, 7-15 digits in all, joined by one kind of separator."""
    country = draw(st.text(_DIGIT, min_size=1, max_size=3).filter(lambda s: s[0] != "0"))
    sep = draw(_SEP)
    groups = draw(st.lists(st.text(_DIGIT, min_size=2, max_size=4), min_size=2, max_size=4))
    digits = len(country) + sum(map(len, groups))
    if digits < 7 or digits > 15:
        groups = ["555", "0199"] if digits < 7 else groups[:2]
    if draw(st.booleans()):
        groups[0] = f"({groups[0]})"
        return f"+{country} {groups[0]} {sep.join(groups[1:])}"
    return f"+{country} " + sep.join(groups)


@given(_WORDS, international(), _TAIL)
def test_fuzz_international_numbers_are_masked(before: str, number: str, after: str) -> None:
    """Any number in international form, in any words, is masked: none of its digits is shown."""
    raw = before + number + after
    for fn in (text.name, text.reason):
        shown = fn(raw)
        assert text.PHONE_MASK in shown, (raw, shown)
        kept = "".join(ch for ch in shown if ch.isdecimal())
        # only the tail's own "24/7" may stay (a number may run on into its "24", which is then masked too)
        assert "".join(ch for ch in after if ch.isdecimal()).endswith(kept), (raw, shown)
        assert text.phone_in(shown)


_NAME_WORD = st.sampled_from(["USDT", "Token", "ERC-20", "v2.0.1", "1INCH", "USDT0", "Pool", "Wrapped", "LP"])
_SMALL_NUMBER = st.integers(min_value=0, max_value=999_999).map(str)
_AMOUNT = st.integers(min_value=1000, max_value=10**15).map(lambda n: f"{n:,}")
_DATE = st.dates().map(lambda d: d.isoformat() if d.year >= 1000 else "2024-01-15")


@given(st.lists(st.tuples(_NAME_WORD, st.one_of(_SMALL_NUMBER, _AMOUNT, _DATE)), min_size=1, max_size=4))
def test_fuzz_ordinary_names_are_left_alone(parts: list[tuple[str, str]]) -> None:
    """Names of words with numbers under seven digits, amounts with commas and dates among them are never masked."""
    raw = " ".join(f"{word} {number}" for word, number in parts)
    assert text.phones_in(raw) == [], raw
    assert text.reason(raw) == raw


@given(st.text(max_size=400))
def test_fuzz_display_shows_no_phone_number(raw: str) -> None:
    """Whatever the text, what is shown holds no phone number, and showing it again changes nothing."""
    for fn in (text.symbol, text.name, text.reason):
        out = fn(raw)
        assert text.phones_in(out) == [], (raw, out)
        assert fn(out) == out


# -- bounded work -------------------------------------------------------------

ADVERSARIAL = [
    "1 " * 5000,
    "1-" * 5000,
    "12 " * 3333,
    "(1)" * 3333,
    "(1) " * 2500,
    "+1 " * 3333,
    "call 1 " * 1400,
    "1 - " * 2500,
    "１ " * 5000,
    "12-34 " * 1666,
    "call 1234 5678 " * 600,
    "1 . " * 2500,
    "(12) 34 " * 1200,
]


def _count_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = text._is_phone

    def counted(t: str, start: int, end: int) -> bool:
        calls[0] += 1
        return real(t, start, end)

    monkeypatch.setattr(text, "_is_phone", counted)
    return calls


@pytest.mark.parametrize("raw", ADVERSARIAL, ids=lambda s: repr(s[:8]))
def test_detection_reads_a_bounded_number_of_spans(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """However long the run of digit groups, a text costs at most MAX_CHECKS full checks; display reads a prefix."""
    calls = _count_checks(monkeypatch)
    text.phones_in(raw)
    assert calls[0] <= text.MAX_CHECKS
    read: list[int] = []
    real_numbers = text._numbers

    def numbers(t: str) -> list[tuple[int, int]]:
        read.append(len(t))
        return real_numbers(t)

    monkeypatch.setattr(text, "_numbers", numbers)
    calls[0] = 0
    for fn, limit in ((text.symbol, text.SYMBOL_LIMIT), (text.name, text.NAME_LIMIT), (text.reason, text.REASON_LIMIT)):
        shown = fn(raw)
        assert text.phones_in(shown) == []
        assert max(read) <= 2 * limit + 80 + 1
        read.clear()
    assert calls[0] <= 6 * text.MAX_CHECKS


def test_single_digits_cost_no_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of single digits can be no number without a + or a word: the cheap pass alone rules it out."""
    calls = _count_checks(monkeypatch)
    assert text.phones_in("1 " * 5000) == []
    assert calls[0] == 0


def test_past_the_bound_numbers_are_masked_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the full checks run out, a span that may be a number is masked: the bound never lets one through."""
    monkeypatch.setattr(text, "MAX_CHECKS", 0)
    for raw in ("Call 18005550199", "+1 800 555 0199", "1-800-555-0199", "(800) 555-0199"):
        shown = text.reason(raw)
        assert text.PHONE_MASK in shown, shown
        assert not any(ch.isdecimal() for ch in shown), shown


def test_a_number_where_reading_stops_is_not_shown_in_part() -> None:
    """Display reads a bounded prefix: digits where it stops, which may start a number, are dropped."""
    for pad in range(0, 40):
        raw = "x " * 200 + "y" * pad + " +1 800 555 0199 " + "z" * 500
        shown = text.reason(raw)
        assert not any(ch.isdecimal() for ch in shown), shown


@given(st.text(st.sampled_from("0123456789 -.()+/:"), min_size=0, max_size=3000))
def test_fuzz_checks_stay_bounded(raw: str) -> None:
    """Any text of digits and joins costs at most MAX_CHECKS full checks per read (counted, not timed)."""
    calls = [0]
    real = text._is_phone

    def counted(t: str, start: int, end: int) -> bool:
        calls[0] += 1
        return real(t, start, end)

    text._is_phone = counted  # a seam: hypothesis does not mix with function-scoped monkeypatch
    try:
        text.phones_in(raw)
    finally:
        text._is_phone = real
    assert calls[0] <= text.MAX_CHECKS


@pytest.mark.parametrize(
    ("fn", "raw"),
    [
        (text.symbol, "Tel 1800555019999999"),
        (text.symbol, "Call 1800555019900000"),
        (text.name, "A" * 32 + " call 180055501990000000"),
    ],
)
def test_a_cut_never_makes_a_number(fn: object, raw: str) -> None:
    """Sixteen digits or more are no number, but cut for display they may be: what is shown is masked again."""
    assert callable(fn)
    shown = fn(raw)
    assert text.phones_in(shown) == [], shown
    assert fn(shown) == shown
    assert shown.endswith(text.ELLIPSIS)


_PAD = st.text(st.sampled_from("ABC xyz:+-.()"), max_size=60)
_RUN = st.text(st.sampled_from("0123456789"), min_size=7, max_size=40)
_LEAD = st.sampled_from(["", "Tel ", "Call ", "Support: ", "+", "(", "客服电话", "☎ "])


@given(_PAD, _LEAD, _RUN, st.sampled_from(["", " ", "-", " 9999"]), _PAD)
def test_fuzz_display_of_padded_digit_runs_holds_no_number(pad: str, lead: str, run: str, tail: str, end: str) -> None:
    """Padded runs of digits, cut anywhere by the limits: what is shown never holds a number and is stable."""
    raw = pad + lead + run + tail + end
    for fn in (text.symbol, text.name, text.reason):
        out = fn(raw)
        assert text.phones_in(out) == [], (raw, out)
        assert fn(out) == out, (raw, out)


@given(st.text(max_size=400), st.integers(min_value=1, max_value=200))
def test_fuzz_display_plain_shows_no_number(raw: str, limit: int) -> None:
    """The cheap display form is safe, bounded and never shows a phone number."""
    out = text.display_plain(raw, limit)
    assert len(out) <= limit
    assert text.phones_in(out) == [], (raw, out)
    check_safe(out, limit)


@given(_PAD, _LEAD, _RUN, st.sampled_from(["", " ", "-", " 9999"]), _PAD)
def test_fuzz_display_plain_of_padded_digit_runs(pad: str, lead: str, run: str, tail: str, end: str) -> None:
    """Padded digit runs cut anywhere: the cheap form shows no number either."""
    for limit in (16, 48, 120):
        out = text.display_plain(pad + lead + run + tail + end, limit)
        assert text.phones_in(out) == [], out
