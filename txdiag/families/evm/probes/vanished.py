"""A transaction no chain has now, but that txdiag saw pending: was its nonce used (replaced) or not (dropped)?

One batch on the chain it was seen on: the sender's executed nonce, and the
transaction now holding that nonce where the node can say
(``eth_getTransactionBySenderAndNonce``; anvil and erigon have it). When that
holder is mined, one more batch reads its own receipt: what is said about a
replacement (the payment went through, nothing was sent, it failed) rests on
the replacement's receipt, never on its fields alone.
"""

from __future__ import annotations

import dataclasses

from txdiag.errors import WireError
from txdiag.families.evm.probes.plan import Handle, Plan, Read, Reader, as_reply, quantity_or_none
from txdiag.families.evm.wire import parse_receipt, parse_tx
from txdiag.models import Replacement, TxStatus, Vanished
from txdiag.rpc import Call, Reply
from txdiag.sightings import Sighting

# the part a look-back that cannot say what became of the transaction leaves unread
UNTOLD = "vanished"


def ask_vanished(seen: Sighting, plan: Plan) -> Reader[Vanished]:
    """The sender's executed nonce now, and which transaction holds the seen nonce.

    The read names ``UNTOLD`` unchecked when the answer cannot say what became of the transaction: the sender's
    nonce unread with nothing waiting at it, or the chain holding this very transaction at its nonce (round 1
    did not see it, so the chain's answers disagree: it may be mined).
    """
    latest = plan.add(Call("eth_getTransactionCount", (seen.sender, "latest")), decode=quantity_or_none)
    holder: Handle[Reply] = plan.add(
        Call("eth_getTransactionBySenderAndNonce", (seen.sender, hex(seen.nonce))), decode=as_reply
    )

    def read() -> Read[Vanished]:
        found = vanished(seen, latest.value, replacement(holder.value, seen.hash))
        itself = _holds_itself(holder.value, seen.hash)
        return Read(found, frozenset({UNTOLD}) if itself or not found.settled else frozenset())

    return read


def _holds_itself(r: Reply, original: str) -> bool:
    """Whether the transaction holding the nonce is the one seen (so the chain has it after all)."""
    if not r.ok or r.value is None:
        return False
    try:
        return parse_tx(r.value).hash == original
    except WireError:
        return False


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
        # a mined holder is the replacement once the chain executed past the nonce; a waiting one holds it now
        replacement=holder if holder is not None and (holder.block_number is None or _past(latest, seen)) else None,
    )


def _past(latest: int | None, seen: Sighting) -> bool:
    return latest is not None and latest > seen.nonce


def ask_outcome(replacement: Replacement, plan: Plan) -> Reader[Replacement]:
    """The mined replacement's own receipt: its status (None when the receipt could not be read)."""
    status = plan.add(Call("eth_getTransactionReceipt", (replacement.hash,)), decode=_receipt_status)

    def read() -> Read[Replacement]:
        return Read(dataclasses.replace(replacement, status=status.value))

    return read


def _receipt_status(r: Reply) -> TxStatus | None:
    if not r.ok or r.value is None:
        return None
    try:
        status = parse_receipt(r.value).status
    except WireError:
        return None
    return None if status is TxStatus.UNKNOWN else status  # a receipt that cannot say how it ended says nothing


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
    return Replacement(
        tx.hash,
        tx.to,
        tx.value,
        tx.fee_cap,
        tx.block_number,
        tip_cap=tx.tip_cap,
        input=tx.input,
        legacy=not tx.is_dynamic_fee,
        status=TxStatus.PENDING if tx.block_number is None else None,
    )
