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
    the head (the block)   it is not more blocks past the transaction's own block than the time between
                           their timestamps allows (the receipt's blockTimestamp, where the node gives it)
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
TIMESTAMP_STEP = 1.0  # block timestamps are whole seconds: blocks a second apart may share one


def blocks_possible(chain: ChainSpec, seconds: float) -> float:
    """The most blocks a chain can believably add in ``seconds`` (of block timestamps).

    The ceiling is BURST_FACTOR times the chain's nominal rate, over the span plus one timestamp step (a
    sequencer's sub-second blocks share a timestamp: Arbitrum's 0.25 s, BSC's 0.45 s), plus BURST_BLOCKS
    however short the span: a dev node mines far faster than any block time (anvil_mine adds ~1000 blocks a
    second, all stamped with the same second or two). Only an absurd head fails it (2**40, or millions of
    blocks in a minute); a plausible lie from a lone endpoint is caught by its peers, not by arithmetic.
    """
    return (max(0.0, seconds) + TIMESTAMP_STEP) / max(chain.block_time, 0.001) * BURST_FACTOR + BURST_BLOCKS


def head_after_block(chain: ChainSpec, head: int, head_ts: int, anchor: tuple[int, int]) -> str | None:
    """A head against a block it is known to follow (the transaction's): not more blocks past it than time allows."""
    number, ts = anchor
    if head - number > blocks_possible(chain, head_ts - ts):
        return "head_implausible_for_block_time"
    return None


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


def snapshot(
    chain: ChainSpec,
    replies: Sequence[Reply],
    now: float,
    *,
    receipt_block: int | None = None,
    anchor: tuple[int, int] | None = None,
) -> str | None:
    """The head and what comes with it (finalized, safe, fee history), as one endpoint answered them.

    ``anchor`` is the (number, timestamp) of the transaction's block, when known: the head must be
    reachable from it in the time between them.
    """
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
    if anchor is not None:
        return head_after_block(chain, head, head_ts, anchor)
    return None


def round_one(chain: ChainSpec, asked: str, *, with_snapshot: bool, clock: Callable[[], float]) -> Verifier:
    """The check of round 1's batch: the transaction and receipt, and the snapshot when it rides along."""

    def check(replies: Sequence[Reply]) -> str | None:
        fault = transaction(asked, replies[0], replies[1])
        if fault is not None or not with_snapshot:
            return fault
        receipt = replies[1]
        return snapshot(chain, replies[2:], clock(), receipt_block=_receipt_block(receipt), anchor=anchor_of(receipt))

    return check


def snapshot_only(chain: ChainSpec, clock: Callable[[], float], *, anchor: tuple[int, int] | None = None) -> Verifier:
    """The check of a batch that is only the snapshot's calls (against the transaction's block, when known)."""
    return lambda replies: snapshot(chain, replies, clock(), anchor=anchor)


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


def anchor_of(reply: Reply) -> tuple[int, int] | None:
    """(block number, block timestamp) from a receipt, where the node includes ``blockTimestamp`` (geth, erigon,
    besu, reth and anvil do; Arbitrum's nodes do not), else None."""
    if not reply.ok or not isinstance(reply.value, dict) or reply.value.get("blockTimestamp") is None:
        return None
    try:
        return quantity(reply.value.get("blockNumber"), "blockNumber"), quantity(
            reply.value.get("blockTimestamp"), "blockTimestamp"
        )
    except WireError:
        return None
