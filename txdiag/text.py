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
link (``usdt-claim[.]io``). Pure: no I/O.
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
        return "".join(keep).rstrip() + ELLIPSIS
    return "".join(out)


def display(text: str, limit: int) -> str:
    """Chain text for people: :func:`clean`, with every web address in it defanged, at most ``limit`` characters."""
    return clean(defang_text(clean(text, 4 * limit + 64)), limit)


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
