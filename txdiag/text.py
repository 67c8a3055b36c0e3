"""Untrusted text from chain data, made safe to show: the one sanitiser.

Token names and symbols, revert strings and the string arguments of custom
errors are written by whoever deployed a contract. Before any of them becomes
evidence it passes through :func:`clean` (via :func:`symbol`, :func:`name` or
:func:`reason`), which guarantees the result

- holds no control characters (C0, C1, DEL), no ANSI escape sequences, no bidi
  controls (U+202A-202E, U+2066-2069, U+200E/F, U+061C), no zero-width or other
  format characters, no line or paragraph separators, no unassigned, private-use
  or surrogate code points: they are removed, and runs of whitespace become one
  space, so text output can never gain a line from chain data;
- holds at most two combining marks on one base character;
- is at most ``limit`` characters long, ending in ``…`` when cut.

:func:`site_in` finds a web address or domain a text advertises and
:func:`defang` writes one so that no terminal, mail client or page makes it a
link (``usdt-claim[.]io``). :func:`mask_phones` replaces every phone number in
a text with :data:`PHONE_MASK` (txdiag never prints a phone number; a number in
a token's name or an error message is the fake-support-line scam), and
:func:`phone_in` says whether a text holds one or its mask. :func:`display`
does both, so no chain text is ever shown with a link or a number to call.
Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata

SYMBOL_LIMIT = 16
NAME_LIMIT = 48
REASON_LIMIT = 200
RAW_HEX_LIMIT = 256  # bytes of the raw value kept beside the display form
ELLIPSIS = "…"

# ESC [ ... final, ESC ] ... BEL/ST, and two-character ESC sequences
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MAX_MARKS = 2


def clean(text: str, limit: int) -> str:
    """``text`` with every unsafe character removed, whitespace folded, cut to ``limit`` characters."""
    return _clean(text, limit)[0]


def _clean(text: str, limit: int) -> tuple[str, bool]:
    """:func:`clean`'s text and whether it was cut."""
    text = _ANSI.sub("", text)
    out: list[str] = []
    marks = 0
    space = False
    for ch in text:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat == "Zs":
            space = bool(out)
            marks = 0
            continue
        if cat in _DROP_CATEGORIES:
            continue
        if cat in ("Mn", "Me"):
            if not out or marks >= _MAX_MARKS:
                continue
            marks += 1
        else:
            marks = 0
        if space:
            out.append(" ")
            space = False
        out.append(ch)
        if len(out) > limit:
            break
    if len(out) > limit:
        keep = out[: max(0, limit - 1)]
        while keep and unicodedata.category(keep[-1]) in ("Mn", "Me", "Zs"):
            keep.pop()
        return "".join(keep).rstrip() + ELLIPSIS, True
    return "".join(out), False


def display(text: str, limit: int) -> str:
    """Chain text for people: :func:`clean`, every web address defanged, every phone number masked, cut to ``limit``.

    A mask the cut would split is dropped whole, so what remains of it is never
    mistaken for part of the text.
    """
    read, cut = _clean(text, _detect_limit(limit))
    masked = mask_phones(defang_text(read))
    if cut and masked.endswith(ELLIPSIS):
        # digits where reading stopped may be the start of a number read only in part: they are not shown
        masked = _drop_number_start(masked[: -len(ELLIPSIS)]) + ELLIPSIS
    shown, cut = _clean(masked, limit)
    if not cut:
        return _masked(shown)
    body = shown[: -len(ELLIPSIS)]
    for n in range(len(PHONE_MASK) - 1, 0, -1):
        if body.endswith(PHONE_MASK[:n]):
            body = body[:-n].rstrip()
            break
    # the cut can leave a number where the whole text had none ("Tel 1800555019999999", 16 digits, cut to 11)
    return _masked(body) + ELLIPSIS


def _masked(text: str) -> str:
    """``text`` masked until it holds no number: each pass masks at least seven digits, so it ends."""
    while _numbers(text):
        text = mask_phones(text)
    return text


_NUMBER_CHARS = frozenset("+＋()（） -.‐‑‒–—－/·・_")
_NUMBER_SPAN = 80  # characters a number can span at most: 15 digits, 14 joins, a + and parentheses


def _drop_number_start(text: str) -> str:
    """``text`` without the digits and joins at its end (at most _NUMBER_SPAN of them): what may start a number."""
    end = len(text)
    while end > max(0, len(text) - _NUMBER_SPAN) and (text[end - 1].isdecimal() or text[end - 1] in _NUMBER_CHARS):
        end -= 1
    return text[:end].rstrip()


def _detect_limit(limit: int) -> int:
    """How much clean text :func:`display` reads to show ``limit`` characters.

    A mask (4 characters) stands for at least 7, so ``limit`` shown characters come from
    at most 7/4 as many; the rest is room for a number that runs across that point.
    Detection reads this much and no more, whatever the length of the text.
    """
    return 2 * limit + _NUMBER_SPAN


def symbol(text: str) -> str:
    """A token symbol for display (at most SYMBOL_LIMIT characters)."""
    return display(text, SYMBOL_LIMIT)


def name(text: str) -> str:
    """A token name for display (at most NAME_LIMIT characters)."""
    return display(text, NAME_LIMIT)


def reason(text: str) -> str:
    """A revert string or custom-error string argument for display (at most REASON_LIMIT characters)."""
    return display(text, REASON_LIMIT)


def raw_hex(raw: bytes) -> str:
    """The raw bytes as ``0x`` hex, at most RAW_HEX_LIMIT bytes of them."""
    return "0x" + raw[:RAW_HEX_LIMIT].hex()


# -- scam signs -------------------------------------------------------------

_SCHEME = r"(?:https?|hxxps?|ftp|fxp)\s*[:：]\s*/\s*/\s*"
_URL = re.compile(r"(?i)\b" + _SCHEME + r"([^\s/?#\"'<>]+)")
_SEP = r"\s*(?:\.|\[\.\]|\(\.\)|。|．)\s*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(r"(?i)(?<![\w@.\[-])((?:" + _LABEL + _SEP + r")+([a-z]{2,24}|xn--[a-z0-9-]{1,59}))(?![\w-])")
_SEP_RE = re.compile(_SEP)
# top-level domains scam tokens use, and every two-letter country code; "SafeMath.sub" or "Token.sol" are not sites
_TLDS = frozenset(
    """com net org info biz io app xyz top site online click club vip pro fun shop store tech dev
    finance exchange network digital gift claims reward rewards casino icu buzz cloud mobi asia""".split()  # noqa: SIM905 - a word list reads best as words
)
_WORDS = re.compile(r"(?i)\b(claim|claims|claimed|visit|airdrop|airdrops|reward|rewards)\b|领取|空投|奖励|访问")


def _is_site(tld: str) -> bool:
    tld = tld.lower()
    return tld in _TLDS or tld.startswith("xn--") or (len(tld) == 2 and tld.isascii())


def _host(matched: str) -> str:
    return _SEP_RE.sub(".", matched).strip(".").lower()


def site_in(text: str) -> str | None:
    """The web address or domain ``text`` advertises, defanged; None when it names none."""
    if m := _URL.search(text):
        return defang(_host(m.group(1)))
    for m in _DOMAIN.finditer(text):
        if _is_site(m.group(2)):
            return defang(_host(m.group(1)))
    return None


def lure_word_in(text: str) -> str | None:
    """The first "claim", "visit", "airdrop" or "reward" word in ``text`` (lower case), or None."""
    m = _WORDS.search(text)
    return None if m is None else m.group(0).lower()


def defang(host: str) -> str:
    """A domain written so that nothing turns it into a link: every dot as ``[.]``, bounded length."""
    host = clean(host, NAME_LIMIT).strip(".").lower()
    return host.replace(".", "[.]")


def defang_text(text: str) -> str:
    """``text`` with every web address written so that nothing links it: ``hxxps://``, ``usdt-claim[.]io``."""
    text = re.sub(r"(?i)\bh[tx]{2}(ps?)\s*[:：]\s*/\s*/\s*", lambda m: f"hxx{m.group(1).lower()}://", text)

    def one(m: re.Match[str]) -> str:
        return defang(_host(m.group(1))) if _is_site(m.group(2)) else m.group(0)

    return _DOMAIN.sub(one, text)


# -- phone numbers ----------------------------------------------------------
#
# A number is digits in groups, as people write them: an optional leading +, then
# groups of digits (one may be in parentheses, "(800)", "(0)20") joined by one space,
# dot, middle dot, underscore, slash, one or two dashes (full-width too), or a dash with
# spaces around it. It holds 7 to 15 digits in all
# (15 is E.164's maximum; 7 the shortest local number). Any Unicode decimal digit
# counts, so full-width or Arabic-Indic digits are no way around it.
#
# Digits also write amounts, dates, versions, block numbers and hashes, and a false
# alarm on a token named "Token 2024" would teach people to ignore the real one. So
# a candidate is a number when it is written as one:
# - with a leading + or a group in parentheses, or right after a word that says "phone"
#   (call, tel, WhatsApp, telegram, 电话, 微信, ☎, ..., with only spaces or a colon between:
#   "Call failed 12345678" is no number): then any grouping counts, even none
#   ("Call 18005550199", "客服电话13800138000", "Tel:+18005550199");
# - otherwise only in three or more groups of two to four digits after the first
#   ("1-800-555-0199", "800.555.0199", "020 7946 0958") or as a dashed local number
#   ("555-0199"), never a bare run of digits (an amount or a block number in a
#   revert string is a bare run), never groups joined by slashes (25/75/100, a ratio)
#   and never digits right after a letter ("UNI-V2 10/20/30/40").
# Never a number, whatever is around it: one that holds a date (2024-01-15, 15.01.2024, 01/15/2024),
# a range of years (2024-2025), four dotted groups of at most three digits (an IPv4
# address, a version 10.20.30.40), a decimal (1234567.89), and, without a + or a
# "phone" word, digits grouped in threes (1 000 000, 1.000.000: an amount) or ten digits that
# read as a Unix time ("until +1700000000", "Cooldown (60) 1700000000"). Digits
# glued to a hex literal or to other digits or letters on the right (0x1234567890,
# a hash), or to a colon with a digit on its other side (12:30, a time; 1:1000000, a
# ratio) are not a number either. What display cuts is masked again: a cut can make a
# number of a run too long to be one.

PHONE_MASK = "\u260e***"
"""What a phone number in chain text is shown as: the telephone sign and stars, in every language.

No words: display text is data quoted inside English and Chinese answers alike,
so the mask is a symbol both read ("a phone number, hidden"); the catalogs say
what it means in each language."""

PHONE_DIGITS = range(7, 16)
_D = r"\d"
_OPEN, _CLOSE = "(（", ")）"
_GROUP = rf"(?:[{_OPEN}]{_D}{{1,5}}[{_CLOSE}]|{_D}{{1,15}})"
_JOIN = r"(?:\s?(?:[-‐‑‒–—－]{1,2}|[./·・_])\s?|\s|(?<=[)）])|(?=[(（]))"
_CANDIDATE = re.compile(rf"(?<![\d+＋])(?:[+＋]\s?)?{_GROUP}(?:{_JOIN}{_GROUP})*(?![\d])")
_PHONE_WORDS = re.compile(
    r"(?i)(?:(?<![a-z])(?:call|calls|phone|telephone|tel|mobile|whatsapp|viber|telegram|tg|hotline|helpline|dial|sms"
    r"|contact|support|toll[ -]?free)(?![a-z])|电话|致电|拨打|客服|热线|手机|联系|来电|微信|☎\ufe0f?|📞)"
)
# a word marks a number only right before it: "Call 18005550199", "Hotline: 1800...", never "Call failed 12345678"
_WORD_BEFORE = re.compile(_PHONE_WORDS.pattern + r"[\s:：]*\Z")
_WORD_WINDOW = 32


def _worded(text: str, start: int) -> bool:
    """Whether a word that says "phone" stands right before ``start`` (only spaces or a colon between)."""
    return _WORD_BEFORE.search(text[max(0, start - _WORD_WINDOW) : start]) is not None


# the same words without the check on the letter before: read once over a whole run, it finds every word the
# exact pattern finds in any window of it, so a run without one needs no window read
_ANY_PHONE_WORD = re.compile(_PHONE_WORDS.pattern.replace("(?<![a-z])", ""))
_DATE = re.compile(r"(?<!\d)(?:\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2\d{4})(?!\d)")


def _is_date(plain: str) -> bool:
    """Whether ``plain`` holds 2024-01-15, 15.01.2024 or 01/15/2024: a month and a day that can be one."""
    for m in _DATE.finditer(plain):
        a, b, c = (int(g) for g in re.findall(r"\d+", m.group(0)))
        if (1 <= b <= 12 and 1 <= c <= 31) if m.group(1) else (1 <= min(a, b) <= 12 and max(a, b) <= 31):
            return True
    return False


_PLAIN = str.maketrans({"＋": "+", "（": "(", "）": ")", "－": "-", "·": ".", "・": ".", "_": "."})
_UNIX_TIMES = range(1_000_000_000, 2_147_483_648)  # ten digits that read as a time (2001 to 2038)
_YEARS = re.compile(r"(?:19|20)\d\d[-/–—](?:19|20)\d\d")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DECIMAL = re.compile(r"\d+\.\d+")


def _ascii_digits(span: str) -> str:
    return "".join(str(unicodedata.digit(ch)) if ch.isdecimal() else ch for ch in span)


def _is_phone(text: str, start: int, end: int) -> bool:
    span = text[start:end]
    digits = sum(ch.isdecimal() for ch in span)
    if digits not in PHONE_DIGITS:
        return False
    right = text[end : end + 1]
    if right.isascii() and (right.isalnum() or right == "_"):
        return False  # "1234567abc": part of a hash or a word
    if (right in ":：" and text[end + 1 : end + 2].isdecimal()) or (
        text[start - 1 : start] in (":", "：") and text[start - 2 : start - 1].isdecimal()
    ):
        return False  # "12:30", "1:1000000": a time or a ratio (a digit before the colon; "Tel:+1800..." is none)
    left = start
    while left > 0 and text[left - 1].isalpha():
        left -= 1
    if left < start and left > 0 and (text[left - 1].isdecimal() or text[left - 1] == "_"):
        return False  # "0x1234567890": digits inside a hex literal or a longer token
    worded = _worded(text, start)
    if left < start and not worded and span[0] not in "+＋(（":
        return False  # "UNI-V2 10/20/30/40": a letter right before the digits makes them part of a word
    plain = _ascii_digits(span).translate(_PLAIN)
    groups = re.findall(r"\d+", plain)
    if _YEARS.fullmatch(plain) or _IPV4.fullmatch(plain) or _DECIMAL.fullmatch(plain.lstrip("+")):
        return False
    if not plain.startswith("+") and _is_date(plain):
        return False
    if not worded and any(len(g) == 10 and _UNIX_TIMES.start <= int(g) < _UNIX_TIMES.stop for g in groups):
        return False  # "until +1700000000", "Cooldown (60) 1700000000": a Unix time, not a number to call
    marked = plain.startswith("+") or "(" in plain
    if marked or worded:
        return True
    if "/" in plain:
        return False  # "25/75/100", "10/20/30/40": ratios and fractions, unless a + or a word says otherwise
    if len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        return False  # 1 000 000, 1.000.000, 612 345 678: read as an amount without a + or a word
    if len(groups) >= 3:
        return len(groups[0]) <= 4 and all(2 <= len(g) <= 4 for g in groups[1:])
    return len(groups) == 2 and "-" in plain and len(groups[0]) == 3 and len(groups[1]) == 4


_GROUP_RE = re.compile(_GROUP)
MAX_CHECKS = 64
"""How many spans of one text :func:`_is_phone` reads; past it every span that may be a number is masked.

The cheap pass in :func:`_numbers` rules out most spans by their digits and
grouping alone, so honest text never comes near it: only text built to make the
check slow does, and it is masked rather than let a number through."""


def _grouped(lens: list[int], ok_to: list[int], i: int, j: int) -> bool:
    """Whether groups i to j may be a number by their grouping alone (the end of :func:`_is_phone`, cheaply)."""
    if j >= i + 2:
        return lens[i] <= 4 and ok_to[i + 1] >= j
    return j == i + 1 and lens[i] == 3 and lens[j] == 4


def _numbers(text: str) -> list[tuple[int, int]]:
    """Where the phone numbers in ``text`` are: from each group on, the longest run of groups that reads as one.

    A run of groups may join a number to the next one ("+1 800 555 0199 24/7") or follow
    digits that are none ("12345678 555-0199"), so a shorter run, or one that starts
    later, may be the number. A number spans at most 15 groups and 7 to 15 digits; a cheap
    pass over each group's digits and grouping skips the spans that cannot be one, and at
    most MAX_CHECKS spans per text are read in full, so the work is linear in the text.
    """
    found: list[tuple[int, int]] = []
    checks = MAX_CHECKS
    for m in _CANDIDATE.finditer(text):
        if m.end() - m.start() < PHONE_DIGITS.start:
            continue  # too short to hold seven digits
        if m.group(0)[0] not in "+＋" and _is_date(_ascii_digits(m.group(0))):
            continue  # "ERC-20 2000-01-01": no part of a run that holds a date is a number
        groups = [(g.start(), g.end()) for g in _GROUP_RE.finditer(text, m.start(), m.end())]
        n = len(groups)
        lens = [sum(ch.isdecimal() for ch in text[a:b]) for a, b in groups]
        paren = [text[a] in _OPEN for a, _ in groups]
        # ok_to[k]: the last group from k on of an unbroken stretch of groups of two to four digits
        ok_to = [0] * (n + 1)
        ok_to[n] = n - 1
        for k in range(n - 1, -1, -1):
            ok_to[k] = ok_to[k + 1] if 2 <= lens[k] <= 4 else k - 1

        parens = [0]
        for k in range(n):
            parens.append(parens[-1] + paren[k])
        words = _ANY_PHONE_WORD.search(text[max(0, m.start() - _WORD_WINDOW) : m.end()]) is not None
        i = 0
        while i < n:
            start = m.start() if i == 0 else groups[i][0]
            loose = (i == 0 and text[start] in "+＋") or (words and _worded(text, start))
            reach = min(n, i + PHONE_DIGITS.stop - 1)
            # no + or word, no parentheses: only groups of two to four digits after the first can make a number
            alone = not loose and parens[reach] == parens[i]
            if alone and not any(_grouped(lens, ok_to, i, j) for j in range(i + 1, min(reach, i + 3))):
                i += 1
                continue
            spans: list[int] = []
            digits = 0
            marked = bool(loose)
            for j in range(i, reach):
                digits += lens[j]
                marked = marked or paren[j]
                if digits >= PHONE_DIGITS.stop:
                    break
                if digits < PHONE_DIGITS.start:
                    continue
                if marked or _grouped(lens, ok_to, i, j):
                    spans.append(j)
            j_found = None
            for j in reversed(spans):
                if checks <= 0:
                    j_found = j  # past the bound: a span that may be a number is masked, never shown
                    break
                checks -= 1
                if _is_phone(text, start, groups[j][1]):
                    j_found = j
                    break
            if j_found is None:
                i += 1
                continue
            found.append((start, groups[j_found][1]))
            i = j_found + 1
    return found


def display_plain(text: str, limit: int) -> str:
    """Chain text for people when there is no time to read it: each run of digit groups that could hold a number masked.

    The cheap form of :func:`display` for texts past a bound on how many are read in
    full: :func:`clean`, defanged, and each run of groups with seven digits or more
    replaced by :data:`PHONE_MASK` unread, so honest digits may be masked but no
    number is ever shown.
    """
    shown, cut = _clean(defang_text(clean(text, limit + _NUMBER_SPAN)), limit)
    if cut:
        shown = _drop_number_start(shown[: -len(ELLIPSIS)]) + ELLIPSIS

    def one(m: re.Match[str]) -> str:
        return PHONE_MASK if sum(ch.isdecimal() for ch in m.group(0)) >= PHONE_DIGITS.start else m.group(0)

    return _CANDIDATE.sub(one, shown)


def phones_in(text: str) -> list[str]:
    """Every phone number written in ``text``, as written (see the rules above :data:`PHONE_MASK`)."""
    return [text[a:b] for a, b in _numbers(text)]


def mask_phones(text: str) -> str:
    """``text`` with every phone number in it replaced by :data:`PHONE_MASK`."""
    out: list[str] = []
    at = 0
    for a, b in _numbers(text):
        out += [text[at:a], PHONE_MASK]
        at = b
    return "".join([*out, text[at:]])


def phone_in(text: str) -> bool:
    """Whether ``text`` holds a phone number, or the mask :func:`display` put where one was."""
    return PHONE_MASK in text or bool(phones_in(text))
