"""Why a transaction is still waiting."""

from __future__ import annotations

from datetime import datetime

from txdiag.chains import ChainSpec
from txdiag.models import Code, Evidence, Finding, Severity


def pending(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Known to the node but in no block yet; how long, when txdiag saw it before."""
    if ev.tx is None or ev.receipt is not None:
        return None
    details: dict[str, object] = {"nonce": ev.tx.nonce}
    if ev.first_seen is not None:
        details["first_seen"] = ev.first_seen.isoformat(timespec="seconds")
        details["waiting_seconds"] = max(0, int((now - ev.first_seen).total_seconds()))
    return Finding(Code.PENDING, Severity.WARNING, details)


RULES = (pending,)
