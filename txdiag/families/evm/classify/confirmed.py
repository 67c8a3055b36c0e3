"""Where the transaction is, and how final: confirmed, awaiting confirmations, not found."""

from __future__ import annotations

from datetime import datetime

from txdiag.chains import ChainSpec
from txdiag.families.evm import transfers
from txdiag.models import Code, Evidence, Finding, Severity, TxStatus

# checks that decide whether a transfer is misdirected or failed (a look-alike needs the sender's history; whether
# it failed at all, "outcome", where the receipt cannot say), and whether it is final (the head checked against
# the block's time, "confirmations"): without one, an all-clear would be a guess
DECIDING_PARTS = frozenset(
    {"recipient", "recipient_code", "sender_history", "token", "failure", "outcome", "confirmations"}
)
DECIDING_PREFIXES = ("code_on:",)
# a not-found transaction txdiag saw pending on a chain that was asked, whose look-back could not say what became of
# it ("look_back:NAME"); "chain:NAME" is only ever a chain that could not be asked at all
LOOK_BACK = "look_back:"
UNREACHABLE = "chain:"


def incomplete(ev: Evidence, chain: ChainSpec | None) -> tuple[str, ...]:
    """The deciding checks that could not be made for a found transaction (empty: the diagnosis is complete).

    The network's finalized block decides how final a mined transaction is on a chain that goes by it: when it
    could not be read, finality was counted by depth instead, which is no all-clear.
    """
    if ev.tx is None:
        if ev.vanished is not None and ev.vanished.settled:
            return ()  # the chain it was seen on said what became of it (a hash is bound to its chain)
        # not found: a part unread here is a chain that could not be asked, or could not say what became of a
        # transaction seen pending there; the transaction may be there, so "nowhere" is no answer yet
        parts = set(ev.unchecked)
        if ev.vanished is not None and f"{UNREACHABLE}{ev.chain}" not in parts:
            parts.add(f"{LOOK_BACK}{ev.chain}")  # a sighting its chain did not explain is never a complete answer
        return tuple(sorted(parts))
    parts = {p for p in ev.unchecked if p in DECIDING_PARTS or p.startswith(DECIDING_PREFIXES)}
    if chain is not None and _tag_unread(ev, chain):
        parts.add("finalized")
    return tuple(sorted(parts))


def _tag_unread(ev: Evidence, chain: ChainSpec) -> bool:
    """A mined transaction on a chain whose finality goes by the finalized block, and that block was not read."""
    return "finalized" in ev.unchecked and ev.receipt is not None and chain.finality == "finalized"


def confirmations(ev: Evidence) -> int | None:
    """Blocks on top of (and including) the transaction's block, from the best head known."""
    block = ev.block_number
    if block is None or ev.network is None or ev.receipt is None:
        return None
    return max(1, ev.network.head - block + 1)


def finality(ev: Evidence, chain: ChainSpec) -> tuple[bool, int, str]:
    """(final?, blocks required, how we know): the node's finalized tag when it has one.

    Where that block decides and could not be read, nothing is final: the depth is no stand-in for it (12 blocks
    on Ethereum are not final), and how many blocks remain is not known either (``TAG_UNREAD``).
    """
    block = ev.block_number
    assert block is not None
    assert ev.network is not None
    depth = confirmations(ev) or 0
    if _tag_unread(ev, chain):
        return False, chain.confirmations, TAG_UNREAD
    if ev.network.finalized is not None and chain.finality == "finalized":
        required = max(1, ev.network.head - ev.network.finalized + 1)
        return block <= ev.network.finalized, required, "finalized_tag"
    return depth >= chain.confirmations, chain.confirmations, "confirmations"


TAG_UNREAD = "finalized_tag_unread"  # how final is not known: the finalized block that decides it was not read


def is_final(ev: Evidence, chain: ChainSpec) -> bool:
    """Whether the mined transaction's block can no longer change (so what is known of it is settled)."""
    return ev.block_number is not None and ev.network is not None and finality(ev, chain)[0]


def _mined_details(ev: Evidence, chain: ChainSpec) -> dict[str, object]:
    final, required, source = finality(ev, chain)
    return {
        "block": ev.block_number,
        "confirmations": confirmations(ev),
        "required": required,
        "finalized": final,
        "finality_source": source,
    }


def not_found(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """No configured chain and no endpoint asked knows the hash (a transaction txdiag saw vanish is another story)."""
    if ev.tx is not None or (ev.vanished is not None and ev.vanished.settled):
        return None
    asked = [{"chain": a.chain, "endpoints": list(a.endpoints), "agreed": a.agreed} for a in ev.asked]
    reached = {a.chain for a in ev.asked}
    unreachable = sorted(
        name for u in ev.unchecked if u.startswith(UNREACHABLE) and (name := u.removeprefix(UNREACHABLE)) not in reached
    )
    details: dict[str, object] = {}
    v = ev.vanished
    if v is not None:
        # txdiag saw it pending on this chain, which cannot say now what became of it: it was broadcast, and it
        # may have been mined (a vanished transaction the chain could tell about is dropped or replaced instead)
        details = {
            "seen_on": ev.chain,
            "first_seen": v.first_seen.isoformat(timespec="seconds"),
            "last_seen": v.last_seen.isoformat(timespec="seconds"),
            "sender": v.sender,
            "nonce": v.nonce,
        }
    return Finding(
        Code.NOT_FOUND,
        Severity.WARNING,
        {
            **details,
            "chains": [a.chain for a in ev.asked],
            "asked": asked,
            "endpoints_asked": sum(len(a.endpoints) for a in ev.asked),
            # how many endpoints said "no such transaction" (each chain's first answer is checked with another)
            "endpoints_agreed": sum(a.agreed for a in ev.asked),
            # chains that could not be asked at all: the hash may be there (None when every chain answered)
            "unreachable": unreachable or None,
            # chains where a second endpoint could not confirm the first one's "no such transaction"
            "unconfirmed": [a.chain for a in ev.asked if not a.confirmed_absent] or None,
            # what could not be checked ("chain:NAME" a chain not asked, "look_back:NAME" what became of a
            # transaction seen pending there): the answer is incomplete, and its summary says so
            "deciding": list(incomplete(ev, chain)) or None,
        },
    )


def confirmed(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A successful transaction in a block that is final (finalized tag, or enough confirmations)."""
    if ev.receipt is None or ev.receipt.status is not TxStatus.SUCCESS:
        return None
    details = _mined_details(ev, chain)
    if not details["finalized"]:
        return None
    return Finding(Code.CONFIRMED, Severity.INFO, details)


def awaiting_confirmations(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Mined and successful, but not yet final: say how many blocks remain and about how long."""
    if ev.receipt is None or ev.receipt.status is not TxStatus.SUCCESS:
        return None
    details = _mined_details(ev, chain)
    if details["finalized"] or details["finality_source"] == TAG_UNREAD:
        return None  # unread: no count of blocks to wait is known (the unchecked finding says what was not read)
    assert ev.network is not None
    assert ev.block_number is not None
    if details["finality_source"] == "finalized_tag" and ev.network.finalized is not None:
        remaining = max(1, ev.block_number - ev.network.finalized)
    else:
        remaining = max(1, chain.confirmations - (confirmations(ev) or 0))
    details["remaining_blocks"] = remaining
    details["eta_seconds"] = round(remaining * chain.block_time)
    return Finding(Code.AWAITING_CONFIRMATIONS, Severity.INFO, details)


def found_on_other_chain(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """The caller named one chain; the transaction is on another."""
    if ev.tx is None or ev.asked_chain is None or ev.asked_chain == ev.chain:
        return None
    return Finding(Code.FOUND_ON_OTHER_CHAIN, Severity.WARNING, {"asked_chain": ev.asked_chain, "chain": ev.chain})


def logs_capped(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A receipt with more logs than are read for transfers (an airdrop): said, with both figures."""
    if ev.tx is None or ev.receipt is None or not transfers.logs_capped(ev.receipt.logs):
        return None
    return Finding(Code.LOGS_CAPPED, Severity.INFO, {"logs": len(ev.receipt.logs), "logs_read": transfers.MAX_LOG_SCAN})


def recipients_capped(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """More recipients than are checked: the answer says only the first ones were."""
    if ev.tx is None or not transfers.payments_capped(ev.tx, ev.receipt):
        return None
    return Finding(Code.RECIPIENTS_CAPPED, Severity.INFO, {"recipients_read": transfers.MAX_PAYMENTS})


def unchecked(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Parts of the chain data that could not be read: said plainly, never guessed."""
    if ev.tx is None or not ev.unchecked:
        return None
    deciding = incomplete(ev, chain)
    details: dict[str, object] = {"parts": sorted(ev.unchecked), "deciding": list(deciding)}
    # a deciding check left undone is a warning: the verdict may be missing its cause
    return Finding(Code.UNCHECKED, Severity.WARNING if deciding else Severity.INFO, details)
