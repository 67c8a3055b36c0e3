"""What a probe is given: the chain it works on (a ``txdiag.context.ChainContext``) and what round 1 found there."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from txdiag.context import ChainContext
from txdiag.families.evm.transfers import ERC20, moves
from txdiag.models import Asked, Logs, NetworkView, ReceiptView, TokenMeta, TokenTransfer, TxView


@dataclass(frozen=True, slots=True)
class Found:
    """What round 1 established on one chain."""

    ctx: ChainContext
    hash: str
    tx: TxView | None
    receipt: ReceiptView | None
    network: NetworkView
    asked: Asked
    # (number, timestamp) of the receipt's block, when round 1's receipt said its block time; the head in
    # ``network`` was checked against it
    anchor: tuple[int, int] | None = None


# the transfers built lately, by receipt logs (identity) and the token metadata they were built with: round 2
# asks for one receipt's transfers several times, and an airdrop's are thousands
_TRANSFERS_SEEN: deque[tuple[Logs, tuple[tuple[str, TokenMeta], ...], tuple[TokenTransfer, ...]]] = deque(maxlen=4)


def token_transfers(found: Found) -> tuple[TokenTransfer, ...]:
    """The receipt's token transfers (ERC-20, ERC-721, ERC-1155), with each token's symbol and decimals where known."""
    if found.receipt is None:
        return ()
    logs = found.receipt.logs
    moved = moves(logs)
    metas: dict[str, TokenMeta] = {}  # an airdrop's thousands of transfers name one token: one look-up
    for m in moved:
        if m.token not in metas:
            metas[m.token] = found.ctx.tokens.get(m.token) or TokenMeta(None, None)
    known = tuple(metas.items())
    for seen, with_meta, built in _TRANSFERS_SEEN:
        if seen is logs and with_meta == known:
            return built
    out = []
    for m in moved:
        meta = metas[m.token]
        out.append(
            TokenTransfer(
                m.token,
                m.sender,
                m.recipient,
                m.value,
                meta.symbol,
                meta.decimals if m.standard == ERC20 else None,  # an NFT has no decimals, whatever it answers
                m.log_index,
                name=meta.name,
                symbol_hex=meta.symbol_hex,
                name_hex=meta.name_hex,
                standard=m.standard,
                token_id=m.token_id,
            )
        )
    if len(out) > 64:  # a short receipt's are built again faster than they are looked up
        _TRANSFERS_SEEN.append((logs, known, tuple(out)))
    return tuple(out)
