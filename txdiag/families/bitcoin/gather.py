"""Txid -> evidence on one Bitcoin-family chain, through the shared RPC client.

Round 1 is the only round on the common path, sent as two concurrent
requests: the transaction (getrawtransaction, which needs ``-txindex`` for
mined ones, and getmempoolentry) with the light chain state (head, mempool
info, relay fees, the node's estimate), and the verbose mempool the blocks are
projected from. The second is kept apart because a busy node's mempool is
large: when it cannot be read, the rest of the answer still stands and says
so. The chain state is shared by concurrent requests (single flight) for a
few seconds.

A payment txdiag saw pending that is now nowhere takes one more round: are
its inputs still unspent (dropped) or spent (replaced)? And, when spent,
one or two more to name the spender in the blocks mined since.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from txdiag.chains import ChainSpec
from txdiag.context import ChainContext
from txdiag.errors import ChainUnavailable, Reason, WireError
from txdiag.families.bitcoin import fees, wire
from txdiag.families.bitcoin.models import (
    BtcEvidence,
    BtcNetwork,
    BtcTx,
    BtcVanished,
    MempoolEntry,
    Outpoint,
    Spend,
)
from txdiag.models import Asked
from txdiag.rpc import Call, Reply, Rpc
from txdiag.sightings import Sighting

SNAPSHOT_TTL = 2.0  # seconds: the mempool changes with every payment that arrives
MAX_INPUTS_REMEMBERED = 64
MAX_BLOCKS_SEARCHED = 6  # blocks since the sighting searched for the transaction that replaced it
NOT_FOUND = -5  # RPC_INVALID_ADDRESS_OR_KEY: "No such mempool or blockchain transaction"


@dataclass(frozen=True, slots=True)
class Snapshot:
    network: BtcNetwork
    mempool: dict[str, MempoolEntry] | None


class Snapshots:
    """One chain's state with a short TTL and a single fetch shared by concurrent requests."""

    def __init__(self, ttl: float = SNAPSHOT_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self.value: Snapshot | None = None
        self.at = 0.0
        self.inflight: asyncio.Future[Snapshot] | None = None
        self.fetches = 0


class BitcoinFamily:
    """The family's entry points for the service; holds each chain's shared state (single flight)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock  # for the chain state's TTL; tests pass their own
        self.snapshots: dict[str, Snapshots] = {}

    def _snapshots(self, ctx: ChainContext) -> Snapshots:
        return self.snapshots.setdefault(ctx.chain.name, Snapshots(clock=self.clock))

    async def find(self, ctx: ChainContext, hash_: str) -> BtcFound:
        return await find(ctx, hash_, self._snapshots(ctx))

    async def look_back(self, ctx: ChainContext, seen: Sighting) -> BtcVanished:
        return await look_back(ctx, seen)


@dataclass(frozen=True, slots=True)
class BtcFound:
    """What round 1 established on one chain: the evidence when the txid is there."""

    evidence: BtcEvidence | None
    asked: Asked

    @property
    def tx(self) -> BtcTx | None:
        return self.evidence.tx if self.evidence is not None else None


_STATE_CALLS = (
    Call("getblockcount"),
    Call("getmempoolinfo"),
    Call("getnetworkinfo"),
    Call("estimatesmartfee", (1,)),
)


async def find(ctx: ChainContext, hash_: str, snap: Snapshots) -> BtcFound:
    """Round 1: the transaction and the chain state; the evidence when the node knows the txid."""
    txid = hash_.removeprefix("0x")
    tx_calls = [Call("getrawtransaction", (txid, True)), Call("getmempoolentry", (txid,))]
    fresh = snap.value if snap.value is not None and snap.clock() - snap.at < snap.ttl else None
    if fresh is not None:
        replies = await ctx.client.batch(tx_calls)
        state = fresh
    elif snap.inflight is not None and not snap.inflight.done():
        replies, state = await asyncio.gather(ctx.client.batch(tx_calls), asyncio.shield(snap.inflight))
    else:
        replies, state = await _with_state(ctx, tx_calls, snap)
    endpoint = replies[0].endpoint
    asked = Asked(ctx.chain.name, (endpoint,), 1, len(ctx.chain.endpoints))
    tx = _tx(replies[0], txid, endpoint, ctx.chain)
    if tx is None:
        return BtcFound(None, asked)
    entry = _entry(replies[1], txid) if tx.confirmations == 0 else None
    pool = state.mempool
    unchecked: set[str] = set()
    if pool is not None and entry is not None and entry.txid not in pool:
        # arrived after the shared mempool was read: place it by its own entry (its parents are older)
        pool = {**pool, entry.txid: entry}
    if tx.confirmations == 0 and entry is None:
        unchecked.add("mempool")
    parents: tuple[MempoolEntry, ...] = ()
    if entry is not None and pool is not None:
        parents = tuple(pool[p] for p in entry.depends if p in pool)
    ev = BtcEvidence(
        hash=hash_,
        chain=ctx.chain.name,
        network=state.network,
        tx=tx,
        entry=entry,
        parents=parents,
        mempool=pool if entry is not None else None,
        asked=(asked,),
        unchecked=frozenset(unchecked),
    )
    return BtcFound(ev, asked)


async def _with_state(ctx: ChainContext, tx_calls: list[Call], snap: Snapshots) -> tuple[list[Reply], Snapshot]:
    """The transaction calls with the light state in one request, the verbose mempool beside it, concurrently."""
    future: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()
    snap.inflight = future
    snap.fetches += 1
    try:
        first, pool_replies = await asyncio.gather(
            ctx.client.batch([*tx_calls, *_STATE_CALLS]),
            _mempool(ctx.client),
        )
        state = _state(ctx.chain, first[len(tx_calls) :], pool_replies)
    except BaseException as exc:
        snap.inflight = None
        if not future.done():
            future.set_exception(
                exc if isinstance(exc, Exception) else ChainUnavailable(ctx.chain.name, [], Reason.ABANDONED)
            )
            future.exception()
        raise
    snap.value, snap.at, snap.inflight = state, snap.clock(), None
    future.set_result(state)
    return first[: len(tx_calls)], state


async def _mempool(client: Rpc) -> Reply | None:
    try:
        (reply,) = await client.batch([Call("getrawmempool", (True,))])
    except ChainUnavailable:
        return None  # too large, or the node is struggling: the answer says the blocks could not be projected
    return reply


def _state(chain: ChainSpec, replies: Sequence[Reply], pool_reply: Reply | None) -> Snapshot:
    head_r, info_r, net_r, est_r = replies
    endpoint = head_r.endpoint
    try:
        head = head_r.unwrap()
        if isinstance(head, bool) or not isinstance(head, int):
            raise WireError("block count is not an integer")
        network_info = net_r.value if net_r.ok else None
        info = wire.parse_mempool_info(info_r.unwrap(), network_info)
    except (WireError, Exception) as exc:
        raise ChainUnavailable(chain.name, [endpoint], Reason.MALFORMED) from exc
    unavailable: set[str] = set()
    if not wire.says_incremental_fee(info_r.value, network_info):
        # before 24 only getnetworkinfo says it: without it the replacement fee rests on the default, so it is named
        unavailable.add("incremental_fee")
    pool: dict[str, MempoolEntry] | None = None
    if pool_reply is not None and pool_reply.ok:
        try:
            pool = wire.parse_mempool(pool_reply.value)
        except WireError:
            pool = None
    if pool is None:
        unavailable.add("projected_blocks")
    blocks: tuple[Any, ...] = ()
    beyond = 0
    if pool is not None:
        projection = fees.project(pool, chain.block_max_weight)
        blocks = projection.summary(fees.capacity_vsize(chain.block_max_weight))
        beyond = projection.beyond
    network = BtcNetwork(
        head=head,
        head_time=None,
        mempool=info,
        blocks=blocks,
        beyond_vsize=beyond,
        estimate_next=wire.parse_estimate(est_r.value) if est_r.ok else None,
        capacity=fees.capacity_vsize(chain.block_max_weight),
        unavailable=frozenset(unavailable),
    )
    return Snapshot(network, pool)


def _tx(reply: Reply, txid: str, endpoint: str, chain: ChainSpec) -> BtcTx | None:
    if not reply.ok:
        if reply.error is not None and reply.error.code == NOT_FOUND:
            return None
        detail = f"getrawtransaction {reply.error.label}" if reply.error is not None else ""
        raise ChainUnavailable(chain.name, [endpoint], Reason.ITEM_ERROR, detail=detail)
    if reply.value is None:
        return None
    try:
        return wire.parse_tx(reply.value, txid)
    except WireError as exc:
        raise ChainUnavailable(chain.name, [endpoint], Reason.UNVERIFIED) from exc


def _entry(reply: Reply, txid: str) -> MempoolEntry | None:
    if not reply.ok or reply.value is None:
        return None
    try:
        return wire.parse_entry(reply.value, txid)
    except WireError:
        return None


# --- sightings: what a pending payment spent, so a vanished one can be judged -----------------


def sighting(ev: BtcEvidence, now: datetime) -> Sighting | None:
    """A pending payment as the shared sightings store keeps it.

    The store's columns are the EVM family's; for this family ``sender``
    holds the outpoints the payment spends (``txid:vout`` joined by commas),
    ``nonce`` the chain height when it was seen, ``fee_cap`` its fee and
    ``tip_cap`` its vsize.
    """
    tx, entry, net = ev.tx, ev.entry, ev.network
    if tx is None or entry is None or net is None or not tx.inputs:
        return None
    inputs = ",".join(str(o) for o in tx.inputs[:MAX_INPUTS_REMEMBERED])
    return Sighting(
        ev.hash, ev.chain, inputs, net.head, entry.fee, entry.vsize, first_seen=now, last_seen=now, value=tx.value
    )


def _outpoints(seen: Sighting) -> tuple[Outpoint, ...]:
    out = []
    for part in seen.sender.split(","):
        txid, _, vout = part.partition(":")
        try:
            out.append(Outpoint(wire.txid(txid), int(vout)))
        except (WireError, ValueError):
            continue
    return tuple(out)


async def look_back(ctx: ChainContext, seen: Sighting) -> BtcVanished:
    """Is each input of a vanished payment still unspent? If not, which transaction spent it?"""
    inputs = _outpoints(seen)
    base = BtcVanished(inputs, seen.fee_cap, seen.tip_cap, seen.first_seen, seen.last_seen)
    if not inputs:
        return base
    calls = [Call("gettxout", (o.txid, o.vout, True)) for o in inputs]
    calls += [
        Call("gettxspendingprevout", ([{"txid": o.txid, "vout": o.vout} for o in inputs],)),
        Call("getblockcount"),
    ]
    try:
        replies = await ctx.client.batch(calls)
    except ChainUnavailable:
        return base
    outs, spending, head_r = replies[: len(inputs)], replies[len(inputs)], replies[-1]
    if not all(r.ok for r in outs):
        return base
    spends = {o: Spend(o, unspent=r.value is not None) for o, r in zip(inputs, outs, strict=True)}
    # Bitcoin Core 24+ names a mempool spender directly; older nodes answer "method not found"
    if spending.ok and isinstance(spending.value, list):
        for item in spending.value:
            if isinstance(item, dict) and isinstance(item.get("spendingtxid"), str):
                o = Outpoint(str(item.get("txid")), int(item.get("vout", -1)))
                if o in spends:
                    spends[o] = dataclasses.replace(spends[o], spender=item["spendingtxid"])
    spent = [o for o, s in spends.items() if not s.unspent and s.spender is None]
    head = head_r.value if head_r.ok and isinstance(head_r.value, int) else None
    if spent and head is not None:
        for spender, height, o in await _search_blocks(ctx, spent, seen.nonce, head):
            spends[o] = dataclasses.replace(spends[o], spender=spender, spender_block=height)
    return dataclasses.replace(base, spends=tuple(spends[o] for o in inputs))


async def _search_blocks(
    ctx: ChainContext, spent: list[Outpoint], since: int, head: int
) -> list[tuple[str, int, Outpoint]]:
    """The transactions in the blocks mined since the sighting that spend ``spent``; bounded."""
    heights = list(range(max(since, head - MAX_BLOCKS_SEARCHED + 1), head + 1))
    if not heights:
        return []
    try:
        hashes = await ctx.client.batch([Call("getblockhash", (h,)) for h in heights])
        blocks = await ctx.client.batch([Call("getblock", (r.value, 2)) for r in hashes if r.ok])
    except ChainUnavailable:
        return []
    wanted = set(spent)
    found: list[tuple[str, int, Outpoint]] = []
    for reply in blocks:
        block = reply.value if reply.ok and isinstance(reply.value, dict) else None
        if block is None:
            continue
        for tx in block.get("tx", []):
            for vin in tx.get("vin", []) if isinstance(tx, dict) else []:
                o = Outpoint(str(vin.get("txid")), vin.get("vout", -1)) if isinstance(vin, dict) else None
                if o in wanted:
                    found.append((str(tx.get("txid")), int(block.get("height", 0)), o))
    return found
