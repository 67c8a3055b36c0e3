"""Hash -> Evidence on one chain, in as few dependent round trips as possible.

Round 1 (one batch): the transaction, its receipt, and, unless another
request already has or is fetching it, the chain snapshot; one plan whose
handles decode each reply, checked through them endpoint by endpoint.
Round 2 (one batch): what round 1 makes necessary, asked by *probes*: the
sender's nonces and pool entries for a pending transaction, token metadata
for Transfer logs, why a failed transaction failed, the recipients, and the
transaction's block header where the receipt did not say its block time. Every
probe adds its calls to one plan and reads a typed result from its own
handles. Only the failure probe may ask for a third round (a revert replay,
a gas estimate), never more.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from txdiag.cache import Lease
from txdiag.context import ChainContext
from txdiag.errors import ChainUnavailable, DeadlineExceeded, Reason, WireError
from txdiag.families.evm import transfers, verify
from txdiag.families.evm.probes.context import Found, token_transfers
from txdiag.families.evm.probes.failure import ask_failure, ask_followup, ask_refusal
from txdiag.families.evm.probes.lookup import Lookup, ask_block_time, ask_lookup
from txdiag.families.evm.probes.plan import Check, Plan, Reader, raw
from txdiag.families.evm.probes.recipient import ask_recipients, code_elsewhere
from txdiag.families.evm.probes.sender import ask_sender
from txdiag.families.evm.probes.tokens import ask_standard, ask_tokens, known_tokens
from txdiag.families.evm.probes.vanished import ask_outcome, ask_vanished
from txdiag.families.evm.snapshot import SnapshotAnswer, ask_snapshot, parse_snapshot
from txdiag.families.evm.wire import log_row, parse_receipt, quantity
from txdiag.models import (
    Asked,
    Evidence,
    FailureInfo,
    LogRow,
    Logs,
    NetworkView,
    ReceiptView,
    Recipient,
    RemoteCode,
    SenderHistory,
    SenderState,
    TokenFacts,
    TokenTransfer,
    TxStatus,
    TxView,
    Vanished,
)
from txdiag.rpc import Call, HeadProbes
from txdiag.sightings import Sighting

T = TypeVar("T")
log = logging.getLogger(__name__)

# the part named unchecked when the head could not be checked against the transaction's block time
HEAD_PART = "confirmations"
# the part named unchecked when the receipt cannot say whether the transaction failed (TxStatus.UNKNOWN)
OUTCOME_PART = "outcome"
LOGS_ON_THE_LOOP = 200  # logs parsed at a stretch (~15 us a log: ~3 ms) before the event loop is served


async def find(ctx: ChainContext, tx_hash: str) -> Found:
    """Round 1: the transaction and receipt, with the snapshot piggy-backed when stale.

    A null transaction is confirmed with one other endpoint (when there is
    one) before it is believed: public endpoints lag and miss transactions.
    """
    claim = ctx.snapshots.claim()
    lease = claim if isinstance(claim, Lease) else None
    if isinstance(claim, Lease):
        claim = claim.future
    plan = Plan()
    lookup = ask_lookup(tx_hash, plan)
    snap = ask_snapshot(ctx.chain, plan) if lease is not None else None
    # the other endpoints' heads, asked in parallel (not a dependent round trip) when not known lately
    head_probes = ctx.client.start_round()
    # every answer is checked (the hash asked, receipt and transaction agree, a believable head); one that
    # fails is that endpoint's fault and another endpoint is asked
    check = verify.round_one(ctx.chain, lookup, snap, clock=time.time)
    try:
        # a lagging endpoint cannot have the newest blocks: ask one at the best head when there is one
        await plan.send(ctx.client, min_head=ctx.client.fresh_floor(), verify=check)
        _checked(ctx, check, lookup.endpoint)
        if snap is not None:
            network = await _believable_snapshot(ctx, snap(), head_probes, _anchor(lookup))
    except BaseException as exc:
        if lease is not None:
            lease.fail(_abandoned(ctx, exc))
        raise
    if lease is not None:
        lease.fulfil(network)
    elif isinstance(claim, NetworkView):
        network = claim
    else:
        try:
            network = await asyncio.shield(claim)  # one waiter's cancellation must not cancel the others'
        except ChainUnavailable:
            # the request fetching the snapshot for everyone failed; this one has its answer, so try once more
            network = await _snapshot_again(ctx)

    await head_probes.settle()
    endpoint = lookup.endpoint
    tx, receipt = await _read_tx(ctx, lookup)
    anchor = _anchor(lookup)
    agreed = 1
    endpoints = [endpoint]
    source = endpoint  # whose receipt (and block time) is used
    if _doubtful(ctx, endpoint, tx, receipt):
        again = await _ask_another(ctx, tx_hash, endpoint)
        if again is not None:
            endpoints.append(again.endpoint)
            if tx is None and again.tx is None:
                agreed += 1
            elif _completeness(again.tx, again.receipt) > _completeness(tx, receipt):
                tx, receipt, anchor = again.tx, again.receipt, again.anchor
                source = again.endpoint
    network, anchor = await _after_block(ctx, network, anchor, receipt, source)
    # confirmations count from the best head any endpoint showed, not from whichever answered the snapshot
    best = max(network.head, ctx.client.best_head() or 0, receipt.block_number if receipt is not None else 0)
    if best > network.head and (
        anchor is None or verify.head_after_block(ctx.chain, best, network.head_timestamp, anchor) is None
    ):
        network = dataclasses.replace(network, head=best)
    asked = Asked(ctx.chain.name, tuple(endpoints), agreed, len(ctx.chain.endpoints))
    return Found(ctx, tx_hash, tx, receipt, network, asked, anchor)


def _anchor(lookup: Lookup) -> tuple[int, int] | None:
    """(number, timestamp) of the receipt's block, where the node said its timestamp."""
    link = lookup.receipt.value.value
    return link.anchor if link is not None else None


def _checked(ctx: ChainContext, check: Check, endpoint: str) -> None:
    """The client checks complete answers; one returned with throttled items unretried is checked here."""
    fault = check()
    if fault is not None:
        raise ChainUnavailable(ctx.chain.name, [endpoint], Reason.UNVERIFIED, detail=f"could not check: {fault}")


async def _fetch_snapshot(
    ctx: ChainContext,
    *,
    avoid: Sequence[str] = (),
    min_head: int | None = None,
    anchor: tuple[int, int] | None = None,
) -> tuple[NetworkView, str]:
    """The snapshot alone, each endpoint's answer checked (against the transaction's block when known)."""
    plan = Plan()
    snap = ask_snapshot(ctx.chain, plan)
    check = verify.snapshot_only(ctx.chain, snap, time.time, anchor=anchor)
    await plan.send(ctx.client, avoid=avoid, min_head=min_head, verify=check)
    answered = snap()
    endpoint = answered.endpoint
    _checked(ctx, check, endpoint)
    try:
        network = parse_snapshot(answered)
    except WireError as exc:
        raise ChainUnavailable(ctx.chain.name, [endpoint], Reason.MALFORMED) from exc
    return network, endpoint


async def _believable_snapshot(
    ctx: ChainContext, snap: SnapshotAnswer, heads: HeadProbes, anchor: tuple[int, int] | None
) -> NetworkView:
    """The snapshot from round 1, once the other endpoints' heads are in: one whose head none of them is near
    (a lying or broken node) is fetched again from the others (checked against the transaction's block)."""
    endpoint = snap.endpoint
    try:
        network = parse_snapshot(snap)
    except WireError as exc:
        raise ChainUnavailable(ctx.chain.name, [endpoint], Reason.MALFORMED) from exc
    ctx.client.note_head(endpoint, network.head)
    await heads.settle()
    if ctx.client.head_believed(endpoint):
        return network
    network, again = await _fetch_snapshot(ctx, avoid=[endpoint], anchor=anchor)
    ctx.client.note_head(again, network.head)
    return network


async def _after_block(
    ctx: ChainContext,
    network: NetworkView,
    anchor: tuple[int, int] | None,
    receipt: ReceiptView | None,
    source: str,
) -> tuple[NetworkView, tuple[int, int] | None]:
    """The snapshot and the transaction's block time, the head checked against it (when the block is known)."""
    if receipt is None or anchor is None:
        return network, None if receipt is None else anchor
    return await _head_after(ctx, network, anchor, source=source, block_hash=receipt.block_hash)


async def _head_after(
    ctx: ChainContext, network: NetworkView, anchor: tuple[int, int], *, source: str, block_hash: str
) -> tuple[NetworkView, tuple[int, int]]:
    """The snapshot, believable after the transaction's own block (number, timestamp), and that block's time.

    A snapshot this request did not fetch (cached, or fetched by another request for a pending transaction)
    was never checked against a block: when its head is more blocks past this one than the time between
    them allows, it is fetched again, each endpoint's answer checked against the block (a lying endpoint is
    then an endpoint fault, and another is asked), and the corrected snapshot replaces the cached one.
    When no endpoint's snapshot holds against the block, the block's time itself is in doubt (it is one
    endpoint's word, ``source``'s): the block's header is asked of another endpoint, and when it gives
    another time the snapshot is judged against that.
    """
    if verify.head_after_block(ctx.chain, network.head, network.head_timestamp, anchor) is None:
        return network, anchor
    try:
        fetched, endpoint = await _fetch_snapshot(ctx, anchor=anchor)
    except ChainUnavailable:
        again = await _block_time_elsewhere(ctx, block_hash, anchor[0], source)
        if again is None or again == anchor:
            raise
        log.info("chain %s: endpoint %s gave block %d a time no head follows", ctx.chain.name, source, anchor[0])
        if verify.head_after_block(ctx.chain, network.head, network.head_timestamp, again) is None:
            return network, again
        fetched, endpoint = await _fetch_snapshot(ctx, anchor=again)
        anchor = again
    ctx.client.note_head(endpoint, fetched.head)
    ctx.snapshots.correct(fetched)
    return fetched, anchor


async def _block_time_elsewhere(ctx: ChainContext, block_hash: str, number: int, source: str) -> tuple[int, int] | None:
    """(number, timestamp) of the block ``block_hash`` from an endpoint other than ``source``; None when none
    could say, or what it says is not that block at that number."""
    plan = Plan()
    header = plan.add(Call("eth_getBlockByHash", (block_hash, False)), decode=raw)
    try:
        await plan.send(ctx.client, avoid=[source])
    except (ChainUnavailable, DeadlineExceeded):
        return None
    block = header.value
    if not isinstance(block, dict) or str(block.get("hash", "")).lower() != block_hash.lower():
        return None
    try:
        said = (quantity(block.get("number"), "number"), quantity(block.get("timestamp"), "timestamp"))
    except WireError:
        return None
    return said if said[0] == number else None


async def _snapshot_again(ctx: ChainContext) -> NetworkView:
    """The snapshot, after the fetch this request waited on failed: fetch it (or await another's fetch) once."""
    claim = ctx.snapshots.claim()
    if isinstance(claim, NetworkView):
        return claim
    if not isinstance(claim, Lease):
        return await asyncio.shield(claim)
    try:
        network, _endpoint = await _fetch_snapshot(ctx, min_head=ctx.client.fresh_floor())
    except BaseException as exc:
        claim.fail(_abandoned(ctx, exc))
        raise
    claim.fulfil(network)
    return network


def _abandoned(ctx: ChainContext, exc: BaseException) -> ChainUnavailable:
    """What waiters on a shared snapshot fetch are told when the fetching request stopped.

    The fetcher's own fate (cancelled because its hash was found on another
    chain, out of its own deadline) is not theirs: they get ChainUnavailable,
    which makes each of them fetch the snapshot once more itself.
    """
    if isinstance(exc, ChainUnavailable):
        return exc
    return ChainUnavailable(ctx.chain.name, [], Reason.ABANDONED, detail="the shared snapshot fetch was abandoned")


def _doubtful(ctx: ChainContext, endpoint: str, tx: TxView | None, receipt: ReceiptView | None) -> bool:
    """An answer worth checking with another endpoint: "no such transaction", or no receipt where one may be."""
    if len(ctx.chain.endpoints) < 2:
        return False
    if tx is None:
        return True
    if receipt is not None and receipt.root:
        return True  # a receipt without a status (before Byzantium, or stripped of it): one with a status wins
    # a mined transaction without its receipt, or a pending one seen by a lagging node
    return receipt is None and (tx.block_number is not None or ctx.client.is_lagging(endpoint))


@dataclass(frozen=True, slots=True)
class _Again:
    """Another endpoint's answer to the same lookup."""

    endpoint: str
    tx: TxView | None
    receipt: ReceiptView | None
    anchor: tuple[int, int] | None


async def _ask_another(ctx: ChainContext, tx_hash: str, endpoint: str) -> _Again | None:
    """The same question to another endpoint (at the best head where one is); None when none could answer."""
    plan = Plan()
    lookup = ask_lookup(tx_hash, plan)
    check = verify.round_one(ctx.chain, lookup, None, clock=time.time)
    try:
        await plan.send(ctx.client, avoid=[endpoint], min_head=ctx.client.fresh_floor(), verify=check)
        _checked(ctx, check, lookup.endpoint)
        tx, receipt = await _read_tx(ctx, lookup)
    except (ChainUnavailable, DeadlineExceeded):
        return None
    return _Again(lookup.endpoint, tx, receipt, _anchor(lookup))


def _completeness(tx: TxView | None, receipt: ReceiptView | None) -> int:
    """How much an answer knows: nothing, a pending transaction, a mined one, a mined one with its receipt (one
    that says its status above one with only a state root)."""
    if tx is None:
        return 0
    if receipt is not None:
        return 3 if receipt.root else 4
    return 1 if tx.block_number is None else 2


async def _read_tx(ctx: ChainContext, lookup: Lookup) -> tuple[TxView | None, ReceiptView | None]:
    """The transaction and its receipt from their handles (the receipt's logs parsed now, in slices)."""
    found = lookup.tx.value
    if found.error is not None:
        raise ChainUnavailable(
            ctx.chain.name,
            [lookup.endpoint],
            Reason.ITEM_ERROR,
            detail=f"eth_getTransactionByHash failed: {found.error.label}",
        )
    if found.malformed:
        raise ChainUnavailable(ctx.chain.name, [lookup.endpoint], Reason.MALFORMED, detail="malformed transaction")
    tx = found.value
    if tx is None:
        return None, None
    receipt = None
    link = lookup.receipt.value
    malformed = ChainUnavailable(
        ctx.chain.name, [lookup.receipt.reply.endpoint], Reason.MALFORMED, detail="malformed receipt"
    )
    if link.malformed:
        raise malformed
    if link.value is not None:
        try:
            receipt = await _parse_receipt(link.value.raw, tx.gas)
        except WireError as exc:
            raise malformed from exc
        if transfers.logs_capped(receipt.logs):
            # the one Transfer log that says an addressed payment moved may lie past the logs read for transfers
            late = await transfers.read_late_in_slices(tx, receipt.logs, LOGS_ON_THE_LOOP)
            receipt = dataclasses.replace(receipt, late=late)
    # a receipt from a block the transaction does not name is a reorg in flight: trust neither as mined
    if receipt is not None and tx.block_hash is not None and receipt.block_hash != tx.block_hash:
        receipt = None
    return tx, receipt


async def _parse_receipt(value: Any, gas_limit: int) -> ReceiptView:
    """The receipt (``gas_limit``: the transaction's, see wire.receipt_status); one with many logs (an airdrop)
    is parsed in slices, the event loop served between them.

    Such an answer's log objects are dropped from it as they are read (nothing reads them again): freeing
    20,000 of them at once, when the answer goes, held the loop ~15 ms.
    """
    logs = value.get("logs") if isinstance(value, dict) else None
    if not isinstance(logs, list) or len(logs) <= LOGS_ON_THE_LOOP:
        return parse_receipt(value, gas_limit)
    receipt = parse_receipt({**value, "logs": []}, gas_limit)
    read: list[LogRow] = []
    for start in range(0, len(logs), LOGS_ON_THE_LOOP):
        await asyncio.sleep(0)
        stop = min(start + LOGS_ON_THE_LOOP, len(logs))
        read += [log_row(x) for x in logs[start:stop]]
        logs[start:stop] = itertools.repeat(None, stop - start)
    receipt = dataclasses.replace(receipt, logs=Logs(read))
    await transfers.read_moves_in_slices(receipt.logs, LOGS_ON_THE_LOOP)
    return receipt


async def investigate(found: Found) -> Evidence:
    """Round 2 (and at most one more): every probe's calls in one batch per round.

    Each probe adds its calls to the round's plan and gets back a reader of its
    typed result; the evidence is built from those results, field by field.
    """
    base = token_transfers(found)  # from round 1 and the token cache; the token probe completes what it lacks
    if found.tx is None:
        return _evidence(found, found.network.unavailable, token_transfers=base)
    unchecked: set[str] = set(found.network.unavailable)
    if found.receipt is not None and found.receipt.status is TxStatus.UNKNOWN:
        unchecked.add(OUTCOME_PART)  # its receipt cannot say whether it failed: said, never taken as success
    # the recipients' code on the other chains depends only on round 1: asked beside the rounds
    side = asyncio.create_task(code_elsewhere(found)) if found.ctx.peers else None
    try:
        plan = Plan()
        sender = ask_sender(found, plan)
        tokens = ask_tokens(found, plan)
        standard = ask_standard(found, plan)
        failure = ask_failure(found, plan)
        refusal = ask_refusal(found, plan)
        recipients = ask_recipients(found, plan)
        # where round 1's receipt did not say its block time, its block's header rides along (checked to be
        # that block), and the head is checked against it below
        block = ask_block_time(found, plan)
        asked = {"sender": sender, "token": tokens, "failure": failure, "recipient": recipients}
        names = [name for name, reader in asked.items() if reader is not None]
        sent = await _send(found, plan, names, unchecked, verify=block.fault if block is not None else None)
        if not sent:
            sender = tokens = failure = recipients = standard = refusal = None
        if block is not None:
            anchor = block.anchor if sent else None
            if anchor is None:
                # no header, so the head (and the confirmations and finality counted from it) went unchecked
                # against the block's time: said, never taken as checked
                unchecked.add(HEAD_PART)
            else:
                found = await _head_checked(found, anchor)
        state = _take(sender, unchecked)
        token_info = _take(tokens, unchecked)
        standards = _take(standard, unchecked)
        returned_false = _take(refusal, unchecked)
        info = _take(failure, unchecked)
        where = _take(recipients, unchecked)
        if info is not None:
            plan = Plan()
            followup = ask_followup(found, info, plan)
            if followup is not None and await _send(found, plan, ["failure"], unchecked):
                info = _take(followup, unchecked)
            if info is not None and info.source is not None:
                unchecked.discard("failure")  # a later round told why: what round 2 could not get is moot
        elsewhere = await side if side is not None else None
    finally:
        if side is not None:
            side.cancel()
    if elsewhere is not None:
        unchecked.update(elsewhere.unchecked)
    return _evidence(
        found,
        frozenset(unchecked),
        token_transfers=token_info.transfers if token_info is not None else base,
        sender=state,
        failure=info,
        recipients=where.recipients if where is not None else (),
        history=where.history if where is not None else None,
        code_elsewhere=elsewhere.value if elsewhere is not None else (),
        tokens=known_tokens(found, standards),
        returned_false=returned_false,
    )


def _evidence(
    found: Found,
    unchecked: frozenset[str],
    *,
    token_transfers: tuple[TokenTransfer, ...],
    sender: SenderState | None = None,
    failure: FailureInfo | None = None,
    recipients: tuple[Recipient, ...] = (),
    history: SenderHistory | None = None,
    code_elsewhere: tuple[RemoteCode, ...] = (),
    tokens: tuple[TokenFacts, ...] = (),
    returned_false: bool | None = None,
) -> Evidence:
    return Evidence(
        hash=found.hash,
        chain=found.ctx.chain.name,
        network=found.network,
        tx=found.tx,
        receipt=found.receipt,
        asked=(found.asked,),
        unchecked=unchecked,
        token_transfers=token_transfers,
        sender=sender,
        failure=failure,
        recipients=recipients,
        history=history,
        code_elsewhere=code_elsewhere,
        tokens=tokens,
        returned_false=returned_false,
    )


async def _head_checked(found: Found, anchor: tuple[int, int]) -> Found:
    """Round 1's findings with a head believable after the transaction's block (fetched again when not)."""
    block_hash = found.receipt.block_hash if found.receipt is not None else ""
    # the header's time is round two's endpoint's word: another endpoint is asked for it when in doubt
    network, anchor = await _head_after(found.ctx, found.network, anchor, source="", block_hash=block_hash)
    return found if network is found.network else dataclasses.replace(found, network=network, anchor=anchor)


async def _send(
    found: Found, plan: Plan, names: Sequence[str], unchecked: set[str], *, verify: Check | None = None
) -> bool:
    """Send one round's plan as one batch; False (the askers named unchecked) when no endpoint answered."""
    try:
        await plan.send(found.ctx.client, verify=verify)
    except (ChainUnavailable, DeadlineExceeded):
        # the transaction itself is known; what the probes wanted is marked unchecked, not guessed
        unchecked.update(names)
        return False
    return True


def _take(reader: Reader[T] | None, unchecked: set[str]) -> T | None:
    """A probe's value from its answered handles (None when it asked nothing), noting what it could not check."""
    if reader is None:
        return None
    read = reader()
    unchecked.update(read.unchecked)
    return read.value


async def look_back(ctx: ChainContext, seen: Sighting) -> Vanished | None:
    """What became of a transaction txdiag saw pending on this chain and no chain has now.

    None when the chain cannot say: no endpoint answered, the sender's nonce could not be read, or the chain
    holds this very transaction at its nonce. Never a guess of "dropped" or "replaced" in their place.
    """
    plan = Plan()
    reader = ask_vanished(seen, plan)
    try:
        await plan.send(ctx.client)
    except (ChainUnavailable, DeadlineExceeded):
        return None
    read = reader()
    if read.unchecked:
        return None
    found = read.value
    r = found.replacement
    if r is None or r.block_number is None:
        return found
    plan = Plan()
    outcome = ask_outcome(r, plan)
    try:
        await plan.send(ctx.client)
    except ChainUnavailable:
        return found  # the replacement's outcome stays unknown (status None): nothing is claimed about it
    return dataclasses.replace(found, replacement=outcome().value)
