"""Parsers for what users send: hashes, addresses, languages, chain names.

Each returns a normalised value or raises BadInput with a message fit to show
as it is; the offending text is shortened so nothing large is echoed back.
"""

from __future__ import annotations

import re

from txdiag.checksum import to_checksum_address
from txdiag.errors import BadInput

_HASH = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_ADDRESS = re.compile(r"^(0x)?[0-9a-fA-F]{40}$")


def _shown(text: str) -> str:
    printable = "".join(c if c.isprintable() else "?" for c in text[:80])
    return repr(printable + ("…" if len(text) > 80 else ""))


def parse_hash(text: str) -> str:
    """A transaction hash: 32 bytes of hex, with or without 0x; returned lower-case with 0x."""
    value = text.strip()
    if not _HASH.fullmatch(value):
        raise BadInput(f"not a transaction hash: {_shown(text)} (expected 0x followed by 64 hex digits)")
    return "0x" + value[-64:].lower()


def parse_address(text: str) -> str:
    """An address: 20 bytes of hex; mixed case must carry a valid EIP-55 checksum.

    A mixed-case address whose checksum fails is usually a typo, so it is
    refused rather than silently accepted.
    """
    value = text.strip()
    if not _ADDRESS.fullmatch(value):
        raise BadInput(f"not an address: {_shown(text)} (expected 0x followed by 40 hex digits)")
    body = value[-40:]
    checksummed = to_checksum_address("0x" + body.lower())
    if body != body.lower() and body != body.upper() and checksummed[2:] != body:
        raise BadInput(f"address checksum does not match: {_shown(text)} (a typo? did you mean {checksummed}?)")
    return checksummed


def parse_lang(text: str | None, accept_language: str | None = None) -> str:
    """A language a catalog exists for: the explicit choice, else the best match in Accept-Language, else en."""
    # the catalogs load here, not with this module: a malformed hash is refused before any of them is read
    from txdiag.guidance.catalogs import discover  # noqa: PLC0415
    from txdiag.guidance.locale import negotiate  # noqa: PLC0415

    locales = {tag: catalog.locale for tag, catalog in discover().items()}
    if text:
        lang = negotiate([text.strip()], locales)
        if lang is None:
            raise BadInput(f"unsupported language {_shown(text)}; supported: {', '.join(locales)}")
        return lang
    if accept_language:
        lang = negotiate([tag for tag, _q in _accept_language(accept_language)], locales)
        if lang is not None:
            return lang
    return "en"


def _accept_language(header: str) -> list[tuple[str, float]]:
    """Language tags by preference, per RFC 9110 (q-values; malformed parts ignored)."""
    tags: list[tuple[str, float, int]] = []
    for i, part in enumerate(header[:512].split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        q = 1.0
        for p in pieces[1:]:
            k, _, v = p.strip().partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if q > 0:
            tags.append((tag, q, i))
    tags.sort(key=lambda t: (-t[1], t[2]))
    return [(t, q) for t, q, _ in tags]


def __getattr__(name: str) -> tuple[str, ...]:
    """``LANGUAGES``: every language a catalog file exists for ("en", "zh-CN"), read on first use."""
    if name == "LANGUAGES":
        from txdiag.guidance.catalogs import discover  # noqa: PLC0415

        return tuple(discover())
    raise AttributeError(name)
