"""Token metadata (symbol, decimals, name) for the Transfer logs of a receipt and the token the call addresses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from txdiag import text
from txdiag.context import ChainContext
from txdiag.families.evm.probes.context import Found, token_transfers
from txdiag.families.evm.probes.plan import Handle, Plan, Read, Reader, data_or_none
from txdiag.families.evm.transfers import NFT_STYLE_CALLS, addressed, moves
from txdiag.families.evm.wire import NAME_BYTES, abi_text, decode_name, decode_symbol, decode_uint8
from txdiag.models import TokenFacts, TokenMeta, TokenTransfer
from txdiag.rpc import Call, Reply

SYMBOL_CALL = "0x95d89b41"
DECIMALS_CALL = "0x313ce567"
NAME_CALL = "0x06fdde03"


def symbol_answer(r: Reply) -> tuple[str | None, str | None]:
    """A ``symbol()`` answer, sanitised, and its raw bytes in hex; (None, None) when the contract would not say."""
    raw = data_or_none(r)
    text_raw = abi_text(raw) if raw is not None else None
    return (decode_symbol(raw) if raw is not None else None), (text.raw_hex(text_raw) if text_raw else None)


def name_answer(r: Reply) -> tuple[str | None, str | None]:
    """A ``name()`` answer, sanitised, and its raw bytes in hex (bounded); (None, None) when it would not say."""
    raw = data_or_none(r)
    text_raw = abi_text(raw, NAME_BYTES) if raw is not None else None
    return (decode_name(raw) if raw is not None else None), (text.raw_hex(text_raw) if text_raw else None)


def decimals_answer(r: Reply) -> int | None:
    """A ``decimals()`` answer, or None when the contract would not say."""
    raw = data_or_none(r)
    return decode_uint8(raw) if raw is not None else None


@dataclass(frozen=True, slots=True)
class MetadataAsk:
    """``symbol()``, ``decimals()`` and ``name()`` of one token, asked in a plan."""

    token: str
    symbol: Handle[tuple[str | None, str | None]]
    decimals: Handle[int | None]
    name: Handle[tuple[str | None, str | None]]

    @property
    def value(self) -> TokenMeta:
        (symbol, symbol_hex), (name, name_hex) = self.symbol.value, self.name.value
        return TokenMeta(symbol, self.decimals.value, name, symbol_hex, name_hex)

    @property
    def unanswered(self) -> bool:
        """Whether a node, not the token, left a question unanswered (throttled, missing state, internal error).

        Such a None is not the token declining to say; it is never cached and
        the token's metadata counts as unchecked.
        """
        for handle in (self.symbol, self.decimals, self.name):
            err = handle.error
            if err is not None and (err.endpoint_fault or err.rate_limited):
                return True
        return False

    def remember(self, ctx: ChainContext) -> TokenMeta:
        """Keep what the token said about itself in the chain's token cache (None where it would not say)."""
        meta = self.value
        if not self.unanswered:
            ctx.tokens.put(self.token, meta)
        return meta


def ask_metadata(plan: Plan, token: str) -> MetadataAsk:
    """Add a token's symbol(), decimals() and name() to a plan (one batch: no extra round trip)."""
    return MetadataAsk(
        token,
        plan.add(Call("eth_call", ({"to": token, "data": SYMBOL_CALL}, "latest")), decode=symbol_answer),
        plan.add(Call("eth_call", ({"to": token, "data": DECIMALS_CALL}, "latest")), decode=decimals_answer),
        plan.add(Call("eth_call", ({"to": token, "data": NAME_CALL}, "latest")), decode=name_answer),
    )


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the token probe learnt: each asked token's metadata, and the receipt's transfers with it."""

    metadata: dict[str, TokenMeta]
    transfers: tuple[TokenTransfer, ...]


def ask_tokens(found: Found, plan: Plan) -> Reader[TokenInfo] | None:
    """Symbol and decimals of the tokens in the receipt's Transfer logs or addressed by the call, where not cached."""
    asks = [ask_metadata(plan, token) for token in _unknown(found)]
    if not asks:
        return None

    def read() -> Read[TokenInfo]:
        metadata = {ask.token: ask.remember(found.ctx) for ask in asks}
        unchecked = frozenset({"token"}) if any(ask.unanswered for ask in asks) else frozenset()
        return Read(TokenInfo(metadata, token_transfers(found)), unchecked)

    return read


def _unknown(found: Found) -> list[str]:
    return [token for token in touched(found) if found.ctx.tokens.get(token) is None]


def touched(found: Found) -> list[str]:
    """Tokens in the receipt's Transfer logs, and the token the transaction's own call addresses."""
    seen: list[str] = []
    if found.receipt is not None:
        seen += [m.token for m in moves(found.receipt.logs)]
    if found.tx is not None:
        seen += [a.token for a in addressed(found.tx) if a.token is not None and not a.native]
    return list(dict.fromkeys(seen))


def known_tokens(found: Found, standards: Mapping[str, str] | None = None) -> tuple[TokenFacts, ...]:
    """What the chain's token cache holds for every token the transaction touched or addressed."""
    out = []
    for token in touched(found):
        meta = found.ctx.tokens.get(token)
        if meta is not None:
            out.append(TokenFacts(token, meta.symbol, meta.decimals, (standards or {}).get(token)))
    return tuple(out)


SUPPORTS_INTERFACE = "0x01ffc9a7"
INTERFACES = {"erc721": "80ac58cd", "erc1155": "d9b67a26"}  # ERC-165 interface ids


def supports_answer(r: Reply) -> bool:
    """A supportsInterface() answer: True only for an ABI ``true``; a revert or nonsense is "no"."""
    raw = data_or_none(r)
    return raw is not None and len(raw) == 32 and int.from_bytes(raw, "big") == 1


def ask_standard(found: Found, plan: Plan) -> Reader[dict[str, str]] | None:
    """ERC-165: is the token an NFT-style call addresses an ERC-721 or ERC-1155 (its selector is shared with ERC-20)?"""
    tx = found.tx
    if tx is None or tx.to is None or tx.input[:4] not in NFT_STYLE_CALLS:
        return None
    token = tx.to
    asks = {
        standard: plan.add(
            Call("eth_call", ({"to": token, "data": SUPPORTS_INTERFACE + iid + "0" * 56}, "latest")),
            decode=supports_answer,
        )
        for standard, iid in INTERFACES.items()
    }

    def read() -> Read[dict[str, str]]:
        said = [standard for standard, handle in asks.items() if handle.value]
        return Read({token: said[0]} if said else {})

    return read
