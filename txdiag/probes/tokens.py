"""Token metadata (symbol, decimals) for the ERC-20 Transfer logs of a receipt."""

from __future__ import annotations

from dataclasses import dataclass

from txdiag.models import TokenTransfer
from txdiag.probes.context import ChainContext, Found, TokenMeta, token_transfers
from txdiag.probes.plan import Handle, Plan, Read, Reader, data_or_none
from txdiag.rpc import Call, Reply
from txdiag.wire import decode_symbol, decode_uint8, erc20_transfers

SYMBOL_CALL = "0x95d89b41"
DECIMALS_CALL = "0x313ce567"


def symbol_answer(r: Reply) -> str | None:
    """A ``symbol()`` answer, or None when the contract would not say."""
    raw = data_or_none(r)
    return decode_symbol(raw) if raw is not None else None


def decimals_answer(r: Reply) -> int | None:
    """A ``decimals()`` answer, or None when the contract would not say."""
    raw = data_or_none(r)
    return decode_uint8(raw) if raw is not None else None


@dataclass(frozen=True, slots=True)
class MetadataAsk:
    """``symbol()`` and ``decimals()`` of one token, asked in a plan."""

    token: str
    symbol: Handle[str | None]
    decimals: Handle[int | None]

    @property
    def value(self) -> TokenMeta:
        return self.symbol.value, self.decimals.value

    def remember(self, ctx: ChainContext) -> TokenMeta:
        """Keep what the token said about itself in the chain's token cache (None where it would not say)."""
        meta = self.value
        ctx.tokens.put(self.token, meta)
        return meta


def ask_metadata(plan: Plan, token: str) -> MetadataAsk:
    """Add a token's symbol() and decimals() to a plan."""
    return MetadataAsk(
        token,
        plan.add(Call("eth_call", ({"to": token, "data": SYMBOL_CALL}, "latest")), decode=symbol_answer),
        plan.add(Call("eth_call", ({"to": token, "data": DECIMALS_CALL}, "latest")), decode=decimals_answer),
    )


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the token probe learnt: each asked token's metadata, and the receipt's transfers with it."""

    metadata: dict[str, TokenMeta]
    transfers: tuple[TokenTransfer, ...]


def ask_tokens(found: Found, plan: Plan) -> Reader[TokenInfo] | None:
    """Symbol and decimals of every token in the receipt's Transfer logs that the cache lacks."""
    asks = [ask_metadata(plan, token) for token in _unknown(found)]
    if not asks:
        return None

    def read() -> Read[TokenInfo]:
        metadata = {ask.token: ask.remember(found.ctx) for ask in asks}
        return Read(TokenInfo(metadata, token_transfers(found)))

    return read


def _unknown(found: Found) -> list[str]:
    if found.receipt is None:
        return []
    seen: list[str] = []
    for token, *_ in erc20_transfers(found.receipt.logs):
        if token not in seen and found.ctx.tokens.get(token) is None:
            seen.append(token)
    return seen
