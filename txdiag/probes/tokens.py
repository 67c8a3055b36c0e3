"""Token metadata (symbol, decimals) for the ERC-20 Transfer logs of a receipt."""

from __future__ import annotations

from collections.abc import Sequence

from txdiag.gather import Found, ProbeResult, token_transfers
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
        calls: list[Call] = []
        for token in self._asked:
            calls.append(Call("eth_call", ({"to": token, "data": SYMBOL_CALL}, "latest")))
            calls.append(Call("eth_call", ({"to": token, "data": DECIMALS_CALL}, "latest")))
        return calls

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
            sym_reply, dec_reply = replies[2 * i], replies[2 * i + 1]
            symbol = _call_bytes(sym_reply)
            decimals = _call_bytes(dec_reply)
            found.ctx.tokens.put(
                token,
                (
                    decode_symbol(symbol) if symbol is not None else None,
                    decode_uint8(decimals) if decimals is not None else None,
                ),
            )
        return ProbeResult({"token_transfers": token_transfers(found)})


def _call_bytes(reply: Reply) -> bytes | None:
    if not reply.ok or not isinstance(reply.value, str):
        return None
    try:
        return bytes.fromhex(reply.value.removeprefix("0x"))
    except ValueError:
        return None
