"""The sender of a pending transaction: nonces and pool entries."""

from __future__ import annotations

from collections.abc import Sequence

from txdiag.gather import Found, ProbeResult
from txdiag.models import SenderState
from txdiag.rpc import Call, Reply, RpcItemError
from txdiag.wire import WireError, parse_pool_content_from, quantity


class SenderProbe:
    """A pending transaction's sender: next executable nonce, pool nonce, pool entries."""

    def calls(self, found: Found) -> Sequence[Call]:
        if found.tx is None or found.receipt is not None:
            return []
        sender = found.tx.sender
        calls = [
            Call("eth_getTransactionCount", (sender, "latest")),
            Call("eth_getTransactionCount", (sender, "pending")),
        ]
        if found.ctx.chain.mempool:
            calls.append(Call("txpool_contentFrom", (sender,)))
        return calls

    def read(self, found: Found, replies: Sequence[Reply]) -> ProbeResult:
        try:
            latest = quantity(replies[0].unwrap(), "nonce")
            pending = quantity(replies[1].unwrap(), "nonce")
        except (WireError, RpcItemError):
            return ProbeResult(unchecked=frozenset({"sender_nonce"}))
        pool = None
        missing: set[str] = set()
        if len(replies) > 2:
            if replies[2].ok and replies[2].value is not None:
                try:
                    pool = parse_pool_content_from(replies[2].value)
                except WireError:
                    missing.add("sender_pool")
            else:
                missing.add("sender_pool")
        return ProbeResult({"sender": SenderState(latest, pending, pool)}, frozenset(missing))
