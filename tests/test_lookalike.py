"""Look-alike token symbols: the skeleton a reader takes a symbol for, and the table it is made with."""

from __future__ import annotations

import importlib.util
import tomllib
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from txdiag import lookalike
from txdiag.confusables import LOOKS_LIKE, UNICODE_VERSION


@pytest.mark.parametrize(
    ("symbol", "listed"),
    [
        ("U\u0405DT", "USDT"),  # Cyrillic capital dze
        ("USD\u0422", "USDT"),  # Cyrillic capital te
        ("U\u0405D\u03a4", "USDT"),  # Cyrillic dze and Greek tau: three scripts in four letters
        ("\uff35\uff33\uff24\uff34", "USDT"),  # full-width
        ("\U0001d414\U0001d412\U0001d403\U0001d413", "USDT"),  # mathematical bold
        ("USDT\u2024", "USDT"),  # one-dot leader
        ("USDT.", "USDT"),
        ("U.S.D.T", "USDT"),
        ("US DT", "USDT"),
        ("\u00dcSDT", "USDT"),  # a mark on a letter is not seen at a glance
        ("u\u0455d\u0442", "USDT"),  # lowercase, with Cyrillic dze and te (te reads as a small capital T)
        ("USD\u1d1b", "USDT"),  # Latin small capital T
        ("\u0412\u0422\u0421", "BTC"),  # wholly Cyrillic, and reads as BTC
        ("DA1", "DAI"),  # the digit one for a capital I, as UTS #39 has it
        ("DA\u006c", "DAI"),  # a lowercase l for a capital I
        ("\u13a0AI", "DAI"),  # Cherokee letter a
        ("WETH", "W\u0415TH"),  # either side may be the look-alike
        # look-alikes whose prototype carries a mark or punctuation the skeleton does not see
        ("USD\u20ae", "USDT"),  # the tugrik sign, as Tether writes its own ticker (T with a double stroke)
        ("USD\u0166", "USDT"),  # T with stroke
        ("USD\u01ac", "USDT"),  # T with hook ('T)
        ("\u0110AI", "DAI"),  # D with stroke
        ("\u00d0AI", "DAI"),  # capital eth
        ("usd\u20ae", "USDT"),
        # punctuation stays punctuation, left out, even where its prototype reads as letters ("%" is "º/₀")
        ("USDT%", "USDT"),
        ("USDT\u2030", "USDT"),  # per mille sign
        ("USDT\u066a", "USDT"),  # Arabic percent sign
    ],
)
def test_lookalikes_collide(symbol: str, listed: str) -> None:
    """A symbol written with look-alike letters, compatibility forms or punctuation reads as the listed one."""
    assert lookalike.collides(symbol, listed)


@pytest.mark.parametrize(
    ("symbol", "listed"),
    [
        ("USDC", "USDT"),
        ("USD", "USDT"),
        ("UST", "USDT"),
        ("USDTX", "USDT"),  # holds the letters, and more
        ("XUSDT", "USDT"),
        ("USDT0", "USDT"),  # a zero is an O, and USDTO is not USDT
        ("USD\u20ae0", "USDT"),  # nor is USD₮0
        ("\u0110AL", "DAI"),  # a D with stroke, and still a capital L for the I
        ("SUSDT", "USDT"),
        ("DAL", "DAI"),  # a capital L is no I
        ("dal", "DAI"),
        ("\u6cf0\u8fbe\u5e01", "USDT"),  # Chinese
        ("\u0414\u041e\u041b\u041b\u0410\u0420", "USDT"),  # a Cyrillic word
        ("\u0394\u03a1\u03a7", "DAI"),  # Greek letters that look like no Latin ones here
        ("...", "USDT"),  # nothing left to read
        ("", "USDT"),
    ],
)
def test_honest_symbols_do_not_collide(symbol: str, listed: str) -> None:
    """A different symbol, one that merely holds the letters, or another script's own word is no look-alike."""
    assert not lookalike.collides(symbol, listed)


@pytest.mark.parametrize(
    ("symbol", "listed", "chars", "mixed"),
    [
        ("U\u0405DT", "USDT", ("U+0405",), True),
        ("\uff35\uff33\uff24\uff34", "USDT", ("U+FF35", "U+FF33", "U+FF24", "U+FF34"), False),
        ("USDT\u2024", "USDT", ("U+2024",), False),
        ("USDT.", "USDT", ("U+002E",), False),
        ("DA1", "DAI", ("U+0031",), False),
        ("\u0412\u0422\u0421", "BTC", ("U+0412", "U+0422", "U+0421"), False),
        ("U\u0405D\u03a4", "USDT", ("U+0405", "U+03A4"), True),
        ("USD\u20ae", "USDT", ("U+20AE",), False),  # a currency sign is no letter of another script
        ("\u0110AI", "DAI", ("U+0110",), False),
    ],
)
def test_imitation_names_the_characters_that_differ(
    symbol: str, listed: str, chars: tuple[str, ...], mixed: bool
) -> None:
    """The code points a look-alike writes that the listed symbol does not have, and whether it mixes scripts."""
    assert lookalike.imitation(symbol, listed) == lookalike.Imitation(chars, mixed)


def test_skeleton_is_stable() -> None:
    """A skeleton reads as itself: the table maps into letters and digits the table leaves alone."""
    for text in ("U\u0405DT", "\uff35\uff33\uff24\uff34", "DA1", "u\u0455d\u0442", "m"):
        once = lookalike.skeleton(text)
        assert lookalike.skeleton(once) == once
        folded = lookalike.skeleton(text, fold=True)
        assert lookalike.skeleton(folded, fold=True) == folded


def test_table_shape() -> None:
    """Each entry is one character that NFKC and NFD leave alone, mapped to ASCII letters or digits (UTS #39 data)."""
    assert UNICODE_VERSION == "17.0.0"
    assert 400 < len(LOOKS_LIKE) < 2000  # compact: what NFKC does not already do, and only into Latin
    for source, target in LOOKS_LIKE.items():
        assert len(source) == 1
        assert unicodedata.normalize("NFKC", source) == source == unicodedata.normalize("NFD", source)
        assert target.isascii()
        assert target.isalnum()
        assert target != source
        assert not set(target) & LOOKS_LIKE.keys(), source  # closed: one pass gives what a second would
    # the look-alikes the standard names for Latin letters, in the scripts scams use most
    assert {LOOKS_LIKE[c] for c in "\u0405\u0455\u0422\u0430\u0435\u043e\u0440\u0441\u0445"} == set("SsTaeopcx")
    assert (LOOKS_LIKE["\u03a4"], LOOKS_LIKE["\u039f"], LOOKS_LIKE["\u03bf"]) == ("T", "O", "o")  # Greek
    assert (LOOKS_LIKE["0"], LOOKS_LIKE["1"], LOOKS_LIKE["I"]) == ("O", "l", "l")
    # prototypes with a mark or punctuation, read as the skeleton reads them (₮ -> T⃫, Ŧ -> T̵, Ƭ -> 'T, Đ -> D̵)
    assert [LOOKS_LIKE[c] for c in "\u20ae\u0166\u01ac\u0110\u0111"] == ["T", "T", "T", "D", "d"]


def _generator() -> ModuleType:
    path = Path(__file__).parents[1] / "scripts" / "confusables.py"
    spec = importlib.util.spec_from_file_location("confusables_generator", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("0405 ;\t0053 ;\tMA\t# ( Ѕ → S ) CYRILLIC CAPITAL LETTER DZE → LATIN CAPITAL LETTER S", "S"),
        ("20AE ;\t0054 20EB ;\tMA\t# ( ₮ → T⃫ ) TUGRIK SIGN → LATIN CAPITAL LETTER T, COMBINING LONG DOUBLE", "T"),
        ("01AC ;\t0027 0054 ;\tMA\t# ( Ƭ → 'T ) LATIN CAPITAL LETTER T WITH HOOK → APOSTROPHE, LATIN", "T"),
        ("0110 ;\t0044 0335 ;\tMA\t# ( Đ → D̵ ) LATIN CAPITAL LETTER D WITH STROKE → LATIN CAPITAL LETTER D", "D"),
        ("02BC ;\t0027 ;\tMA\t# ( ʼ → ' ) MODIFIER LETTER APOSTROPHE → APOSTROPHE", None),  # nothing left
        ("0442 ;\t1D1B ;\tMA\t# ( т → ᴛ ) CYRILLIC SMALL LETTER TE → LATIN LETTER SMALL CAPITAL T", "t"),
        ("0497 ;\t0436 0329 ;\tMA\t# ( җ → ж̩ ) CYRILLIC SMALL LETTER ZHE WITH DESCENDER → CYRILLIC", None),  # not Latin
        # punctuation whose prototype reads as letters only once the skeleton drops part of it: left out
        ("0025 ;\t00BA 002F 2080 ;\tMA\t#* ( % → º/₀ ) PERCENT SIGN → MASCULINE ORDINAL INDICATOR, SOLIDUS", None),
        # punctuation that looks like letters as it is stays in the table
        ("2016 ;\t006C 006C ;\tMA\t#* ( ‖ → ll ) DOUBLE VERTICAL LINE → LATIN SMALL LETTER L, LATIN SMALL", "ll"),
    ],
)
def test_generator_reads_prototypes_as_the_skeleton_does(line: str, kept: str | None) -> None:
    """The generator keeps a prototype when what the skeleton would see of it (no marks, no punctuation) is Latin."""
    source = chr(int(line.partition(";")[0], 16))
    assert _generator().table([line]).get(source, (None, ""))[0] == kept


def test_bundled_listed_symbols_do_not_imitate_each_other() -> None:
    """No two tokens a bundled chain file lists read alike: which listed one a look-alike imitates is never in doubt."""
    for path in sorted((Path(__file__).parents[1] / "txdiag" / "data" / "chains").glob("*.toml")):
        symbols = list(tomllib.loads(path.read_text(encoding="utf-8")).get("tokens", {}))
        clashes = [(a, b) for a in symbols for b in symbols if a != b and lookalike.collides(a, b)]
        assert clashes == [], path.name
