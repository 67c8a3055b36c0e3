"""Round 1's own question: the transaction and its receipt, each decoded by its own handle.

The receipt is read here only as far as it links to the transaction (its hash,
block and block time): its logs are parsed once, later, in slices, and only
when the answer passed its checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from txdiag.models import TxView
from txdiag.probes.plan import Answer, Handle, Plan, answer
from txdiag.rpc import Call
from txdiag.wire import WireError, hash32, parse_tx, quantity


@dataclass(frozen=True, slots=True)
class ReceiptLink:
    """What ties a receipt to its transaction and its block; ``raw`` is the receipt as the node sent it."""

    transaction_hash: str | None  # None when the node gave no hash string
    block_number: int
    block_hash: str
    # (number, timestamp) of the receipt's block where the node includes blockTimestamp (geth, erigon, besu,
    # reth and anvil do; Arbitrum's nodes do not)
    anchor: tuple[int, int] | None
    raw: dict[str, Any]


def parse_receipt_link(value: Any) -> ReceiptLink:
    """The linking fields of an eth_getTransactionReceipt result (WireError when its block is unreadable)."""
    if not isinstance(value, dict):
        raise WireError("receipt: expected an object")
    number = quantity(value.get("blockNumber"), "blockNumber")
    block_hash = hash32(value.get("blockHash"), "blockHash")
    raw_hash = value.get("transactionHash")
    anchor = None
    if value.get("blockTimestamp") is not None:
        try:
            anchor = (number, quantity(value.get("blockTimestamp"), "blockTimestamp"))
        except WireError:
            anchor = None  # a block time the node garbled is one the check goes without, not a broken receipt
    return ReceiptLink(raw_hash if isinstance(raw_hash, str) else None, number, block_hash, anchor, value)


@dataclass(frozen=True, slots=True)
class Lookup:
    """The handles of one transaction lookup: the transaction and its receipt."""

    hash: str
    tx: Handle[Answer[TxView]]
    receipt: Handle[Answer[ReceiptLink]]

    @property
    def endpoint(self) -> str:
        """The endpoint that answered (the transaction's, as the whole answer is checked as one)."""
        return self.tx.reply.endpoint


def ask_lookup(tx_hash: str, plan: Plan) -> Lookup:
    """Add the transaction and its receipt to ``plan``."""
    tx = plan.add(Call("eth_getTransactionByHash", (tx_hash,)), decode=answer(parse_tx))
    receipt = plan.add(Call("eth_getTransactionReceipt", (tx_hash,)), decode=answer(parse_receipt_link))
    return Lookup(tx_hash, tx, receipt)
