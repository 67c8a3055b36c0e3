"""Why a transaction failed."""

from __future__ import annotations

from datetime import datetime

from txdiag.chains import ChainSpec
from txdiag.models import Code, Evidence, Finding, Severity, TxStatus


def reverted(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """The receipt says status 0: the transaction ran and was undone; only the fee was spent."""
    if ev.receipt is None or ev.receipt.status is not TxStatus.REVERTED or ev.tx is None:
        return None
    fee = ev.receipt.gas_used * (ev.receipt.effective_gas_price or ev.tx.gas_price or 0)
    return Finding(
        Code.REVERTED,
        Severity.ERROR,
        {
            "block": ev.receipt.block_number,
            "gas_used": ev.receipt.gas_used,
            "gas_limit": ev.tx.gas,
            "fee_paid_wei": fee,
            "reason": None,
            "selector": None,
            "decoded": None,
        },
    )


RULES = (reverted,)
