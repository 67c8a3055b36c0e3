"""Token symbols made to look like another: "UЅDT" (a Cyrillic Ѕ), "ＵＳＤＴ", "USDT." all read as USDT.

A symbol's skeleton is what a reader takes it for:

1. NFKC, then NFD: full-width, mathematical and other compatibility forms
   become plain letters (ＵＳＤＴ, 𝐔𝐒𝐃𝐓; the one-dot leader ․ becomes ".");
   accented letters become letter and mark;
2. each character Unicode's confusables data (UTS #39) says looks like Latin
   letters or digits is replaced by them (Cyrillic Ѕ and Т, Greek Τ, Cherokee
   Ꭰ; and, as the standard has it, 1 and I by l, 0 by O): txdiag/confusables.py;
3. what does not show as a letter or digit is dropped: punctuation (P*),
   spaces (Z*), format and control characters (C*), combining marks (M*).

Two symbols collide when their skeletons are equal with letter case kept
(UTS #39 compares so: "DA1" and "DAl" imitate "DAI", "DAL" does not), or equal
when both are case-folded first ("uѕdт" reads as "usdt"). Pure: no I/O; the
table is loaded by the first comparison (a payment with no token needs none).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_CHARS_SHOWN = 6  # code points named in the words: enough to check, short enough to read
_DROP = frozenset("PZCM")  # the first letter of the general categories dropped from a skeleton


@dataclass(frozen=True, slots=True)
class Imitation:
    """How a symbol imitates a listed one: the characters it writes differently, and whether it mixes scripts."""

    chars: tuple[str, ...]  # "U+0405": each character of the symbol that the listed symbol does not have
    mixed_scripts: bool  # letters of more than one script (Latin and Cyrillic, say)


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    from txdiag.confusables import LOOKS_LIKE  # noqa: PLC0415 - loaded when a symbol is first compared

    return LOOKS_LIKE


@lru_cache(maxsize=1024)
def skeleton(text: str, *, fold: bool = False) -> str:
    """What ``text`` reads as (see the module); ``fold``: case-folded before and after."""
    looks_like = _table()
    text = unicodedata.normalize("NFKC", text)
    if fold:
        text = text.casefold()
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        mapped = looks_like.get(ch)
        if mapped is not None:
            out.append(mapped)
        elif unicodedata.category(ch)[0] not in _DROP:
            out.append(ch)
    shown = "".join(out)
    return shown.casefold() if fold else shown


def collides(symbol: str, listed: str) -> bool:
    """Whether ``symbol`` reads as ``listed``: their skeletons are equal, with case kept or both folded."""
    mine = skeleton(symbol)
    if not mine:
        return False
    return mine == skeleton(listed) or skeleton(symbol, fold=True) == skeleton(listed, fold=True)


def imitation(symbol: str, listed: str) -> Imitation:
    """What makes ``symbol`` differ from ``listed`` (call it for a symbol that collides)."""
    own = set(listed.casefold())
    chars: list[str] = []
    for ch in symbol:
        code = f"U+{ord(ch):04X}"
        if ch.casefold() not in own and code not in chars:
            chars.append(code)
    return Imitation(tuple(chars[:MAX_CHARS_SHOWN]), len(_scripts(symbol)) > 1)


def _scripts(text: str) -> set[str]:
    """The scripts of the letters in ``text``, as the first word of each letter's Unicode name says
    (LATIN, CYRILLIC, GREEK...; a full-width letter is Latin once NFKC has read it)."""
    out: set[str] = set()
    for ch in unicodedata.normalize("NFKC", text):
        if unicodedata.category(ch).startswith("L"):
            out.add(unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0])
    return out
