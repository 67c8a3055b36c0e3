"""Round 1's own question: the transaction and its receipt, each decoded by its own handle.

The receipt is read here only as far as it links to the transaction (its hash,
block and block time): its logs are parsed once, later, in slices, and only
when the answer passed its checks. Where the node's receipt has no block time,
round 2 asks for the block's header (:func:`ask_block_time`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from txdiag.errors import WireError
from txdiag.families.evm.probes.context import Found
from txdiag.families.evm.probes.plan import Answer, Handle, Plan, answer
from txdiag.families.evm.wire import has_root, hash32, parse_block_head, parse_tx, quantity
from txdiag.models import TxView
from txdiag.rpc import Call


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
    # a state root instead of a status (before Byzantium): its outcome is inferred from the gas it used
    root: bool = False


def parse_receipt_link(value: Any) -> ReceiptLink:
    """The linking fields of an eth_getTransactionReceipt result (WireError when its block is unreadable, or when
    it says how the transaction ended by neither a status nor a state root: a stripped or broken answer)."""
    if not isinstance(value, dict):
        raise WireError("receipt: expected an object")
    number = quantity(value.get("blockNumber"), "blockNumber")
    block_hash = hash32(value.get("blockHash"), "blockHash")
    root = has_root(value)
    raw_hash = value.get("transactionHash")
    anchor = None
    if value.get("blockTimestamp") is not None:
        try:
            anchor = (number, quantity(value.get("blockTimestamp"), "blockTimestamp"))
        except WireError:
            anchor = None  # a block time the node garbled is one the check goes without, not a broken receipt
    return ReceiptLink(raw_hash if isinstance(raw_hash, str) else None, number, block_hash, anchor, value, root)


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


@dataclass(frozen=True, slots=True)
class BlockMark:
    """A block header's number, timestamp and hash."""

    number: int
    timestamp: int
    hash: str


def parse_block_mark(value: Any) -> BlockMark:
    number, timestamp = parse_block_head(value)
    return BlockMark(number, timestamp, hash32(value.get("hash"), "block.hash"))


@dataclass(frozen=True, slots=True)
class BlockTime:
    """The transaction's block, asked by hash in round 2 for its timestamp."""

    number: int
    hash: str
    header: Handle[Answer[BlockMark]]

    def fault(self) -> str | None:
        """Round 2's check of each endpoint's answer: the header is the block asked for (or no header at all)."""
        mark = self.header.value.value
        if mark is not None and (mark.number != self.number or mark.hash.lower() != self.hash.lower()):
            return "block_header_mismatch"
        return None

    @property
    def anchor(self) -> tuple[int, int] | None:
        """(number, timestamp) of the transaction's block; None when no endpoint gave its header."""
        mark = self.header.value.value
        return (mark.number, mark.timestamp) if mark is not None and self.fault() is None else None


def ask_block_time(found: Found, plan: Plan) -> BlockTime | None:
    """The header of the receipt's block, where round 1's receipt did not say its block time (Arbitrum's nodes)."""
    receipt = found.receipt
    if receipt is None or found.anchor is not None:
        return None
    header = plan.add(Call("eth_getBlockByHash", (receipt.block_hash, False)), decode=answer(parse_block_mark))
    return BlockTime(receipt.block_number, receipt.block_hash, header)
