"""The sender of a pending transaction: nonces, pool entries, and the nonces just below.

Everything is asked in round 2, in one batch, so a nonce gap is fully known
without a third round trip:

- ``eth_getTransactionCount`` at ``latest`` (the next nonce the chain will
  execute) and ``pending`` (the next one counting the pool's contiguous run);
- ``txpool_contentFrom`` where the chain has a public pool (geth has it;
  anvil and many hosted endpoints answer -32601, and that item alone fails);
- ``eth_getTransactionBySenderAndNonce`` for up to :data:`NONCE_WINDOW`
  nonces just below the transaction's (anvil and erigon have it), so every
  missing nonce in that window is known even where the pool is unreadable,
  and an earlier one still waiting is known with its hash and fees.
"""

from __future__ import annotations

from collections.abc import Sequence

from txdiag.errors import WireError
from txdiag.families.evm.probes.context import Found
from txdiag.families.evm.probes.plan import Handle, Plan, Read, Reader, as_reply, quantity_or_none
from txdiag.families.evm.snapshot import read_pool
from txdiag.families.evm.wire import parse_pool_content_from, parse_tx, pool_tx
from txdiag.models import PoolTx, SenderState
from txdiag.rpc import Call, Reply

NONCE_WINDOW = 16


def window(nonce: int) -> range:
    """The nonces looked up one by one below ``nonce``."""
    return range(max(0, nonce - NONCE_WINDOW), nonce)


def pool_answer(r: Reply) -> tuple[tuple[PoolTx, ...] | None, bool]:
    """(the sender's pool entries, could not be read) from a txpool_contentFrom answer."""
    return read_pool(r, parse_pool_content_from)


def ask_sender(found: Found, plan: Plan) -> Reader[SenderState | None] | None:
    """A pending transaction's sender: next executable nonce, pool nonce, pool entries, nonces below.

    The state is None when the nonces could not be read (named in ``unchecked``).
    """
    tx = found.tx
    if tx is None or found.receipt is not None:
        return None
    sender = tx.sender
    latest = plan.add(Call("eth_getTransactionCount", (sender, "latest")), decode=quantity_or_none)
    pending = plan.add(Call("eth_getTransactionCount", (sender, "pending")), decode=quantity_or_none)
    pool: Handle[tuple[tuple[PoolTx, ...] | None, bool]] | None = None
    if found.ctx.chain.mempool:
        pool = plan.add(Call("txpool_contentFrom", (sender,)), decode=pool_answer)
    nonces = window(tx.nonce)
    lookups = [plan.add(Call("eth_getTransactionBySenderAndNonce", (sender, hex(n))), decode=as_reply) for n in nonces]

    def read() -> Read[SenderState | None]:
        if latest.value is None or pending.value is None:
            return Read(None, frozenset({"sender_nonce"}))
        entries = None
        missing: set[str] = set()
        if pool is not None:
            # a node without txpool_contentFrom is normal: the nonce lookups below cover it
            entries, unreadable = pool.value
            if unreadable:
                missing.add("sender_pool")
        answers = [h.value for h in lookups]
        checked_from, seen = _read_lookups(nonces, answers)
        earlier = _waiting(answers)
        state = SenderState(
            latest.value, pending.value, entries, checked_from=checked_from, seen_nonces=seen, earlier=earlier
        )
        return Read(state, frozenset(missing))

    return read


def _waiting(replies: Sequence[Reply]) -> tuple[PoolTx, ...]:
    """The transactions the lookups found still waiting (no block), with their fees: what may block this one."""
    out = []
    for reply in replies:
        if not reply.ok or not isinstance(reply.value, dict):
            continue
        try:
            tx = parse_tx(reply.value)
        except WireError:
            continue
        if tx.block_number is None:
            out.append(pool_tx(tx))
    return tuple(out)


def _read_lookups(nonces: range, replies: Sequence[Reply]) -> tuple[int | None, frozenset[int]]:
    """(lowest nonce from which every lookup up to the transaction answered, the nonces found).

    Only an unbroken run of answers ending just below the transaction counts:
    a failed lookup leaves the nonces below it unknown, never "missing".
    """
    checked_from: int | None = None
    seen: set[int] = set()
    for nonce, reply in reversed(list(zip(nonces, replies, strict=True))):
        if not reply.ok:
            break
        if reply.value is not None:
            if not isinstance(reply.value, dict):
                break
            seen.add(nonce)
        checked_from = nonce
    return checked_from, frozenset(n for n in seen if checked_from is not None and n >= checked_from)
