"""The sender of a pending transaction: nonces, pool entries, and the nonces just below.

Everything is asked in round 2, in one batch, so a nonce gap is fully known
without a third round trip:

- ``eth_getTransactionCount`` at ``latest`` (the next nonce the chain will
  execute) and ``pending`` (the next one counting the pool's contiguous run);
- ``txpool_contentFrom`` where the chain has a public pool (geth has it;
  anvil and many hosted endpoints answer -32601, and that item alone fails);
- ``eth_getTransactionBySenderAndNonce`` for up to :data:`NONCE_WINDOW`
  nonces just below the transaction's (anvil and erigon have it), so every
  missing nonce in that window is known even where the pool is unreadable.
"""

from __future__ import annotations

from collections.abc import Sequence

from txdiag.gather import Found, ProbeResult, reply_int
from txdiag.models import SenderState
from txdiag.rpc import Call, Reply
from txdiag.snapshot import read_pool
from txdiag.wire import parse_pool_content_from

NONCE_WINDOW = 16


def window(nonce: int) -> range:
    """The nonces looked up one by one below ``nonce``."""
    return range(max(0, nonce - NONCE_WINDOW), nonce)


class SenderProbe:
    """A pending transaction's sender: next executable nonce, pool nonce, pool entries, nonces below."""

    def __init__(self) -> None:
        self._pool_asked = False

    def calls(self, found: Found) -> Sequence[Call]:
        if found.tx is None or found.receipt is not None:
            return []
        sender = found.tx.sender
        calls = [
            Call("eth_getTransactionCount", (sender, "latest")),
            Call("eth_getTransactionCount", (sender, "pending")),
        ]
        self._pool_asked = found.ctx.chain.mempool
        if self._pool_asked:
            calls.append(Call("txpool_contentFrom", (sender,)))
        calls += [Call("eth_getTransactionBySenderAndNonce", (sender, hex(n))) for n in window(found.tx.nonce)]
        return calls

    def read(self, found: Found, replies: Sequence[Reply]) -> ProbeResult:
        assert found.tx is not None
        latest, pending = reply_int(replies[0]), reply_int(replies[1])
        if latest is None or pending is None:
            return ProbeResult(unchecked=frozenset({"sender_nonce"}))
        at = 2
        pool = None
        missing: set[str] = set()
        if self._pool_asked:
            # a node without txpool_contentFrom is normal: the nonce lookups below cover it
            pool, unreadable = read_pool(replies[at], parse_pool_content_from)
            at += 1
            if unreadable:
                missing.add("sender_pool")
        checked_from, seen = _read_lookups(window(found.tx.nonce), replies[at:])
        state = SenderState(latest, pending, pool, checked_from=checked_from, seen_nonces=seen)
        return ProbeResult({"sender": state}, frozenset(missing))


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
