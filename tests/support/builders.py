"""Evidence builders for the table-driven rule tests: small, typed values with defaults that say nothing.

Each rule test file states only what its rows are about (the block, the fee
cap, the recipients) and takes everything else from here.
"""

from __future__ import annotations

from typing import Any

from txdiag.chains import ChainSpec, Endpoint, redact
from txdiag.models import Evidence, LogView, NetworkView, ReceiptView, TxStatus, TxView

GWEI = 10**9
HASH = "0x" + "11" * 32
BLOCK_HASH = "0x" + "22" * 32
SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def chain_spec(
    *urls: str, confirmations: int = 12, block_time: float = 12.0, mempool: bool = True, **kw: Any
) -> ChainSpec:
    """The chain "alpha" (id 31337, ETH) at ``urls`` (shown redacted), or at one loopback endpoint nobody calls."""
    endpoints = tuple(Endpoint(u, redact(u)) for u in urls or ("http://127.0.0.1:1",))
    return ChainSpec("alpha", 31337, "ETH", 18, confirmations, block_time, endpoints, mempool=mempool, **kw)


def tx_view(
    *,
    hash: str = HASH,
    sender: str = SENDER,
    to: str | None = TO,
    nonce: int = 3,
    value: int = 10**18,
    gas: int = 21_000,
    input: bytes = b"",
    gas_price: int | None = GWEI,
    max_fee: int | None = 2 * GWEI,
    tip: int | None = GWEI,
    block: int | None = 100,
    block_hash: str | None = BLOCK_HASH,
    type: int | None = None,
) -> TxView:
    """A transaction; mined in ``block`` (None: pending, and then it has no block hash).

    Its type is 2 when it has a fee cap, else 0, unless given.
    """
    return TxView(
        hash=hash,
        sender=sender,
        to=to,
        nonce=nonce,
        value=value,
        gas=gas,
        type=type if type is not None else (2 if max_fee is not None else 0),
        input=input,
        gas_price=gas_price,
        max_fee_per_gas=max_fee,
        max_priority_fee_per_gas=tip,
        block_number=block,
        block_hash=None if block is None else block_hash,
    )


def receipt_view(
    *,
    status: TxStatus = TxStatus.SUCCESS,
    block: int = 100,
    block_hash: str = BLOCK_HASH,
    gas_used: int = 21_000,
    logs: tuple[LogView, ...] = (),
) -> ReceiptView:
    """A receipt in ``block``, paid at 1 gwei."""
    return ReceiptView(status, block, block_hash, gas_used, GWEI, logs)


def network_view(
    *, head: int = 100, finalized: int | None = None, next_base_fee: int | None = GWEI, **kw: Any
) -> NetworkView:
    """The chain's conditions: a head, an optional finalized block, the next base fee; fee history in ``kw``."""
    return NetworkView(head=head, head_timestamp=0, finalized=finalized, safe=None, next_base_fee=next_base_fee, **kw)


def evidence(
    tx: TxView | None,
    *,
    network: NetworkView | None = None,
    receipt: ReceiptView | None = None,
    hash: str | None = None,
    **kw: Any,
) -> Evidence:
    """Evidence on "alpha" about ``tx`` (its hash unless given); other fields in ``kw``."""
    return Evidence(
        hash=hash or (tx.hash if tx is not None else HASH),
        chain="alpha",
        network=network,
        tx=tx,
        receipt=receipt,
        **kw,
    )
