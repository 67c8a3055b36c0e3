"""A transaction no chain has now, but that txdiag saw pending: was its nonce used (replaced) or not (dropped)?

One batch on the chain it was seen on: the sender's executed nonce, and the
transaction now holding that nonce where the node can say
(``eth_getTransactionBySenderAndNonce``; anvil and erigon have it).
"""

from __future__ import annotations

from txdiag.models import Replacement, Vanished
from txdiag.probes.plan import Handle, Plan, Read, Reader, quantity_or_none
from txdiag.rpc import Call, Reply
from txdiag.sightings import Sighting
from txdiag.wire import WireError, parse_tx


def ask_vanished(seen: Sighting, plan: Plan) -> Reader[Vanished]:
    """The sender's executed nonce now, and which transaction holds the seen nonce."""
    latest = plan.add(Call("eth_getTransactionCount", (seen.sender, "latest")), decode=quantity_or_none)
    holder: Handle[Replacement | None] = plan.add(
        Call("eth_getTransactionBySenderAndNonce", (seen.sender, hex(seen.nonce))),
        decode=lambda r: replacement(r, seen.hash),
    )

    def read() -> Read[Vanished]:
        return Read(vanished(seen, latest.value, holder.value))

    return read


def vanished(seen: Sighting, latest: int | None, holder: Replacement | None) -> Vanished:
    """The sighting, with what the chain says now (``latest``: None when it could not be read).

    A replacement is named only once the chain has executed past the nonce.
    """
    return Vanished(
        sender=seen.sender,
        nonce=seen.nonce,
        to=seen.to,
        value=seen.value,
        fee_cap=seen.fee_cap,
        tip_cap=seen.tip_cap,
        first_seen=seen.first_seen,
        last_seen=seen.last_seen,
        latest_nonce=latest,
        replacement=holder if latest is not None and latest > seen.nonce else None,
    )


def replacement(r: Reply, original: str) -> Replacement | None:
    """The transaction holding the nonce now (eth_getTransactionBySenderAndNonce), if it is another one."""
    if not r.ok or r.value is None:
        return None
    try:
        tx = parse_tx(r.value)
    except WireError:
        return None
    if tx.hash == original:
        return None
    return Replacement(tx.hash, tx.to, tx.value, tx.fee_cap, tx.block_number)
