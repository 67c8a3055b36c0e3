"""Scam signs in chain text: tokens and revert strings that advertise a website or a giveaway.

Scam tokens are airdropped to many wallets with a name such as "Visit
usdt-claim.io to claim": the site then asks the victim to approve or "sell"
the token, and drains the wallet. Scam contracts put the same kind of text in
revert strings. These findings inform (they never set the verdict); the site
is carried defanged (``usdt-claim[.]io``) so that no output turns it into a link.
Names and symbols reach here already sanitised (txdiag.text).
"""

from __future__ import annotations

from datetime import datetime

from txdiag import text
from txdiag.chains import ChainSpec
from txdiag.models import Code, Evidence, Finding, Severity


def scam_token(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A token in this transaction whose name or symbol holds a web address or giveaway wording."""
    for t in ev.token_transfers:
        for field, value in (("name", t.name), ("symbol", t.symbol)):
            if not value:
                continue
            site, lure = text.site_in(value), text.lure_word_in(value)
            if site is None and lure is None:
                continue
            details: dict[str, str] = {"token": t.token, "field": field}
            if site is not None:
                details["site"] = site
            if lure is not None:
                details["lure"] = lure
            return Finding(Code.SCAM_TOKEN, Severity.WARNING, details)
    return None


def scam_revert_message(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A revert string (or the node's error text quoting one) that advertises a web address."""
    info = ev.failure
    if info is None:
        return None
    from txdiag.families.evm.revert import decode_revert  # noqa: PLC0415 - revert decoding loads only for a failure

    reason = decode_revert(info.revert_data or b"")
    for value in (reason.message, *(a.value for a in reason.args if isinstance(a.value, str)), info.error):
        if isinstance(value, str) and (site := text.site_in(value)) is not None:
            details = {"site": site, **({"contract": info.contract} if info.contract else {})}
            return Finding(Code.SCAM_REVERT_MESSAGE, Severity.WARNING, details)
    return None


RULES = (scam_token, scam_revert_message)
