"""How a language writes what is not a word: lists, durations, numbers, a colon, yes and no.

A ``Locale`` is data, one per language, kept in that language's catalog file
beside its words. Where Babel (the CLDR data) does the job it is used:
durations are CLDR's unit patterns, lists CLDR's list patterns when the
language's enumeration matches one, and Accept-Language negotiation is
``babel.core.negotiate_locale``. A shipped language keeps CLDR's patterns for
its durations and its list style in its catalog file (tests hold them to
Babel's), so Babel and its locale data load only for a language without them,
or to negotiate a tag that no language names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, Literal

ListStyle = Literal["standard", "standard-short", "or", "or-short", "unit", "unit-short", "unit-narrow"]
UnitLength = Literal["short", "long", "narrow"]


class Lang(StrEnum):
    """The languages txdiag ships. A value is the tag people and the API use (BCP 47)."""

    EN = "en"
    ZH_CN = "zh-CN"


@dataclass(frozen=True, slots=True)
class Locale:
    """The rules of one language that are not sentences."""

    tag: str  # BCP 47, as in the API: "en", "zh-CN"
    cldr: str  # the CLDR/Babel locale identifier: "en", "zh_Hans_CN"
    # other tags that choose this language (lower case, "-" separated): exactly ("zh", "zh-sg"),
    # or with any subtags after them (prefixes: "zh-hans" also matches "zh-hans-hk")
    aliases: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    # words used inside sentences: yes/no, how finality is said, the raw-units note
    terms: Mapping[str, str] = field(default_factory=dict)
    # a CLDR list style ("unit-short", "standard", ...); None: items joined by ``list_separator``
    list_style: ListStyle | None = "unit-short"
    list_separator: str = ", "
    colon: str = ": "  # between a heading and its value in text output
    # durations: CLDR unit length ("long" | "short" | "narrow"), how two units are joined, how many
    duration_length: UnitLength = "short"
    duration_joiner: str = " "
    # CLDR's patterns for the units of a duration at duration_length, by plural form ("one" is used for exactly
    # 1), and for the list style, copied from CLDR into the catalog file so that an answer shows a duration or a
    # list without loading Babel's locale data (tens of milliseconds for a one-shot command); None: asked of
    # Babel. A test holds every table to Babel's own answers.
    duration_units: Mapping[str, Mapping[str, str]] | None = None
    list_patterns: Mapping[str, str] | None = None
    # numbers: amounts are exact decimals; digit grouping and the decimal mark of this language
    group_symbol: str = ","
    decimal_symbol: str = "."
    upper_verdict: bool = True  # the verdict heading in capitals where the script has them

    def join(self, items: Iterable[str]) -> str:
        """Items as this language enumerates them."""
        shown = list(items)
        if self.list_style is None or len(shown) < 2:
            return self.list_separator.join(shown)
        if self.list_patterns is not None:
            return _list(shown, self.list_patterns)
        from babel.lists import format_list

        return format_list(shown, style=self.list_style, locale=_babel(self.cldr))

    def duration(self, seconds: float) -> str:
        """A short duration, to the minute past a minute, to the hour past two days: '2 hr 5 min', '2小时5分钟'."""
        s = max(0, round(seconds))
        m, s = divmod(s, 60)
        h, m = divmod(m, 60)
        d, h = divmod(h, 24)
        if m == 0 and h == 0 and d == 0:
            parts = [(s, "second")]
        elif h == 0 and d == 0:
            parts = [(m, "minute")]
        elif d < 2:
            parts = [(24 * d + h, "hour"), (m, "minute")]
        else:
            parts = [(d, "day"), (h, "hour")]
        return self.duration_joiner.join(self._unit(n, unit) for i, (n, unit) in enumerate(parts) if n or i == 0)

    def _unit(self, n: int, unit: str) -> str:
        """One whole number of a duration unit: '5 min', '1 day', '2天'."""
        forms = None if self.duration_units is None else self.duration_units.get(unit)
        if forms is not None:
            pattern = forms["one"] if n == 1 and "one" in forms else forms["other"]
            return pattern.format(self.number(f"{n:,}"))
        from babel.units import format_unit

        return format_unit(n, f"duration-{unit}", length=self.duration_length, locale=_babel(self.cldr))

    def number(self, text: str) -> str:
        """A number written with ',' grouping and '.' decimals, in this language's symbols."""
        if self.group_symbol == "," and self.decimal_symbol == ".":
            return text
        return text.translate({ord(","): self.group_symbol, ord("."): self.decimal_symbol})

    def yes_no(self, value: bool) -> str:
        return self.terms["yes"] if value else self.terms["no"]


def _list(items: list[str], patterns: Mapping[str, str]) -> str:
    """Items joined by CLDR list patterns ("2", "start", "middle", "end"), as Babel's format_list does."""
    if len(items) == 2:
        return patterns["2"].format(*items)
    out = patterns["start"].format(items[0], items[1])
    for item in items[2:-1]:
        out = patterns["middle"].format(out, item)
    return patterns["end"].format(out, items[-1])


@cache
def _babel(cldr: str) -> Any:
    from babel import Locale as BabelLocale

    return BabelLocale.parse(cldr)


def negotiate(preferred: Iterable[str], locales: Mapping[str, Locale]) -> str | None:
    """The tag of the first preferred language that one of ``locales`` serves.

    A locale's own tag and its ``aliases`` match exactly ("zh" and "zh-SG" choose
    zh-CN, "zh-TW" does not); ``prefixes`` match with any subtags after them
    ("zh-Hans-HK"). Babel's negotiation does the rest: a regional tag chooses
    its language when that language is served without a region ("en-GB" -> en).
    """
    exact = {loc.tag.lower(): loc.tag for loc in locales.values()}
    exact.update({alias: loc.tag for loc in locales.values() for alias in loc.aliases})
    prefixes = [(p, loc.tag) for loc in locales.values() for p in loc.prefixes]
    for tag in preferred:
        t = tag.strip().replace("_", "-").lower()
        if t in exact:
            return exact[t]
        for prefix, served in prefixes:
            if t == prefix or t.startswith(prefix + "-"):
                return served
        from babel.core import negotiate_locale

        found = negotiate_locale([t], [x for x in locales if "-" not in x], sep="-", aliases={})
        if found is not None:
            return exact.get(str(found).lower(), str(found))
    return None
