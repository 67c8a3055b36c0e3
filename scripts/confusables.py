"""Write txdiag/confusables.py, the look-alike table, from Unicode's confusables.txt (UTS #39).

    python scripts/confusables.py path/to/confusables.txt

The source is the data file of Unicode Security Mechanisms (UTS #39),
``security/<version>/confusables.txt`` in the Unicode Character Database; its
version, date and SHA-256 are written into the table, and a source of another
version is refused unless ``--version`` names it.

What is kept: each line whose source is one code point that NFKC and NFD leave
as it is (txdiag.lookalike applies both first, so full-width and mathematical
letters need no entry) and whose prototype, read as the skeleton reads text
(NFKC, then NFD, punctuation, separators, format characters and marks dropped),
is Latin letters or digits only (Cyrillic Ѕ -> S, Greek Τ -> T, Cherokee Ꭰ -> D,
and the standard's own 1 -> l, I -> l, 0 -> O, m -> rn; and where the prototype
carries a mark or punctuation, as the skeleton does not see them: the tugrik
sign ₮ -> T⃫ -> T, so "USD₮" reads as USDT, Ŧ -> T̵ -> T, Ƭ -> 'T -> T,
Đ -> D̵ -> D; but not punctuation that reads as letters only so: "%" is
"º/₀", and stays punctuation, left out). A prototype that is a Latin
small capital (Cyrillic т -> ᴛ) is read as its lowercase letter, and the Latin
small capitals themselves are added so: letter case is compared apart, and a
small capital is a lowercase letter to the eye. Targets are closed under the
table, so one pass of it gives a skeleton that reads as itself.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "txdiag" / "confusables.py"
VERSION = "17.0.0"
_SMALL_CAPITAL = re.compile(r"LATIN LETTER SMALL CAPITAL ([A-Z])")
_DROP = frozenset("PZCM")  # as txdiag.lookalike: the general categories a skeleton leaves out


def _small_capital(ch: str) -> str:
    m = _SMALL_CAPITAL.fullmatch(unicodedata.name(ch, ""))
    return m.group(1).lower() if m else ch


def _as_read(prototype: str) -> str:
    """A prototype as txdiag.lookalike's skeleton reads it: NFKC, a small capital as its letter, NFD, and what
    does not show as a letter or digit dropped (punctuation, separators, format characters, marks)."""
    text = "".join(_small_capital(c) for c in unicodedata.normalize("NFKC", prototype))
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c)[0] not in _DROP)


def _punctuation(ch: str) -> bool:
    """Whether ``ch`` is punctuation or a separator, which a skeleton leaves out unless the table maps it."""
    return unicodedata.category(ch)[0] in "PZ"


def _stable(ch: str) -> bool:
    return unicodedata.normalize("NFKC", ch) == ch and unicodedata.normalize("NFD", ch) == ch


def table(lines: list[str]) -> dict[str, tuple[str, str]]:
    """Source character -> (the Latin letters and digits it looks like, its Unicode name)."""
    out: dict[str, tuple[str, str]] = {}
    for line in lines:
        data, _, comment = line.partition("#")
        data = data.strip()
        if not data:
            continue
        # the comment is "( Ѕ → S ) CYRILLIC CAPITAL LETTER DZE → LATIN CAPITAL LETTER S": the file's own names,
        # which know characters newer than this Python's unicodedata
        name = comment.partition(") ")[2].partition(" → ")[0].strip()
        source, prototype, _kind = (part.strip() for part in data.split(";"))
        codes = source.split()
        if len(codes) != 1:
            continue
        ch = chr(int(codes[0], 16))
        written = "".join(chr(int(c, 16)) for c in prototype.split())
        target = _as_read(written)
        if _punctuation(ch) and target != written:
            # punctuation read as letters only through the skeleton's reading of its prototype ("%" is "º/₀",
            # read "oO"): the skeleton leaves such a character out, so "USDT%" still reads as USDT
            continue
        if _stable(ch) and target != ch and target.isascii() and target.isalnum():
            out[ch] = (target, name)
    for code in range(0x110000):
        ch = chr(code)
        if _stable(ch) and (letter := _small_capital(ch)) != ch:
            out.setdefault(ch, (letter, unicodedata.name(ch)))
    # one pass must be enough (a skeleton reads as itself): a target's letters that are sources are replaced too,
    # as for the small capital M (m -> rn) and the decimal exponent symbol's 10
    changed = True
    while changed:
        changed = False
        for ch, (target, name) in out.items():
            closed = "".join(out[c][0] if c in out else c for c in target)
            if closed != target:
                out[ch] = (closed, name)
                changed = True
    return dict(sorted(out.items()))


def header_field(lines: list[str], name: str) -> str:
    for line in lines[:20]:
        if line.startswith(f"# {name}:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"confusables.txt: no {name} line in its header")


def render(mapping: dict[str, tuple[str, str]], version: str, date: str, digest: str) -> str:
    rows = "\n".join(
        f'    "\\u{ord(s):04x}": "{t}",  # {name}' if ord(s) <= 0xFFFF else f'    "\\U{ord(s):08x}": "{t}",  # {name}'
        for s, (t, name) in mapping.items()
    )
    return f'''"""Characters that look like Latin letters or digits, and the letters they look like (generated).

Made by scripts/confusables.py from Unicode's confusables.txt (UTS #39, Unicode
Security Mechanisms) version {version}, dated {date}, SHA-256
{digest}; do not edit: run the script on a newer file.
Only what txdiag.lookalike needs is kept (see the script), with the Unicode
name of each character.
"""

from __future__ import annotations

UNICODE_VERSION = "{version}"

LOOKS_LIKE: dict[str, str] = {{
{rows}
}}
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="confusables.txt")
    parser.add_argument("--version", default=VERSION, help="the UTS #39 version the file must be")
    args = parser.parse_args()
    raw = args.source.read_bytes()
    lines = raw.decode("utf-8-sig").splitlines()
    version = header_field(lines, "Version")
    if version != args.version:
        raise SystemExit(f"confusables.txt is version {version}, not {args.version}")
    text = render(table(lines), version, header_field(lines, "Date"), hashlib.sha256(raw).hexdigest())
    TARGET.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(TARGET)], check=True)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
