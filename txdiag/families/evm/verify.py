"""Checks a node's answer must pass before it becomes evidence.

A failed check is an endpoint fault for that request (the RPC client asks
another endpoint), never a verdict. Each check returns a fixed label naming
what did not hold, or None. Pure: the wall clock is passed in.

    the transaction        its hash is the hash asked for
    the receipt            its transactionHash is the hash asked for; its blockHash and blockNumber are the
                           transaction's; a pending transaction has none; a mined one must have one. A
                           receipt beside a transaction read as pending (or not known) is what an honest
                           node gives when a block takes the transaction in between the two items: the
                           answer is not kept, and the endpoint is asked again, not blamed (ReadApart)
    the head (snapshot)    its timestamp is not in the future beyond FUTURE_TOLERANCE; the finalized and safe
                           blocks are not above it; the fee history in the same answer ends at it; it is
                           not more blocks past the finalized block than the time between them allows; the
                           receipt's block (same answer) is not above it
    the head (the block)   it is not more blocks past the transaction's own block than the time between
                           their timestamps allows: the receipt's blockTimestamp in round 1 where the node
                           gives it, else the block's header in round 2 (which must be the receipt's block)
"""

from __future__ import annotations

from collections.abc import Callable

from txdiag.chains import ChainSpec
from txdiag.families.evm.probes.lookup import Lookup, ReceiptLink
from txdiag.families.evm.probes.plan import Answer, Check
from txdiag.families.evm.snapshot import SnapshotAnswer
from txdiag.models import TxView
from txdiag.rpc import ReadApart

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


def transaction(asked: str, tx: Answer[TxView], receipt: Answer[ReceiptLink]) -> str | None:
    """The transaction and its receipt, as one endpoint answered them."""
    if tx.error is not None:
        return None  # an item error: the reader says the chain could not answer
    if tx.malformed:
        return "malformed_transaction"
    view = tx.value
    if view is None:
        if not receipt.ok or receipt.value is None:
            return None
        if not _names(receipt.value, asked):
            return "receipt_hash_mismatch"
        return ReadApart("receipt_without_transaction")  # unknown to the node, then mined between the items
    if view.hash.lower() != asked.lower():
        return "transaction_hash_mismatch"
    if receipt.error is not None:
        return "receipt_unreadable" if view.block_number is not None else None
    if receipt.malformed:
        return "malformed_receipt"
    link = receipt.value
    if link is None:
        # a mined transaction always has a receipt: this node is missing data (or mid-reorg); ask another
        return "receipt_missing" if view.block_number is not None else None
    if not _names(link, asked):
        return "receipt_hash_mismatch"
    if view.block_number is None or view.block_hash is None:
        return ReadApart("receipt_for_pending_transaction")  # read pending, then mined before its receipt was read
    if link.block_number != view.block_number or link.block_hash.lower() != view.block_hash.lower():
        return "receipt_block_mismatch"
    if link.root and view.type != 0:
        # typed transactions (EIP-2718) came long after Byzantium: their receipts always carry a status
        return "receipt_without_status"
    return None


def _names(link: ReceiptLink, asked: str) -> bool:
    """Whether a receipt says it is the receipt of the transaction asked for."""
    return link.transaction_hash is not None and link.transaction_hash.lower() == asked.lower()


def snapshot(
    chain: ChainSpec,
    snap: SnapshotAnswer,
    now: float,
    *,
    receipt_block: int | None = None,
    anchor: tuple[int, int] | None = None,
) -> str | None:
    """The head and what comes with it (finalized, safe, fee history), as one endpoint answered them.

    ``anchor`` is the (number, timestamp) of the transaction's block, when known: the head must be
    reachable from it in the time between them.
    """
    if snap.latest.malformed:
        return "malformed_head"
    if snap.latest.value is None:
        return None  # the snapshot reader names this (the head is required)
    head, head_ts = snap.latest.value
    if head_ts > now + FUTURE_TOLERANCE:
        return "head_in_future"
    for mark in (snap.finalized.value, snap.safe.value):
        if mark is None:
            continue
        number, ts = mark
        if number > head + RACE_BLOCKS:
            return "finality_beyond_head"
        allowed = max(0.0, head_ts - ts) / max(chain.block_time, 0.001) * BURST_FACTOR + BURST_BLOCKS
        if head - number > allowed:
            return "head_implausible"
    newest = snap.fees.newest
    if newest is not None and abs(newest - head) > RACE_BLOCKS:
        return "fee_history_disagrees_with_head"
    if receipt_block is not None and receipt_block > head + RACE_BLOCKS:
        return "receipt_beyond_head"
    if anchor is not None:
        return head_after_block(chain, head, head_ts, anchor)
    return None


def round_one(
    chain: ChainSpec,
    lookup: Lookup,
    snap: Callable[[], SnapshotAnswer] | None,
    *,
    clock: Callable[[], float],
) -> Check:
    """The check of round 1's answer, read from its handles: the transaction and receipt, and the snapshot
    when it rides along (its head checked against the receipt's block)."""

    def check() -> str | None:
        receipt = lookup.receipt.value
        fault = transaction(lookup.hash, lookup.tx.value, receipt)
        if fault is not None or snap is None:
            return fault
        link = receipt.value
        return snapshot(
            chain,
            snap(),
            clock(),
            receipt_block=link.block_number if link is not None else None,
            anchor=link.anchor if link is not None else None,
        )

    return check


def snapshot_only(
    chain: ChainSpec,
    snap: Callable[[], SnapshotAnswer],
    clock: Callable[[], float],
    *,
    anchor: tuple[int, int] | None = None,
) -> Check:
    """The check of a plan that is only the snapshot's calls (against the transaction's block, when known)."""
    return lambda: snapshot(chain, snap(), clock(), anchor=anchor)
