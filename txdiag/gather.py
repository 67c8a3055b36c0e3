"""Hash -> Evidence on one chain, in as few dependent round trips as possible.

Round 1 (one batch): the transaction, its receipt, and, unless another
request already has or is fetching it, the chain snapshot.
Round 2 (one batch): what round 1 makes necessary, asked by *probes*: the
sender's nonces and pool entries for a pending transaction, token metadata
for Transfer logs, and whatever later probes add. A probe may ask for a third
round (a revert replay), never more.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from txdiag.cache import ResultCache
from txdiag.chains import ChainSpec
from txdiag.errors import ChainUnavailable, DeadlineExceeded
from txdiag.models import Asked, Evidence, NetworkView, ReceiptView, TokenTransfer, TxView
from txdiag.rpc import Call, Reply, RpcClient
from txdiag.snapshot import Lease, SnapshotCache, parse_snapshot, snapshot_calls
from txdiag.wire import WireError, data, erc20_transfers, parse_receipt, parse_tx, quantity

MAX_ROUNDS = 3


TokenMeta = tuple[str | None, int | None]  # (symbol, decimals); either None when the token would not say
TOKEN_CACHE_SIZE = 4096  # token metadata rarely changes: kept until the bound pushes it out


def reply_bytes(reply: Reply) -> bytes | None:
    """A DATA answer (an eth_call result, code), or None when the call failed or the answer is not hex data."""
    if not reply.ok or not isinstance(reply.value, str):
        return None
    try:
        return data(reply.value, "result")
    except WireError:
        return None


def reply_int(reply: Reply) -> int | None:
    """A QUANTITY answer (a nonce, a balance), or None when the call failed or the answer is not a quantity."""
    if not reply.ok:
        return None
    try:
        return quantity(reply.value, "result")
    except WireError:
        return None


@dataclass(slots=True)
class ChainContext:
    """Everything gather needs for one chain; built once by the service."""

    chain: ChainSpec
    client: RpcClient
    snapshots: SnapshotCache
    tokens: ResultCache[str, TokenMeta] = field(default_factory=lambda: ResultCache(TOKEN_CACHE_SIZE))
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


@dataclass(frozen=True, slots=True)
class ProbeResult:
    updates: Mapping[str, Any] = field(default_factory=dict)
    unchecked: frozenset[str] = frozenset()
    followup: Probe | None = None


class Probe(Protocol):
    """Asks for what one part of the evidence needs, then reads the answers."""

    def calls(self, found: Found) -> Sequence[Call]: ...
    def read(self, found: Found, replies: Sequence[Reply]) -> ProbeResult: ...


@runtime_checkable
class CrossChainProbe(Probe, Protocol):
    """A probe that also asks the other configured chains, concurrently with the round-2 batch.

    ``elsewhere`` must not raise: what it could not learn goes in ``unchecked``.
    Its updates must use evidence fields of its own (they are applied after the rounds).
    """

    async def elsewhere(self, found: Found) -> ProbeResult: ...


async def find(ctx: ChainContext, tx_hash: str) -> Found:
    """Round 1: the transaction and receipt, with the snapshot piggy-backed when stale.

    A null transaction is confirmed with one other endpoint (when there is
    one) before it is believed: public endpoints lag and miss transactions.
    """
    claim = ctx.snapshots.claim()
    lease = claim if isinstance(claim, Lease) else None
    if isinstance(claim, Lease):
        claim = claim.future
    calls = [Call("eth_getTransactionByHash", (tx_hash,)), Call("eth_getTransactionReceipt", (tx_hash,))]
    if lease is not None:
        calls += snapshot_calls(ctx.chain)
    started = time.monotonic()
    # the other endpoints' heads, asked in parallel (not a dependent round trip) when not known lately
    head_probes = ctx.client.maintain()
    try:
        # a lagging endpoint cannot have the newest blocks: ask one at the best head when there is one
        replies = await ctx.client.batch(calls, min_head=ctx.client.fresh_floor())
    except BaseException as exc:
        if lease is not None:
            lease.fail(_abandoned(ctx, exc))
        raise
    if lease is not None:
        try:
            network = parse_snapshot(ctx.chain, replies[2:])
        except WireError as exc:
            failure = ChainUnavailable(ctx.chain.name, [replies[2].endpoint], f"malformed answer: {exc}")
            lease.fail(failure)
            raise failure from exc
        ctx.client.note_head(replies[2].endpoint, network.head)
        lease.fulfil(network)
    elif isinstance(claim, NetworkView):
        network = claim
    else:
        try:
            network = await asyncio.shield(claim)  # one waiter's cancellation must not cancel the others'
        except ChainUnavailable:
            # the request fetching the snapshot for everyone failed; this one has its answer, so try once more
            network = await _snapshot_again(ctx)

    await ctx.client.wait_for_heads(head_probes, started)
    endpoint = replies[0].endpoint
    tx, receipt = _read_tx(ctx, replies[0], replies[1])
    agreed = 1
    endpoints = [endpoint]
    if _doubtful(ctx, endpoint, tx, receipt):
        again = await _ask_another(ctx, calls[:2], endpoint)
        if again is not None:
            endpoints.append(again[0])
            if tx is None and again[1] is None:
                agreed += 1
            elif _completeness(again[1], again[2]) > _completeness(tx, receipt):
                tx, receipt = again[1], again[2]
    # confirmations count from the best head any endpoint showed, not from whichever answered the snapshot
    best = max(network.head, ctx.client.best_head() or 0, receipt.block_number if receipt is not None else 0)
    if best > network.head:
        network = dataclasses.replace(network, head=best)
    return Found(
        ctx, tx_hash, tx, receipt, network, Asked(ctx.chain.name, tuple(endpoints), agreed, len(ctx.chain.endpoints))
    )


async def _snapshot_again(ctx: ChainContext) -> NetworkView:
    """The snapshot, after the fetch this request waited on failed: fetch it (or await another's fetch) once."""
    claim = ctx.snapshots.claim()
    if isinstance(claim, NetworkView):
        return claim
    if not isinstance(claim, Lease):
        return await asyncio.shield(claim)
    try:
        replies = await ctx.client.batch(snapshot_calls(ctx.chain), min_head=ctx.client.fresh_floor())
        network = parse_snapshot(ctx.chain, replies)
    except WireError as exc:
        failure = ChainUnavailable(ctx.chain.name, [], f"malformed answer: {exc}")
        claim.fail(failure)
        raise failure from exc
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
    return ChainUnavailable(ctx.chain.name, [], "the shared snapshot fetch was abandoned")


def _doubtful(ctx: ChainContext, endpoint: str, tx: TxView | None, receipt: ReceiptView | None) -> bool:
    """An answer worth checking with another endpoint: "no such transaction", or no receipt where one may be."""
    if len(ctx.chain.endpoints) < 2:
        return False
    if tx is None:
        return True
    # a mined transaction without its receipt, or a pending one seen by a lagging node
    return receipt is None and (tx.block_number is not None or ctx.client.is_lagging(endpoint))


async def _ask_another(
    ctx: ChainContext, calls: list[Call], endpoint: str
) -> tuple[str, TxView | None, ReceiptView | None] | None:
    """The same question to another endpoint (at the best head where one is); None when none could answer."""
    try:
        again = await ctx.client.batch(calls, avoid=[endpoint], min_head=ctx.client.fresh_floor())
        tx, receipt = _read_tx(ctx, again[0], again[1])
    except (ChainUnavailable, DeadlineExceeded):
        return None
    return again[0].endpoint, tx, receipt


def _completeness(tx: TxView | None, receipt: ReceiptView | None) -> int:
    """How much an answer knows: nothing, a pending transaction, a mined one, a mined one with its receipt."""
    if tx is None:
        return 0
    if receipt is not None:
        return 3
    return 1 if tx.block_number is None else 2


def _read_tx(ctx: ChainContext, tx_reply: Reply, receipt_reply: Reply) -> tuple[TxView | None, ReceiptView | None]:
    if not tx_reply.ok:
        err = tx_reply.error
        label = err.label if err is not None else "no answer"
        raise ChainUnavailable(ctx.chain.name, [tx_reply.endpoint], f"eth_getTransactionByHash failed: {label}")
    if tx_reply.value is None:
        return None, None
    try:
        tx = parse_tx(tx_reply.value)
    except WireError as exc:
        raise ChainUnavailable(ctx.chain.name, [tx_reply.endpoint], f"malformed transaction: {exc}") from exc
    receipt = None
    if receipt_reply.ok and receipt_reply.value is not None:
        try:
            receipt = parse_receipt(receipt_reply.value)
        except WireError as exc:
            raise ChainUnavailable(ctx.chain.name, [receipt_reply.endpoint], f"malformed receipt: {exc}") from exc
    # a receipt from a block the transaction does not name is a reorg in flight: trust neither as mined
    if receipt is not None and tx.block_hash is not None and receipt.block_hash != tx.block_hash:
        receipt = None
    return tx, receipt


def token_transfers(found: Found) -> tuple[TokenTransfer, ...]:
    """The receipt's ERC-20 transfers, with each token's symbol and decimals where known."""
    if found.receipt is None:
        return ()
    out = []
    for token, sender, recipient, value, index in erc20_transfers(found.receipt.logs):
        symbol, decimals = found.ctx.tokens.get(token) or (None, None)
        out.append(TokenTransfer(token, sender, recipient, value, symbol, decimals, index))
    return tuple(out)


async def investigate(found: Found, probes: Sequence[Probe]) -> Evidence:
    """Round 2 (and at most one more): every probe's calls in one batch per round."""
    evidence = Evidence(
        hash=found.hash,
        chain=found.ctx.chain.name,
        network=found.network,
        tx=found.tx,
        receipt=found.receipt,
        asked=(found.asked,),
        unchecked=found.network.unavailable,
        # known from round 1 and the token cache; the token probe completes what the cache lacks
        token_transfers=token_transfers(found),
    )
    if found.tx is None:
        return evidence
    active: list[Probe] = list(probes)
    updates: dict[str, Any] = {}
    unchecked: set[str] = set(evidence.unchecked)
    side = [
        asyncio.create_task(probe.elsewhere(found))
        for probe in active
        if isinstance(probe, CrossChainProbe) and found.ctx.peers
    ]
    try:
        await _rounds(found, active, updates, unchecked)
        for result in await asyncio.gather(*side):
            updates.update(result.updates)
            unchecked.update(result.unchecked)
    finally:
        for task in side:
            task.cancel()
    return dataclasses.replace(evidence, unchecked=frozenset(unchecked), **updates)


async def _rounds(found: Found, active: list[Probe], updates: dict[str, Any], unchecked: set[str]) -> None:
    """The dependent rounds: every active probe's calls in one batch per round."""
    for _round in range(MAX_ROUNDS - 1):
        plans = [(p, list(p.calls(found))) for p in active]
        plans = [(p, c) for p, c in plans if c]
        if not plans:
            break
        flat = [call for _, calls in plans for call in calls]
        try:
            replies = await found.ctx.client.batch(flat)
        except (ChainUnavailable, DeadlineExceeded):
            # the transaction itself is known; what the probes wanted is marked unchecked, not guessed
            unchecked.update(type(p).__name__.removesuffix("Probe").lower() for p, _ in plans)
            break
        active = []
        at = 0
        for probe, calls in plans:
            result = probe.read(found, replies[at : at + len(calls)])
            at += len(calls)
            updates.update(result.updates)
            unchecked.update(result.unchecked)
            if result.followup is not None:
                active.append(result.followup)
        if not active:
            break
