"""Scam signs in chain text: tokens and revert strings that advertise a website, a giveaway or a phone number.

Scam tokens are airdropped to many wallets with a name such as "Visit
usdt-claim.io to claim": the site then asks the victim to approve or "sell"
the token, and drains the wallet. Scam contracts put the same kind of text in
revert strings. These findings inform (they never set the verdict); the site
is carried defanged (``usdt-claim[.]io``) so that no output turns it into a link.
A name such as "USDT Support +1 (800) 555-0199", or an error message saying
"call support to unlock", is the fake support line: the number is never carried
(text.display has already masked it) and the finding says only that one was there.
Names and symbols reach here already sanitised (txdiag.text).
"""

from __future__ import annotations

from datetime import datetime

from txdiag import text
from txdiag.chains import ChainSpec
from txdiag.models import Code, Evidence, FailureInfo, Finding, Severity


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


def _said_by_contract(info: FailureInfo) -> tuple[str | None, ...]:
    """What a failed transaction's contract said in words: its revert string and a custom error's string arguments."""
    from txdiag.families.evm.revert import decode_revert  # noqa: PLC0415 - revert decoding loads only for a failure

    reason = decode_revert(info.revert_data or b"")
    return (reason.message, *(a.value for a in reason.args if isinstance(a.value, str)))


def scam_revert_message(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A revert string (or the node's error text quoting one) that advertises a web address."""
    info = ev.failure
    if info is None:
        return None
    for value in (*_said_by_contract(info), info.error):
        if isinstance(value, str) and (site := text.site_in(value)) is not None:
            details = {"site": site, **({"contract": info.contract} if info.contract else {})}
            return Finding(Code.SCAM_REVERT_MESSAGE, Severity.WARNING, details)
    return None


def _raw_text(raw_hex: str | None) -> str:
    """The raw bytes a token answered (bounded, kept beside the display form) as text, for the part display cut off."""
    if not raw_hex:
        return ""
    try:
        raw = bytes.fromhex(raw_hex.removeprefix("0x"))
    except ValueError:
        return ""
    return text.clean(raw.decode("utf-8", "replace"), 4 * text.RAW_HEX_LIMIT)


def scam_phone_token(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A token in this transaction whose name or symbol carries a phone number (masked where it is shown).

    The display form is cut at its limit; the raw bytes kept beside it are read too,
    so a number written past the cut is still a sign.
    """
    for t in ev.token_transfers:
        for field, value, raw in (("name", t.name, t.name_hex), ("symbol", t.symbol, t.symbol_hex)):
            if (value and text.phone_in(value)) or text.phone_in(_raw_text(raw)):
                return Finding(Code.SCAM_PHONE_TOKEN, Severity.WARNING, {"token": t.token, "field": field})
    return None


def scam_phone_message(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A revert string, a custom error's text or the node's error text that carries a phone number."""
    info = ev.failure
    if info is None:
        return None
    for source, values in (("contract", _said_by_contract(info)), ("node", (info.error,))):
        if any(isinstance(v, str) and text.phone_in(v) for v in values):
            details = {"source": source, **({"contract": info.contract} if info.contract else {})}
            return Finding(Code.SCAM_PHONE_MESSAGE, Severity.WARNING, details)
    return None


RULES = (scam_token, scam_revert_message, scam_phone_token, scam_phone_message)
