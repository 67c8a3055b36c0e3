"""Funds that went somewhere other than intended, even when the transaction succeeded.

Every rule looks at ``Evidence.recipients`` (native value, decoded ERC-20
calldata, Transfer logs out of the payer) and returns at most one finding,
for the first recipient it applies to. A reverted transaction moved nothing,
so no rule here fires for it. Every recipient finding's details name the
``recipient``; the fake-token and poisoning findings name the token and the
addresses its log moved between.

Look-alike scoring (address poisoning). Wallets show an address as its first
few and last few hex digits, so poisoners grind addresses that match a real
counterparty at both ends. For a random address, matching ``p`` leading and
``s`` trailing digits of one given address has probability ``16^-(p+s)``;
compared against ``N`` addresses, the chance of an accidental match is about
``N * 16^-(p+s)``. We call two addresses look-alikes only when that chance is
below ``MAX_CHANCE`` (one in a million), at least ``MIN_END`` digits match at
each end, and at least ``MIN_MATCHED`` in all: 7 matching digits against a
handful of counterparties is about 1 in 10^8; against 2,000 counterparties,
8 digits are needed. Vanity addresses with many leading zeros share prefixes
by design; the suffix condition keeps them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from txdiag.chains import ChainSpec, KnownToken
from txdiag.families.evm.classify.delayed import suggest
from txdiag.families.evm.transfers import (
    ERC20,
    ERC1155,
    NFT_STYLE_CALLS,
    Planted,
    addressed,
    burn_addresses,
    moves,
    planted,
)
from txdiag.families.evm.wire import TRANSFER_FROM_SELECTOR, TRANSFER_SELECTOR
from txdiag.models import Code, Counterparty, Evidence, Finding, Recipient, Severity, TxStatus

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
MIN_END = 3  # digits that must match at each end
MIN_MATCHED = 7  # leading + trailing digits in all
MAX_CHANCE = 1e-6  # the largest chance of an accidental match we still call a look-alike

Rule = Callable[[Evidence, ChainSpec, datetime], Finding | None]


def similarity(a: str, b: str) -> tuple[int, int]:
    """(leading, trailing) hex digits two addresses share, case-insensitive, not overlapping."""
    x, y = a.lower().removeprefix("0x"), b.lower().removeprefix("0x")
    prefix = 0
    while prefix < min(len(x), len(y)) and x[prefix] == y[prefix]:
        prefix += 1
    suffix = 0
    limit = min(len(x), len(y)) - prefix
    while suffix < limit and x[-1 - suffix] == y[-1 - suffix]:
        suffix += 1
    return prefix, suffix


def chance(matched: int, compared: int) -> float:
    """About how likely ``matched`` shared digits are by accident, over ``compared`` addresses."""
    return max(1, compared) * 16.0**-matched


def looks_alike(prefix: int, suffix: int, compared: int) -> bool:
    """Whether a (prefix, suffix) match is too improbable to be chance (see the module docstring)."""
    matched = prefix + suffix
    return prefix >= MIN_END and suffix >= MIN_END and matched >= MIN_MATCHED and chance(matched, compared) < MAX_CHANCE


def _moved(ev: Evidence) -> bool:
    """Whether the transaction moved the payer's value: not reverted, and not a poisoning that moved nothing."""
    return ev.tx is not None and ev.status is not TxStatus.REVERTED and _poisoning(ev, None) is None


def _amount(ev: Evidence, chain: ChainSpec, r: Recipient) -> dict[str, Any]:
    """What went to ``r``: the amount in smallest units with its decimals (guidance shows it), and the asset's name."""
    if r.token is None:
        return {"value_wei": r.value, "asset": chain.native_symbol, "units": r.value, "decimals": chain.native_decimals}
    meta = ev.token(r.token)
    symbol = meta.symbol if meta is not None and meta.symbol else r.token
    if is_nft(ev, r):
        # an NFT is one numbered item of a collection, never an amount in "smallest units"
        out: dict[str, Any] = {
            "token": r.token,
            "value": str(r.value),
            "asset": symbol,
            "units": r.value,
            "decimals": None,
            "nft": True,
            "token_id": r.token_id if r.token_id is not None else r.value,
            "collection": symbol,
        }
        multi = r.standard == ERC1155 or (meta is not None and meta.standard == ERC1155)
        if multi and r.value > 1:
            out["nft_count"] = r.value  # an ERC-1155 transfer may move several of one id
        return out
    decimals = meta.decimals if meta is not None else None
    return {
        "token": r.token,
        "value": str(r.value),
        "asset": symbol,
        "units": r.value,
        "decimals": decimals,
        # without the token's decimals the amount is in its smallest unit, and the words must say so
        "decimals_known": decimals is not None,
    }


def is_nft(ev: Evidence, r: Recipient) -> bool:
    """An ERC-721/1155 item: its Transfer log says so, its ERC-165 answer does, or an NFT-style call to a token
    without decimals."""
    if r.standard is not None:
        return r.standard != ERC20
    if r.token is None or ev.tx is None:
        return False
    meta = ev.token(r.token)
    if meta is None:
        return False
    if meta.standard is not None:
        return meta.standard != ERC20  # the token's own ERC-165 answer
    if meta.decimals is not None:
        return False
    return ev.tx.to is not None and ev.tx.to.lower() == r.token.lower() and ev.tx.input[:4] in NFT_STYLE_CALLS


def _details(ev: Evidence, chain: ChainSpec, r: Recipient, **extra: Any) -> dict[str, Any]:
    """Common evidence for a finding about ``r``; a pending transaction also gets the cancel fees."""
    out: dict[str, Any] = {"recipient": r.address, "via": r.via, **_amount(ev, chain, r), **extra}
    tx = ev.tx
    if tx is not None and ev.receipt is None:
        out["pending"] = True
        out["nonce"] = tx.nonce
        out.update(cancel_fees(ev, chain))
    return out


def cancel_fees(ev: Evidence, chain: ChainSpec) -> dict[str, int]:
    """The ``suggested_*`` fees of a same-nonce zero-value self-transfer that replaces the pending tx now."""
    assert ev.tx is not None
    return suggest(ev.tx, ev.network, chain).details()


def _unlost(r: Recipient) -> bool:
    """Not the zero address or a burn address (those findings say everything already)."""
    key = r.address.lower()
    return key != ZERO_ADDRESS and key not in burn_addresses()


# -- rules ------------------------------------------------------------------


def zero_address_recipient(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Value sent to the zero address, which nobody controls."""
    if not _moved(ev):
        return None
    for r in ev.recipients:
        if r.address.lower() == ZERO_ADDRESS:
            return Finding(Code.ZERO_ADDRESS_RECIPIENT, Severity.ERROR, _details(ev, chain, r))
    return None


def burn_address_recipient(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Value sent to a well-known burn address (0x…dEaD and the like)."""
    if not _moved(ev):
        return None
    burns = burn_addresses()
    for r in ev.recipients:
        label = burns.get(r.address.lower())
        if label is not None:
            return Finding(Code.BURN_ADDRESS_RECIPIENT, Severity.ERROR, _details(ev, chain, r, burn_label=label))
    return None


def token_contract_recipient(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Tokens sent to a token contract by a plain transfer, or coin sent to one that gave nothing back.

    Value that reaches a token contract through a function call is how DeFi
    works (wrapping ETH with ``deposit()``, a router paying a pool, a vault
    deposit), so only transfers a person addressed by hand count: the token's
    own ``transfer`` called directly, or a bare coin send that the contract did
    not acknowledge with an event naming the sender (WETH's ``Deposit``, a
    staking token's mint).
    """
    if not _moved(ev):
        return None
    for r in ev.recipients:
        own = r.token is not None and r.address.lower() == r.token.lower()
        if own or (r.token_like and r.has_code and _addressed_by_hand(ev, r)):
            return Finding(Code.TOKEN_CONTRACT_RECIPIENT, Severity.ERROR, _details(ev, chain, r, own_token=own))
    return None


_TOKEN_CALLS = (TRANSFER_SELECTOR, TRANSFER_FROM_SELECTOR)


def _addressed_by_hand(ev: Evidence, r: Recipient) -> bool:
    """Whether the user typed this recipient: a plain transfer, not a contract paying a contract."""
    tx = ev.tx
    if tx is None:
        return False
    if r.via == "native":
        if tx.input:
            return False  # a function was called with the value: the contract was the intended counterparty
        sender_topic = bytes(12) + bytes.fromhex(tx.sender[2:])
        logs = ev.receipt.logs if ev.receipt is not None else ()
        acknowledged = any(lg.address.lower() == r.address.lower() and sender_topic in lg.topics[1:] for lg in logs)
        return not acknowledged
    # a token moved by the token's own transfer()/transferFrom() called directly, not by a router or vault
    return (
        tx.to is not None and r.token is not None and tx.to.lower() == r.token.lower() and tx.input[:4] in _TOKEN_CALLS
    )


def _first_seen_as(c: Counterparty | None) -> str:
    if c is None:
        return "not_seen_before"
    if c.first_value == 0:
        return "zero_value_transfer"
    return "outgoing_transfer" if c.first_outgoing else "incoming_transfer"


def lookalike_recipient(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """The recipient imitates an older counterparty of the sender's (address poisoning)."""
    history = ev.history
    if not _moved(ev) or history is None:
        return None
    for r in ev.recipients:
        if not _unlost(r):
            continue
        mine = history.get(r.address)
        others = [c for c in history.counterparties if c.address.lower() != r.address.lower()]
        best: tuple[int, int, Counterparty] | None = None
        for c in others:
            if mine is not None and (mine.first_block, mine.first_log_index) <= (c.first_block, c.first_log_index):
                continue  # the recipient is the older of the two: if either imitates, it is the other
            prefix, suffix = similarity(r.address, c.address)
            if looks_alike(prefix, suffix, len(others)) and (best is None or prefix + suffix > best[0] + best[1]):
                best = (prefix, suffix, c)
        if best is None:
            continue
        prefix, suffix, genuine = best
        hexed = r.address.removeprefix("0x")
        details = _details(
            ev,
            chain,
            r,
            lookalike_of=genuine.address,
            matching_prefix="0x" + hexed[:prefix],
            matching_suffix=hexed[len(hexed) - suffix :],
            matched_chars=prefix + suffix,
            chance=float(f"{chance(prefix + suffix, len(others)):.3g}"),
            compared=len(others),
            first_seen_as=_first_seen_as(mine),
            first_seen_block=mine.first_block if mine is not None else None,
            lookalike_of_first_block=genuine.first_block,
            lookalike_of_paid=genuine.paid,
        )
        return Finding(Code.LOOKALIKE_RECIPIENT, Severity.ERROR, details)
    return None


def recipient_contract_on_other_chain(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """No code here, but a contract on another configured chain: probably the wrong network."""
    if not _moved(ev):
        return None
    for r in ev.recipients:
        if r.has_code is not False or not _unlost(r):
            continue
        remote = [c for c in ev.code_elsewhere if c.address.lower() == r.address.lower()]
        if not remote:
            continue
        wallet = next((c.wallet_kind for c in remote if c.wallet_kind is not None), None)
        extra: dict[str, Any] = {"chains": sorted({c.chain for c in remote})}
        if wallet is not None:
            extra["wallet_kind"] = wallet
        else:
            extra["contract_kind"] = "contract"
        return Finding(Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN, Severity.ERROR, _details(ev, chain, r, **extra))
    return None


def unexpected_recipient(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """The caller said where the funds should go (``expected_to``); none of them went there."""
    expected = ev.expected_to
    if expected is None or not _moved(ev) or not ev.recipients:
        return None
    if any(r.address.lower() == expected.lower() for r in ev.recipients):
        return None
    r = ev.recipients[0]
    prefix, suffix = similarity(r.address, expected)
    details = _details(
        ev,
        chain,
        r,
        expected_to=expected,
        looks_alike=looks_alike(prefix, suffix, 1),
        matching_prefix_chars=prefix,
        matching_suffix_chars=suffix,
        chance=float(f"{chance(prefix + suffix, 1):.3g}"),
    )
    if len(ev.recipients) > 1:
        details["recipients"] = [x.address for x in ev.recipients]
    return Finding(Code.UNEXPECTED_RECIPIENT, Severity.ERROR, details)


def contract_recipient(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """Tokens sent to a contract that is neither a token nor a recognised wallet (soft: never escalates)."""
    if not _moved(ev):
        return None
    for r in ev.recipients:
        if (
            r.token is not None
            and r.has_code
            and r.wallet_kind is None
            and not r.token_like
            and r.address.lower() != r.token.lower()
            and _unlost(r)
        ):
            return Finding(Code.CONTRACT_RECIPIENT, Severity.WARNING, _details(ev, chain, r))
    return None


def fresh_recipient(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A recipient with no history before this transfer: no code, nonce 0, no balance, not in the sender's history."""
    history = ev.history
    if not _moved(ev) or history is None:
        return None
    for r in ev.recipients:
        if (
            _unlost(r)
            and r.has_code is False
            and r.nonce_before == 0
            and r.balance_before == 0
            and (r.token is None or r.token_balance_before == 0)
            and history.get(r.address) is None
        ):
            return Finding(Code.FRESH_RECIPIENT, Severity.INFO, _details(ev, chain, r))
    return None


def _fake(ev: Evidence, chain: ChainSpec | None, token: str) -> KnownToken | None:
    """The well-known token that ``token`` pretends to be on this chain: its symbol, or a look-alike of it
    (chains.ChainSpec.known_token), at another address."""
    if chain is None:
        return None
    meta = ev.token(token)
    if meta is None or not meta.symbol:
        return None
    if any(t.address.lower() == token.lower() for t in chain.tokens):
        return None  # a listed contract is that token, whatever its symbol reads as
    return chain.known_token(meta.symbol)


def fake_token(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A token that calls itself one of the chain's well-known tokens but lives at another address.

    Flagged whichever way it moved: received, it is no payment at all;
    sent, what left was an imitation. A pending transfer of one is flagged
    from the token its calldata addresses.
    """
    tx = ev.tx
    if tx is None or ev.status is TxStatus.REVERTED:
        return None
    for t in moves(ev.receipt.logs) if ev.receipt is not None else ():
        known = _fake(ev, chain, t.token)
        if known is None:
            continue
        payer = t.sender.lower() == tx.sender.lower()
        details = _fake_details(ev, known, t.token, t.value, frm=t.sender, to=t.recipient)
        details["explanation"] = "fake_sent" if payer else "fake_received"
        return Finding(Code.FAKE_TOKEN, Severity.ERROR, details)
    for a in addressed(tx) if ev.receipt is None else ():
        if a.token is None or a.native:
            continue
        known = _fake(ev, chain, a.token)
        if known is not None:
            details = _fake_details(ev, known, a.token, a.value, frm=a.payer or tx.sender, to=a.recipient)
            details["explanation"] = "fake_sending"
            return Finding(Code.FAKE_TOKEN, Severity.ERROR, details)
    return None


def _fake_details(ev: Evidence, known: KnownToken, token: str, value: int, *, frm: str, to: str) -> dict[str, Any]:
    meta = ev.token(token)
    decimals = meta.decimals if meta is not None else None
    details: dict[str, Any] = {
        "token": token,
        "symbol_claimed": known.symbol,
        "genuine": known.address,
        "token_from": frm,
        "token_to": to,
        "value": str(value),
        "units": value,
        "decimals": decimals,
    }
    if known.issuer is not None:
        details["issuer"] = known.issuer
    shown = meta.symbol if meta is not None and meta.symbol else known.symbol
    # a look-alike ("UЅDT", "ＵＳＤＴ", "USDT."): what it shows, and which characters make it differ
    details["lookalike"] = shown.strip().upper() != known.symbol.upper()
    if details["lookalike"]:
        from txdiag import lookalike  # noqa: PLC0415 - loaded with the table, by known_token, already

        how = lookalike.imitation(shown, known.symbol)
        details.update(symbol_shown=shown, lookalike_chars=list(how.chars), mixed_scripts=how.mixed_scripts)
    return details


def _poisoning(ev: Evidence, chain: ChainSpec | None) -> Planted | None:
    """The planted transfer, when this transaction is address poisoning (a third party's zero-value transfer out
    of the victim, or a fake token's transfer between two addresses neither of which sent the transaction)."""
    tx = ev.tx
    if tx is None or ev.status is TxStatus.REVERTED:
        return None
    p = planted(tx, ev.receipt)
    if p is None:
        return None
    if p.kind == "foreign" and (chain is None or _fake(ev, chain, p.token) is None):
        return None
    return p


def address_poisoning(ev: Evidence, chain: ChainSpec, now: datetime) -> Finding | None:
    """A transfer that plants an address in someone's history and moves none of their funds: address poisoning."""
    p = _poisoning(ev, chain)
    if p is None and ev.tx is not None and ev.receipt is not None:
        # a fake token's transfer out of a look-alike: the fake-token finding says what it is, this one why
        for t in moves(ev.receipt.logs):
            if _fake(ev, chain, t.token) is not None and t.sender.lower() != ev.tx.sender.lower():
                p = Planted(t.recipient, t.sender, t.token, t.value, "foreign")
                break
    if p is None:
        return None
    meta = ev.token(p.token)
    details: dict[str, Any] = {
        "victim": p.victim,
        "planted": p.planted,
        "token": p.token,
        "asset": meta.symbol if meta is not None and meta.symbol else p.token,
        "kind": p.kind,
        "value": str(p.value),
    }
    history = ev.history
    if history is not None and (history.subject or "").lower() == p.victim.lower():
        others = [c for c in history.counterparties if c.address.lower() != p.planted.lower()]
        best: tuple[int, int, Counterparty] | None = None
        for c in others:
            prefix, suffix = similarity(p.planted, c.address)
            if looks_alike(prefix, suffix, len(others)) and (best is None or prefix + suffix > best[0] + best[1]):
                best = (prefix, suffix, c)
        if best is not None:
            prefix, suffix, genuine = best
            hexed = p.planted.removeprefix("0x")
            details.update(
                lookalike_of=genuine.address,
                matching_prefix="0x" + hexed[:prefix],
                matching_suffix=hexed[len(hexed) - suffix :],
                matched_chars=prefix + suffix,
            )
    details["explanation"] = "poisoning_lookalike" if "lookalike_of" in details else f"poisoning_{p.kind}"
    return Finding(Code.ADDRESS_POISONING, Severity.WARNING, details)


RULES: tuple[Rule, ...] = (
    zero_address_recipient,
    burn_address_recipient,
    token_contract_recipient,
    lookalike_recipient,
    recipient_contract_on_other_chain,
    unexpected_recipient,
    contract_recipient,
    fresh_recipient,
    fake_token,
    address_poisoning,
)
