"""Checks a node's answer must pass before it becomes evidence.

A failed check is an endpoint fault for that request (the RPC client asks
another endpoint), never a verdict. Each check returns a fixed label naming
what did not hold, or None. Pure: the wall clock is passed in.

    the transaction        its hash is the hash asked for
    the receipt            its transactionHash is the hash asked for; its blockHash and blockNumber are the
                           transaction's; a pending transaction has none; a mined one must have one
    the head (snapshot)    its timestamp is not in the future beyond FUTURE_TOLERANCE; the finalized and safe
                           blocks are not above it; the fee history in the same answer ends at it; it is
                           not more blocks past the finalized block than the time between them allows; the
                           receipt's block (same answer) is not above it
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from txdiag.chains import ChainSpec
from txdiag.rpc import Reply, Verifier
from txdiag.wire import WireError, hash32, parse_block_head, parse_tx, quantity

FUTURE_TOLERANCE = 120.0  # seconds a head's timestamp may run ahead of our clock (skew, a fast sequencer)
RACE_BLOCKS = 2  # items of one batch are read a moment apart: a block or two may be mined in between
# blocks a chain may produce faster than its nominal block time (anvil mines hundreds in one second; real
# chains burst after a halt) before a head that far past the finalized block stops being believable
BURST_BLOCKS = 100_000
BURST_FACTOR = 20


def transaction(asked: str, tx_reply: Reply, receipt_reply: Reply) -> str | None:
    """The transaction and its receipt, as one endpoint answered them."""
    if not tx_reply.ok:
        return None  # an item error: the reader says the chain could not answer
    if tx_reply.value is None:
        if receipt_reply.ok and receipt_reply.value is not None:
            return "receipt_without_transaction"
        return None
    try:
        tx = parse_tx(tx_reply.value)
    except WireError:
        return "malformed_transaction"
    if tx.hash.lower() != asked.lower():
        return "transaction_hash_mismatch"
    if not receipt_reply.ok:
        return "receipt_unreadable" if tx.block_number is not None else None
    if receipt_reply.value is None:
        # a mined transaction always has a receipt: this node is missing data (or mid-reorg); ask another
        return "receipt_missing" if tx.block_number is not None else None
    # only the fields that tie it to the transaction are read here (its logs are parsed once, later)
    raw = receipt_reply.value
    if not isinstance(raw, dict):
        return "malformed_receipt"
    try:
        block_number = quantity(raw.get("blockNumber"), "blockNumber")
        block_hash = hash32(raw.get("blockHash"), "blockHash")
    except WireError:
        return "malformed_receipt"
    raw_hash = raw.get("transactionHash")
    if not isinstance(raw_hash, str) or raw_hash.lower() != asked.lower():
        return "receipt_hash_mismatch"
    if tx.block_number is None or tx.block_hash is None:
        return "receipt_for_pending_transaction"
    if block_number != tx.block_number or block_hash.lower() != tx.block_hash.lower():
        return "receipt_block_mismatch"
    return None


def snapshot(chain: ChainSpec, replies: Sequence[Reply], now: float, *, receipt_block: int | None = None) -> str | None:
    """The head and what comes with it (finalized, safe, fee history), as one endpoint answered them."""
    latest, finalized, safe, fees = replies[:4]
    if not latest.ok or latest.value is None:
        return None  # the snapshot reader names this (the head is required)
    try:
        head, head_ts = parse_block_head(latest.value)
    except WireError:
        return "malformed_head"
    if head_ts > now + FUTURE_TOLERANCE:
        return "head_in_future"
    for reply in (finalized, safe):
        mark = _head(reply)
        if mark is None:
            continue
        number, ts = mark
        if number > head + RACE_BLOCKS:
            return "finality_beyond_head"
        allowed = max(0.0, head_ts - ts) / max(chain.block_time, 0.001) * BURST_FACTOR + BURST_BLOCKS
        if head - number > allowed:
            return "head_implausible"
    newest = _fee_history_newest(fees)
    if newest is not None and abs(newest - head) > RACE_BLOCKS:
        return "fee_history_disagrees_with_head"
    if receipt_block is not None and receipt_block > head + RACE_BLOCKS:
        return "receipt_beyond_head"
    return None


def round_one(chain: ChainSpec, asked: str, *, with_snapshot: bool, clock: Callable[[], float]) -> Verifier:
    """The check of round 1's batch: the transaction and receipt, and the snapshot when it rides along."""

    def check(replies: Sequence[Reply]) -> str | None:
        fault = transaction(asked, replies[0], replies[1])
        if fault is not None or not with_snapshot:
            return fault
        return snapshot(chain, replies[2:], clock(), receipt_block=_receipt_block(replies[1]))

    return check


def snapshot_only(chain: ChainSpec, clock: Callable[[], float]) -> Verifier:
    """The check of a batch that is only the snapshot's calls."""
    return lambda replies: snapshot(chain, replies, clock())


def _head(reply: Reply) -> tuple[int, int] | None:
    if not reply.ok or reply.value is None:
        return None
    try:
        return parse_block_head(reply.value)
    except WireError:
        return None


def _fee_history_newest(reply: Reply) -> int | None:
    """The newest block an eth_feeHistory answer covers (oldestBlock + blocks - 1), when it says."""
    value: Any = reply.value if reply.ok else None
    if not isinstance(value, dict):
        return None
    ratios = value.get("gasUsedRatio")
    if not isinstance(ratios, list) or not ratios:
        return None
    try:
        oldest = quantity(value.get("oldestBlock"), "oldestBlock")
    except WireError:
        return None
    return oldest + len(ratios) - 1


def _receipt_block(reply: Reply) -> int | None:
    if not reply.ok or not isinstance(reply.value, dict):
        return None
    try:
        return quantity(reply.value.get("blockNumber"), "blockNumber")
    except WireError:
        return None
