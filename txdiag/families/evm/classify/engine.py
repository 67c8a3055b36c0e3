"""The rule engine: every rule sees the same evidence; the findings decide the verdict."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from txdiag.chains import ChainSpec
from txdiag.families.evm.classify import confirmed, delayed, failed, misdirected, scam
from txdiag.models import Classification, Evidence, Finding

Rule = Callable[[Evidence, ChainSpec, datetime], Finding | None]

RULES: tuple[Rule, ...] = (
    *scam.RULES,  # first: their warnings (do not visit, do not approve) lead the next steps
    confirmed.not_found,
    confirmed.confirmed,
    confirmed.awaiting_confirmations,
    confirmed.found_on_other_chain,
    confirmed.unchecked,
    confirmed.logs_capped,
    confirmed.recipients_capped,
    *delayed.RULES,
    *failed.RULES,
    *misdirected.RULES,
)


def classify(ev: Evidence, chain: ChainSpec, now: datetime) -> Classification:
    """Run every rule; the most serious escalating finding sets the verdict."""
    findings = [f for rule in RULES if (f := rule(ev, chain, now)) is not None]
    return Classification.from_findings(findings)
