"""What a probe is given: the chain it works on, and what round 1 found there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from txdiag.cache import LRU
from txdiag.chains import ChainSpec
from txdiag.models import Asked, NetworkView, ReceiptView, TokenMeta, TokenTransfer, TxView
from txdiag.rpc import Rpc
from txdiag.snapshot import SnapshotCache
from txdiag.transfers import ERC20, moves

TOKEN_CACHE_SIZE = 4096  # token metadata rarely changes: kept until the bound pushes it out


@dataclass(slots=True)
class ChainContext:
    """Everything gather needs for one chain; built once by the service."""

    chain: ChainSpec
    client: Rpc
    snapshots: SnapshotCache
    tokens: LRU[str, TokenMeta] = field(default_factory=lambda: LRU(TOKEN_CACHE_SIZE))
    # the other configured chains, for probes that ask them too (set by the service)
    peers: Mapping[str, ChainContext] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Found:
    """What round 1 established on one chain."""

    ctx: ChainContext
    hash: str
    tx: TxView | None
    receipt: ReceiptView | None
    network: NetworkView
    asked: Asked


def token_transfers(found: Found) -> tuple[TokenTransfer, ...]:
    """The receipt's token transfers (ERC-20, ERC-721, ERC-1155), with each token's symbol and decimals where known."""
    if found.receipt is None:
        return ()
    out = []
    metas: dict[str, TokenMeta] = {}  # an airdrop's thousands of transfers name one token: one look-up
    for m in moves(found.receipt.logs):
        meta = metas.get(m.token)
        if meta is None:
            meta = metas[m.token] = found.ctx.tokens.get(m.token) or TokenMeta(None, None)
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
    return tuple(out)
