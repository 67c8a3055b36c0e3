"""Token metadata (symbol, decimals) for the ERC-20 Transfer logs of a receipt."""

from __future__ import annotations

from collections.abc import Sequence

from txdiag.gather import Found, ProbeResult, reply_bytes, token_transfers
from txdiag.rpc import Call, Reply
from txdiag.wire import decode_symbol, decode_uint8, erc20_transfers

SYMBOL_CALL = "0x95d89b41"
DECIMALS_CALL = "0x313ce567"


class TokenProbe:
    """Symbol and decimals of every token in the receipt's ERC-20 Transfer logs.

    A probe instance serves one investigation: it remembers which tokens it
    asked about, since the shared cache may fill in between.
    """

    def __init__(self) -> None:
        self._asked: list[str] = []

    def calls(self, found: Found) -> Sequence[Call]:
        self._asked = self._unknown(found)
        return [call for token in self._asked for call in metadata_calls(token)]

    def _unknown(self, found: Found) -> list[str]:
        if found.receipt is None:
            return []
        seen: list[str] = []
        for token, *_ in erc20_transfers(found.receipt.logs):
            if token not in seen and found.ctx.tokens.get(token) is None:
                seen.append(token)
        return seen

    def read(self, found: Found, replies: Sequence[Reply]) -> ProbeResult:
        for i, token in enumerate(self._asked):
            store_metadata(found, token, replies[2 * i], replies[2 * i + 1])
        return ProbeResult({"token_transfers": token_transfers(found)})


def metadata_calls(token: str) -> list[Call]:
    """symbol() and decimals() of a token, in the order store_metadata reads them."""
    return [
        Call("eth_call", ({"to": token, "data": SYMBOL_CALL}, "latest")),
        Call("eth_call", ({"to": token, "data": DECIMALS_CALL}, "latest")),
    ]


def store_metadata(found: Found, token: str, symbol: Reply, decimals: Reply) -> None:
    """Keep what the token said about itself in the chain's token cache (None where it would not say)."""
    sym, dec = reply_bytes(symbol), reply_bytes(decimals)
    found.ctx.tokens.put(
        token,
        (decode_symbol(sym) if sym is not None else None, decode_uint8(dec) if dec is not None else None),
    )
