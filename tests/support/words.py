"""Finds English words in a Chinese answer, outside what is data: addresses, hashes, symbols, units, names.

What counts as data, and is taken out before looking:
- a site chain text advertised, written defanged (``usdt-claim[.]io``);
- hex (addresses, hashes, selectors, shortened ``0xAbCd…1234``, the matching ends of a look-alike), numbers, links;
- a decoded error as the contract names it, ``Name(arg=value, ...)`` and ``Error("...")``;
- text the answer quotes (“…”): a contract's message or a node's error, never our words;
- identifiers (``debug_traceTransaction``, ``eth_call``) and symbols in capitals (ETH, STRD, INVALID);
- the names the evidence gives (chains, tokens) and the units and terms Chinese wallets use as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# units and terms Chinese wallets and explorers write in Latin letters
ALLOWED = frozenset(
    {
        "gwei",
        "nonce",
        "gas",
        "txdiag",
        "assert",
        "permit",
        "allowance",
        "panic",
        "utc",
        "rpc",
        "vb",
    }  # vB: virtual bytes
)

_LINK = re.compile(r"https?://\S+")
_STRIP = [
    re.compile(r"“[^”]*”"),
    re.compile(r"[A-Za-z0-9-]+(?:\[\.\][A-Za-z0-9-]+)+"),  # a site chain text advertised, defanged: usdt-claim[.]io
    re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"),  # Name(args), two levels deep
    re.compile(r"\b[A-Za-z0-9]*_[A-Za-z0-9_]*\b"),  # identifiers with an underscore
    re.compile(r"\b[a-z]+[A-Z][A-Za-z0-9]*\b"),  # camelCase identifiers
    re.compile(r"\b[A-Z][A-Z0-9]+\b"),  # symbols in capitals
]
_HEX = re.compile(r"0x[0-9a-fA-F]*(?:…[0-9a-fA-F]+)?")
_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, names: Iterable[str] = ()) -> list[str]:
    """The English words in ``text`` once data and ``names`` (chain and token names from the evidence) are out."""
    text = _LINK.sub(" ", text)
    # addresses and hashes first: a name that is a piece of hex (a look-alike's matching end) must not split one
    text = _HEX.sub(" ", text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    return [w for w in _WORD.findall(text) if w.lower() not in ALLOWED]


NAME_KEYS = (
    "chains", "asked_chain", "sequencer", "asset", "token_symbol", "unreachable", "unconfirmed", "chain",
    "issuer", "symbol_claimed", "symbol_shown", "collection", "site", "matching_prefix", "matching_suffix",
)  # fmt: skip


def names_of(details_list: Iterable[Mapping[str, Any]], more: Iterable[str] = ()) -> set[str]:
    """Chain and token names a diagnosis mentions: data, whatever language it is written in."""
    out = set(more)
    for details in details_list:
        for key in NAME_KEYS:
            value = details.get(key)
            if isinstance(value, str):
                out.add(value)
            elif isinstance(value, list | tuple):
                out.update(v for v in value if isinstance(v, str))
    return out
