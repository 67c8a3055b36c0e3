"""Pure misdirected-transfer rules, scoring and recipient decoding, table-driven from small evidence values."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from eth_abi.abi import encode

from tests.support import builders
from tests.support.words import english_words, names_of
from txdiag import text
from txdiag.chains import ChainSpec, KnownToken
from txdiag.families.evm.classify import classify
from txdiag.families.evm.classify import misdirected as m
from txdiag.families.evm.classify.fees import replacement
from txdiag.families.evm.probes.recipient import (
    LOG_CHUNK,
    MAX_CHUNKS,
    decode_token_call,
    lookback_blocks,
    payments,
    wallet_kind,
    windows,
)
from txdiag.families.evm.transfers import history_subject
from txdiag.families.evm.wire import TRANSFER_TOPIC
from txdiag.guidance.render import amounts, render
from txdiag.models import (
    Code,
    Counterparty,
    Evidence,
    LogView,
    NetworkView,
    ReceiptView,
    Recipient,
    RemoteCode,
    SenderHistory,
    Severity,
    TokenFacts,
    TokenTransfer,
    TxStatus,
    TxView,
    Verdict,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CHAIN = builders.chain_spec(confirmations=3)
SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
FRIEND = "0x1234567890AbcdEF1234567890aBcdef12345678"
LOOKALIKE = "0x12345Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa45678"  # 5 leading, 5 trailing digits shared with FRIEND
OTHER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
ZERO = "0x0000000000000000000000000000000000000000"
DEAD = "0x000000000000000000000000000000000000dEaD"
TRANSFER = bytes.fromhex("a9059cbb")
TRANSFER_FROM = bytes.fromhex("23b872dd")


def tx(*, to: str | None = OTHER, value: int = 10**18, data: bytes = b"", block: int | None = 100) -> TxView:
    return builders.tx_view(
        sender=SENDER, to=to, nonce=7, value=value, gas=100_000, input=data, max_fee=3 * 10**9, block=block
    )


def receipt(status: TxStatus = TxStatus.SUCCESS, logs: tuple[LogView, ...] = ()) -> ReceiptView:
    return builders.receipt_view(status=status, gas_used=50_000, logs=logs)


def network() -> NetworkView:
    return builders.network_view(head=101, next_base_fee=2 * 10**9)


def rcpt(address: str = OTHER, **kw: Any) -> Recipient:
    base: dict[str, Any] = {"via": "native", "value": 10**18, "has_code": False, "nonce_before": 3, "balance_before": 5}
    return Recipient(address, **{**base, **kw})


def cp(address: str, block: int, value: int = 10**18, *, outgoing: bool = True, paid: int = 1) -> Counterparty:
    return Counterparty(address, block, 0, value, outgoing, TOKEN, max(paid, 1), paid)


def history(*cps: Counterparty) -> SenderHistory:
    return SenderHistory(40_000, 99, cps)


def ev(*recipients: Recipient, pending: bool = False, status: TxStatus = TxStatus.SUCCESS, **kw: Any) -> Evidence:
    return builders.evidence(
        tx(block=None if pending else 100),
        network=network(),
        receipt=None if pending else receipt(status),
        recipients=recipients,
        **{"history": history(), **kw},
    )


def codes(evidence: Evidence) -> list[str]:
    return [f.code.value for f in classify(evidence, CHAIN, NOW).findings if f.code.verdict is Verdict.MISDIRECTED]


# -- scoring ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (FRIEND, LOOKALIKE, (5, 5)),
        (FRIEND, FRIEND.lower(), (40, 0)),  # case-insensitive; the same address matches wholly at the front
        (FRIEND, OTHER, (0, 1)),
        ("0x00000000219ab540356cBB839Cbe05303d7705Fa", "0x000000000022D473030F116dDEE9F6B43aC78BA3", (8, 0)),
        ("0xabc0000000000000000000000000000000000def", "0xabc1111111111111111111111111111111111def", (3, 3)),
    ],
)
def test_similarity(a: str, b: str, expected: tuple[int, int]) -> None:
    """Leading and trailing hex digits shared, case-insensitive, never counted twice."""
    assert m.similarity(a, b) == expected


@pytest.mark.parametrize(
    ("prefix", "suffix", "compared", "alike"),
    [
        (5, 4, 10, True),  # a typical poisoning address against a short history
        (4, 3, 1, True),  # 7 digits against one address: about 3.7e-9
        (4, 3, 2000, False),  # 7 digits against 2,000 counterparties: about 7.5e-6, could be chance
        (4, 4, 2000, True),  # 8 digits against 2,000: about 4.7e-7
        (3, 3, 1, False),  # 6 digits: under the minimum whatever the odds
        (4, 0, 1, False),  # a short shared prefix only
        (10, 0, 1, False),  # vanity leading zeros: prefix only, never a look-alike
        (2, 6, 1, False),  # too little at the start, which wallets always show
    ],
)
def test_looks_alike_threshold(prefix: int, suffix: int, compared: int, alike: bool) -> None:
    """Only improbable matches at both ends count; the odds scale with the number of addresses compared."""
    assert m.looks_alike(prefix, suffix, compared) is alike


def test_chance_formula() -> None:
    """Chance is N x 16^-matched."""
    assert m.chance(8, 1000) == pytest.approx(1000 / 16**8)
    assert m.chance(8, 0) == pytest.approx(1 / 16**8)


# -- recipients from the transaction --------------------------------------------


def _transfer_log(frm: str, to: str, value: int, token: str = TOKEN) -> LogView:
    def topic(a: str) -> bytes:
        return bytes(12) + bytes.fromhex(a[2:])

    return LogView(token, (TRANSFER_TOPIC, topic(frm), topic(to)), value.to_bytes(32, "big"), 0)


def test_decode_token_calls() -> None:
    """transfer and transferFrom calldata give (from, to, value); anything else gives None."""
    assert decode_token_call(TRANSFER + encode(["address", "uint256"], [FRIEND, 5])) == (None, FRIEND, 5)
    raw = TRANSFER_FROM + encode(["address", "address", "uint256"], [SENDER, FRIEND, 0])
    assert decode_token_call(raw) == (SENDER, FRIEND, 0)
    assert decode_token_call(TRANSFER + b"\x00" * 10) is None
    assert decode_token_call(bytes.fromhex("095ea7b3") + encode(["address", "uint256"], [FRIEND, 5])) is None
    assert decode_token_call(b"") is None


@pytest.mark.parametrize(
    ("view", "rec", "expected"),
    [
        (tx(), None, [(OTHER, "native", None, 10**18)]),
        (tx(to=SENDER, value=0), None, []),  # a cancel: the sender itself is no recipient
        (tx(to=None), None, []),  # contract creation
        (
            tx(to=TOKEN, value=0, data=TRANSFER + encode(["address", "uint256"], [FRIEND, 9])),
            None,
            [(FRIEND, "calldata", TOKEN, 9)],
        ),
        (  # a router call whose Transfer log out of the sender is the real payment
            tx(to=OTHER, value=0, data=b"\x12\x34\x56\x78"),
            receipt(logs=(_transfer_log(SENDER, FRIEND, 4), _transfer_log(OTHER, SENDER, 1))),
            [(FRIEND, "log", TOKEN, 4)],
        ),
        (  # calldata and the log agree: one recipient
            tx(to=TOKEN, value=0, data=TRANSFER + encode(["address", "uint256"], [TOKEN, 3])),
            receipt(logs=(_transfer_log(SENDER, TOKEN, 3),)),
            [(TOKEN, "calldata", TOKEN, 3)],
        ),
        (  # a tax token: the tax to its own contract and to a treasury is the token's logic, not a recipient
            tx(to=TOKEN, value=0, data=TRANSFER + encode(["address", "uint256"], [FRIEND, 100])),
            receipt(
                logs=(
                    _transfer_log(SENDER, TOKEN, 3),
                    _transfer_log(SENDER, OTHER, 2),
                    _transfer_log(SENDER, FRIEND, 95),
                )
            ),
            [(FRIEND, "calldata", TOKEN, 100)],
        ),
        (  # a deflationary token burning inside the transfer
            tx(to=TOKEN, value=0, data=TRANSFER + encode(["address", "uint256"], [FRIEND, 50])),
            receipt(logs=(_transfer_log(SENDER, ZERO, 1), _transfer_log(SENDER, FRIEND, 49))),
            [(FRIEND, "calldata", TOKEN, 50)],
        ),
        (  # a bridge withdrawal: withdraw(uint256) burns the bridged tokens
            tx(to=TOKEN, value=0, data=bytes.fromhex("2e1a7d4d") + encode(["uint256"], [40])),
            receipt(logs=(_transfer_log(SENDER, ZERO, 40),)),
            [],
        ),
        (  # a router whose token burns to 0x...dEaD on the way: the burn is not a recipient, the pool is
            tx(to=OTHER, value=0, data=b"\x12\x34\x56\x78"),
            receipt(logs=(_transfer_log(SENDER, DEAD, 1), _transfer_log(SENDER, FRIEND, 4))),
            [(FRIEND, "log", TOKEN, 4)],
        ),
        (  # a hand-addressed transfer to the zero address stays a recipient
            tx(to=TOKEN, value=0, data=TRANSFER + encode(["address", "uint256"], [ZERO, 5])),
            receipt(logs=(_transfer_log(SENDER, ZERO, 5),)),
            [(ZERO, "calldata", TOKEN, 5)],
        ),
        (  # a smart account (called by a sponsor) paying from inside execute(): the account is the payer
            tx(
                to=OTHER,
                value=0,
                data=bytes.fromhex("b61d27f6")
                + encode(
                    ["address", "uint256", "bytes"], [TOKEN, 0, TRANSFER + encode(["address", "uint256"], [TOKEN, 5])]
                ),
            ),
            receipt(logs=(_transfer_log(OTHER, TOKEN, 5),)),
            [(TOKEN, "calldata", TOKEN, 5)],
        ),
        (  # a Safe's execTransaction carrying a token transfer to the token itself: the Safe pays, by hand
            tx(
                to=OTHER,
                value=0,
                data=bytes.fromhex("6a761202")
                + encode(
                    [
                        "address",
                        "uint256",
                        "bytes",
                        "uint8",
                        "uint256",
                        "uint256",
                        "uint256",
                        "address",
                        "address",
                        "bytes",
                    ],
                    [
                        TOKEN,
                        0,
                        TRANSFER + encode(["address", "uint256"], [TOKEN, 8]),
                        0,
                        0,
                        0,
                        0,
                        ZERO,
                        ZERO,
                        b"\x01" * 65,
                    ],
                ),
            ),
            receipt(logs=(_transfer_log(OTHER, TOKEN, 8),)),
            [(TOKEN, "calldata", TOKEN, 8)],
        ),
        (  # a smart account's native payment out of execute()
            tx(
                to=OTHER,
                value=0,
                data=bytes.fromhex("b61d27f6") + encode(["address", "uint256", "bytes"], [FRIEND, 7, b""]),
            ),
            receipt(),
            [(FRIEND, "native", None, 7)],
        ),
    ],
)
def test_payments(view: TxView, rec: ReceiptView | None, expected: list[tuple[Any, ...]]) -> None:
    """Recipients are what the calldata addressed and what contracts paid for the payers; never the token's logic."""
    assert [(p.address, p.via, p.token, p.value) for p in payments(view, rec)] == expected


MINIMAL_PROXY = (
    bytes.fromhex("363d3d373d3d3d363d73") + bytes(range(20)) + bytes.fromhex("5af43d82803e903d91602b57fd5bf3")
)
OWNER = bytes(12) + bytes.fromhex(FRIEND[2:])


@pytest.mark.parametrize(
    ("code", "owner", "kind"),
    [
        (b"", OWNER, None),
        (MINIMAL_PROXY, None, "minimal_proxy"),
        (bytes.fromhex("ef0100") + bytes(range(20)), None, "delegated_eoa"),
        (b"\x60\x80" + bytes.fromhex("7fa619486e") + bytes(28) + b"\x00" * 100, None, "safe_proxy"),
        (b"\x60\x80" * 50, OWNER, "owned_contract"),
        (b"\x60\x80" * 50, bytes(32), None),  # owner() answering zero
        (b"\x60\x80" * 50, None, None),
    ],
)
def test_wallet_kind(code: bytes, owner: bytes | None, kind: str | None) -> None:
    """Simple wallet shapes are recognised from code and an owner() answer."""
    assert wallet_kind(code, owner) == kind


def test_log_windows_are_bounded_and_chunked() -> None:
    """History covers at most MAX_CHUNKS chunks of LOG_CHUNK blocks, newest first, never below block 0."""
    assert windows(25_000, 30_000) == [(15_001, 25_000), (5_001, 15_000), (0, 5_000)]
    assert windows(5, lookback_blocks(12.0)) == [(0, 5)]
    assert lookback_blocks(12.0) == LOG_CHUNK * MAX_CHUNKS  # 14 days of 12 s blocks is more than the cap
    assert lookback_blocks(3600.0) == 336


# -- rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (ev(rcpt(ZERO)), ["zero_address_recipient"]),
        (ev(rcpt(DEAD)), ["burn_address_recipient"]),
        (ev(rcpt("0xdead000000000000000042069420694206942069")), ["burn_address_recipient"]),
        (ev(rcpt(TOKEN, via="calldata", token=TOKEN, has_code=True)), ["token_contract_recipient"]),
        (ev(rcpt(TOKEN, has_code=True, token_like=True)), ["token_contract_recipient"]),  # coin to a token
        (ev(rcpt(ZERO), status=TxStatus.REVERTED), []),  # nothing moved
        (ev(rcpt(OTHER)), []),
        (ev(rcpt(OTHER, has_code=True, wallet_kind="owned_contract", via="log", token=TOKEN)), []),
        (ev(rcpt(OTHER, has_code=True, via="native")), []),  # coin to a contract that accepted it
    ],
)
def test_misdirected_rules(evidence: Evidence, expected: list[str]) -> None:
    """Each recipient shape gives exactly the expected misdirected findings."""
    assert [c for c in codes(evidence) if c not in ("contract_recipient", "fresh_recipient")] == expected


def test_zero_address_details() -> None:
    """The zero-address finding shows the recipient and the exact amount in wei and as coin."""
    (f,) = [f for f in classify(ev(rcpt(ZERO)), CHAIN, NOW).findings if f.code is Code.ZERO_ADDRESS_RECIPIENT]
    assert f.severity is Severity.ERROR
    assert f.details["recipient"] == ZERO
    assert (f.details["value_wei"], f.details["units"], f.details["decimals"], f.details["asset"]) == (
        10**18,
        10**18,
        18,
        "ETH",
    )
    assert amounts(f.details)["amount"] == "1"
    assert "suggested_max_fee_per_gas" not in f.details


def test_token_amount_uses_token_metadata() -> None:
    """A token recipient's amount carries the token's decimals and symbol."""
    meta = TokenTransfer(TOKEN, SENDER, TOKEN, 25 * 10**17, "STRD", 18)
    evidence = ev(rcpt(TOKEN, via="calldata", token=TOKEN, value=25 * 10**17), token_transfers=(meta,))
    f = m.token_contract_recipient(evidence, CHAIN, NOW)
    assert f is not None
    assert (f.details["units"], f.details["decimals"], f.details["asset"], f.details["own_token"]) == (
        25 * 10**17,
        18,
        "STRD",
        True,
    )
    assert amounts(f.details)["amount"] == "2.5"


@pytest.mark.parametrize(
    ("hist", "expected_of", "first_seen_as"),
    [
        # the classic: friend paid before, the look-alike planted by a zero-value transfer after
        (history(cp(FRIEND, 10), cp(LOOKALIKE, 20, value=0, paid=0)), FRIEND, "zero_value_transfer"),
        # a dust transfer from the look-alike into the sender's history
        (history(cp(FRIEND, 10), cp(LOOKALIKE, 20, value=1, outgoing=False, paid=0)), FRIEND, "incoming_transfer"),
        # the look-alike never appeared before: still flagged, it imitates a real counterparty
        (history(cp(FRIEND, 10)), FRIEND, "not_seen_before"),
        # the recipient is the older address: it is the genuine one
        (history(cp(LOOKALIKE, 5), cp(FRIEND, 10, value=0, paid=0)), None, None),
        # nobody alike in the history
        (history(cp(OTHER, 10)), None, None),
    ],
)
def test_lookalike(hist: SenderHistory, expected_of: str | None, first_seen_as: str | None) -> None:
    """A recipient imitating an older counterparty is named with the evidence; the older one never is."""
    f = m.lookalike_recipient(ev(rcpt(LOOKALIKE, via="log", token=TOKEN), history=hist), CHAIN, NOW)
    if expected_of is None:
        assert f is None
        return
    assert f is not None
    assert f.details["recipient"] == LOOKALIKE
    assert f.details["lookalike_of"] == expected_of
    assert (f.details["matching_prefix"], f.details["matching_suffix"]) == ("0x12345", "45678")
    assert f.details["matched_chars"] == 10
    assert f.details["first_seen_as"] == first_seen_as
    assert f.details["chance"] < 1e-6


def test_lookalike_needs_history() -> None:
    """Without the sender's history there is nothing to compare: no guess."""
    assert m.lookalike_recipient(ev(rcpt(LOOKALIKE), history=None), CHAIN, NOW) is None


@pytest.mark.parametrize(
    ("recipient", "remote", "extra"),
    [
        (rcpt(FRIEND), (RemoteCode(FRIEND, "beta", "safe_proxy"),), {"wallet_kind": "safe_proxy"}),
        (rcpt(FRIEND), (RemoteCode(FRIEND, "beta"), RemoteCode(FRIEND, "gamma")), {"contract_kind": "contract"}),
        (rcpt(FRIEND, has_code=True), (RemoteCode(FRIEND, "beta", "safe_proxy"),), None),  # a contract here too
        (rcpt(FRIEND, has_code=None), (RemoteCode(FRIEND, "beta"),), None),  # unknown here: no claim
        (rcpt(FRIEND), (RemoteCode(OTHER, "beta"),), None),
    ],
)
def test_contract_on_other_chain(
    recipient: Recipient, remote: tuple[RemoteCode, ...], extra: dict[str, str] | None
) -> None:
    """No code here but a contract elsewhere: the chains, and whether it is a wallet."""
    f = m.recipient_contract_on_other_chain(ev(recipient, code_elsewhere=remote), CHAIN, NOW)
    if extra is None:
        assert f is None
        return
    assert f is not None
    assert f.details["chains"] == sorted({r.chain for r in remote})
    assert {k: f.details[k] for k in extra} == extra
    assert not ({"wallet_kind", "contract_kind"} - set(extra)) & set(f.details)


@pytest.mark.parametrize(
    ("expected_to", "alike", "fires"),
    [(None, None, False), (LOOKALIKE, None, False), (FRIEND, True, True), (OTHER, False, True)],
)
def test_unexpected_recipient(expected_to: str | None, alike: bool | None, fires: bool) -> None:
    """expected_to that no recipient matches: both shown, with whether they look alike."""
    f = m.unexpected_recipient(ev(rcpt(LOOKALIKE), expected_to=expected_to), CHAIN, NOW)
    assert (f is not None) is fires
    if f is not None:
        assert (f.details["recipient"], f.details["expected_to"], f.details["looks_alike"]) == (
            LOOKALIKE,
            expected_to,
            alike,
        )


@pytest.mark.parametrize(
    ("recipient", "hist", "code"),
    [
        (rcpt(OTHER, via="log", token=TOKEN, has_code=True), history(), Code.CONTRACT_RECIPIENT),
        (rcpt(OTHER, nonce_before=0, balance_before=0), history(), Code.FRESH_RECIPIENT),
        (
            rcpt(OTHER, token=TOKEN, nonce_before=0, balance_before=0, token_balance_before=0),
            history(),
            Code.FRESH_RECIPIENT,
        ),
    ],
)
def test_soft_findings_never_escalate(recipient: Recipient, hist: SenderHistory, code: Code) -> None:
    """contract_recipient and fresh_recipient are reported but leave a normal transfer's verdict alone."""
    result = classify(ev(recipient, history=hist), CHAIN, NOW)
    assert code in [f.code for f in result.findings]
    assert result.verdict is not Verdict.MISDIRECTED


@pytest.mark.parametrize(
    "recipient",
    [
        rcpt(OTHER, nonce_before=1, balance_before=0),
        rcpt(OTHER, nonce_before=0, balance_before=1),
        rcpt(OTHER, token=TOKEN, nonce_before=0, balance_before=0, token_balance_before=7),
        rcpt(OTHER, nonce_before=0, balance_before=0, has_code=True),
        rcpt(OTHER, nonce_before=None, balance_before=0),  # unknown is not "fresh"
    ],
)
def test_not_fresh(recipient: Recipient) -> None:
    """Any earlier trace (nonce, balance, token balance, code) or missing data means no fresh finding."""
    assert m.fresh_recipient(ev(recipient), CHAIN, NOW) is None
    assert (
        m.fresh_recipient(
            ev(
                dataclasses.replace(
                    recipient, nonce_before=0, balance_before=0, token_balance_before=0, has_code=False
                ),
                history=history(cp(OTHER, 5)),
            ),
            CHAIN,
            NOW,
        )
        is None
    )


def test_pending_misdirected_carries_cancel_fees() -> None:
    """A pending misdirected transfer carries the exact replacement fees, the nonce, and renders the cancel first."""
    evidence = ev(rcpt(DEAD), pending=True)
    result = classify(evidence, CHAIN, NOW)
    assert result.verdict is Verdict.MISDIRECTED
    f = next(f for f in result.findings if f.code is Code.BURN_ADDRESS_RECIPIENT)
    want = replacement(fee_cap=3 * 10**9, tip_cap=10**9, legacy=False, next_base_fee=2 * 10**9, market_tip=None)
    assert f.details["suggested_max_fee_per_gas"] == want.max_fee_per_gas
    assert f.details["suggested_max_priority_fee_per_gas"] == want.max_priority_fee_per_gas
    assert (f.details["nonce"], f.details["pending"]) == (7, True)
    en = render(result, evidence, CHAIN, "en")
    assert en.next_steps[0].startswith("It is not in a block yet")
    assert "nonce 7" in en.next_steps[0]
    zh = render(result, evidence, CHAIN, "zh-CN")
    assert "nonce 7" in zh.next_steps[0]
    assert "取消" in zh.next_steps[0]


def test_mined_misdirected_has_no_cancel_step() -> None:
    """Once mined there is nothing to cancel: the first step is the honest irreversibility notice."""
    evidence = ev(rcpt(LOOKALIKE, via="log", token=TOKEN), history=history(cp(FRIEND, 10)))
    result = classify(evidence, CHAIN, NOW)
    en = render(result, evidence, CHAIN, "en")
    assert not any("cancel" in s.lower() for s in en.next_steps)
    assert en.next_steps[0].startswith("Once it is in a block, a transfer cannot be reversed")
    assert FRIEND in en.summary
    assert LOOKALIKE in en.summary


def test_burn_list_is_bundled() -> None:
    """The bundled burn list holds the well-known addresses, keyed lower-case."""
    burns = m.burn_addresses()
    assert DEAD.lower() in burns
    assert "0xdead000000000000000042069420694206942069" in burns
    assert ZERO not in burns  # the zero address has its own finding


WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"


def _with_tx(evidence: Evidence, **kw: Any) -> Evidence:
    return dataclasses.replace(evidence, tx=tx(**kw))


@pytest.mark.parametrize(
    ("evidence", "flagged"),
    [
        # wrapping: deposit() called with the value
        (_with_tx(ev(rcpt(WETH, has_code=True, token_like=True)), to=WETH, data=bytes.fromhex("d0e30db0")), False),
        # a bare send the contract acknowledged with an event naming the sender (WETH's Deposit)
        (
            dataclasses.replace(
                _with_tx(ev(rcpt(WETH, has_code=True, token_like=True)), to=WETH),
                receipt=receipt(
                    logs=(
                        LogView(
                            WETH,
                            (
                                bytes.fromhex("e1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c"),
                                bytes(12) + bytes.fromhex(SENDER[2:]),
                            ),
                            (10**18).to_bytes(32, "big"),
                            0,
                        ),
                    )
                ),
            ),
            False,
        ),
        # a bare send that nothing acknowledged
        (_with_tx(ev(rcpt(USDC, has_code=True, token_like=True)), to=USDC), True),
        # USDT-style token sent by its own transfer() to another token's contract
        (
            _with_tx(
                ev(rcpt(USDC, via="calldata", token=TOKEN, has_code=True, token_like=True)),
                to=TOKEN,
                value=0,
                data=TRANSFER + encode(["address", "uint256"], [USDC, 5]),
            ),
            True,
        ),
        # a router paying a pool that happens to be a token (an LP pair): not addressed by hand
        (
            _with_tx(
                ev(rcpt(USDC, via="log", token=TOKEN, has_code=True, token_like=True)),
                to=OTHER,
                value=0,
                data=bytes.fromhex("38ed1739") + bytes(64),
            ),
            False,
        ),
    ],
)
def test_value_reaching_token_contracts(evidence: Evidence, flagged: bool) -> None:
    """Only a transfer a person addressed by hand to a token contract is misdirected; DeFi calls are not."""
    assert ("token_contract_recipient" in codes(evidence)) is flagged


@pytest.mark.parametrize(("lang", "words"), [("en", "in the token's smallest units"), ("zh-CN", "按代币最小单位计")])
def test_amount_without_decimals_says_smallest_units(lang: str, words: str) -> None:
    """A token amount whose decimals could not be read is said to be in the token's smallest units."""
    evidence = ev(rcpt(ZERO, via="calldata", token=TOKEN, value=1_234_567))
    text = render(classify(evidence, CHAIN, NOW), evidence, CHAIN, lang).summary
    assert "1234567" in text
    assert words in text


def _nft_log(frm: str, to: str, token_id: int, token: str = TOKEN) -> LogView:
    def topic(a: str) -> bytes:
        return bytes(12) + bytes.fromhex(a[2:])

    return LogView(token, (TRANSFER_TOPIC, topic(frm), topic(to), token_id.to_bytes(32, "big")), b"", 0)


@pytest.mark.parametrize(
    ("recipient", "meta", "nft"),
    [
        (rcpt(TOKEN, via="calldata", token=TOKEN, value=1, token_id=7, standard="erc721"), None, True),
        (rcpt(TOKEN, via="calldata", token=TOKEN, value=3, token_id=7, standard="erc1155"), None, True),
        (
            rcpt(TOKEN, via="calldata", token=TOKEN, value=7),
            TokenFacts(TOKEN, "KIT", None),
            True,
        ),  # pending, no decimals
        (rcpt(TOKEN, via="calldata", token=TOKEN, value=7), TokenFacts(TOKEN, "STRD", 18), False),
        (rcpt(TOKEN, via="calldata", token=TOKEN, value=7, standard="erc20"), None, False),
        # pending: the token's own ERC-165 answer decides, whatever decimals() says
        (rcpt(TOKEN, via="calldata", token=TOKEN, value=7), TokenFacts(TOKEN, "KIT", 0, "erc721"), True),
        (rcpt(TOKEN, via="calldata", token=TOKEN, value=7), TokenFacts(TOKEN, "STRD", None, "erc20"), False),
    ],
)
def test_nft_told_from_erc20(recipient: Recipient, meta: TokenFacts | None, nft: bool) -> None:
    """An NFT is told by its Transfer log's shape, or by an NFT-style call to a token without decimals."""
    data = TRANSFER_FROM + encode(["address", "address", "uint256"], [SENDER, TOKEN, 7])
    evidence = _with_tx(ev(recipient, tokens=(meta,) if meta else ()), to=TOKEN, value=0, data=data)
    f = m.token_contract_recipient(evidence, CHAIN, NOW)
    assert f is not None
    assert f.details.get("nft", False) is nft
    if nft:
        assert (f.details["token_id"], "decimals_known" in f.details) == (7, False)


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "You sent NFT #7 of KIT to"), ("zh-CN", "您把 KIT 的 NFT #7 发送到了")]
)
def test_nft_words(lang: str, words: str) -> None:
    """An NFT reads as "NFT #7 of <collection>" in both languages, never as an amount of smallest units."""
    r = rcpt(TOKEN, via="calldata", token=TOKEN, value=1, token_id=7, standard="erc721")
    evidence = ev(r, tokens=(TokenFacts(TOKEN, "KIT", None),))
    text = render(classify(evidence, CHAIN, NOW), evidence, CHAIN, lang).summary
    assert text.startswith(words)
    assert "smallest" not in text
    assert "最小单位" not in text


def test_nft_payment_from_its_log() -> None:
    """ERC-721 transferFrom calldata and its four-topic log make one NFT recipient with its id."""
    view = tx(to=TOKEN, value=0, data=TRANSFER_FROM + encode(["address", "address", "uint256"], [SENDER, FRIEND, 9]))
    (p,) = payments(view, receipt(logs=(_nft_log(SENDER, FRIEND, 9),)))
    assert (p.address, p.token, p.value, p.token_id, p.standard) == (FRIEND, TOKEN, 1, 9, "erc721")


# -- fake tokens and address poisoning ---------------------------------------------

GENUINE = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
FAKE = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
VICTIM = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
DAI = "0x6B175474E89094C44Da98b954EedeAC495271d0F"
BTCB = "0x7130d2A12B9BCbFAe4f2634d864A1Ee1Ce3Ead9c"
TETHER = dataclasses.replace(CHAIN, tokens=(KnownToken("USDT", GENUINE, "Tether"),))


def _logs(*moves: tuple[str, str, int], token: str = FAKE) -> Evidence:
    logs = tuple(_transfer_log(f, t, v, token) for f, t, v in moves)
    symbol = "USDT" if token in (FAKE, GENUINE) else "STRD"
    return dataclasses.replace(ev(), receipt=receipt(logs=logs), tokens=(TokenFacts(token, symbol, 6),), history=None)


@pytest.mark.parametrize(
    ("evidence", "chain", "fake", "poisoning"),
    [
        # the person sends a token calling itself USDT that is not Tether's: flagged
        (_logs((SENDER, FRIEND, 5 * 10**6)), TETHER, "fake_sent", None),
        # an airdrop-style fake "payment" from a planted address to a victim, sent by a third party
        (_logs((LOOKALIKE, VICTIM, 5 * 10**6)), TETHER, "fake_received", "poisoning_foreign"),
        # the real USDT: nothing to say
        (_logs((SENDER, FRIEND, 5 * 10**6), token=GENUINE), TETHER, None, None),
        # a chain without [tokens]: no fake-token finding
        (_logs((SENDER, FRIEND, 5 * 10**6)), CHAIN, None, None),
        # a third party's zero-value transferFrom out of the victim, of any token: poisoning
        (_logs((VICTIM, LOOKALIKE, 0), token=TOKEN), CHAIN, None, "poisoning_zero_value"),
        # the person's own zero-value transfer is not called poisoning
        (_logs((SENDER, FRIEND, 0), token=TOKEN), CHAIN, None, None),
        # a genuine token moved between two others (an allowance spent by a contract) is no poisoning
        (_logs((VICTIM, FRIEND, 5), token=TOKEN), CHAIN, None, None),
    ],
)
def test_fake_token_and_poisoning_table(
    evidence: Evidence, chain: ChainSpec, fake: str | None, poisoning: str | None
) -> None:
    """Fake tokens are told by symbol against the chain's [tokens]; poisoning by a transfer the victim did not make."""
    f = m.fake_token(evidence, chain, NOW)
    assert (f.details["explanation"] if f else None) == fake
    p = m.address_poisoning(evidence, chain, NOW)
    assert (p.details["explanation"] if p else None) == poisoning
    if fake is not None or poisoning is not None:
        assert classify(evidence, chain, NOW).verdict is Verdict.MISDIRECTED
    if poisoning is not None:  # it moved nothing of the victim's: no recipient finding claims otherwise
        assert not {c for c in codes(evidence) if c.endswith("_recipient")}


def _claiming(symbol: str, *moves: tuple[str, str, int], token: str = FAKE) -> Evidence:
    """Transfers of ``token``, which calls itself ``symbol`` (through the sanitiser, as the gather layer does)."""
    return dataclasses.replace(_logs(*moves, token=token), tokens=(TokenFacts(token, text.symbol(symbol), 6),))


LISTING = dataclasses.replace(
    CHAIN,
    tokens=(KnownToken("USDT", GENUINE, "Tether"), KnownToken("DAI", DAI), KnownToken("BTC", BTCB)),
)


@pytest.mark.parametrize(
    ("symbol", "claimed", "chars", "mixed"),
    [
        ("U\u0405DT", "USDT", ["U+0405"], True),  # Cyrillic capital dze
        ("USD\u0422", "USDT", ["U+0422"], True),  # Cyrillic capital te
        ("\uff35\uff33\uff24\uff34", "USDT", ["U+FF35", "U+FF33", "U+FF24", "U+FF34"], False),  # full-width
        ("USDT\u2024", "USDT", ["U+2024"], False),  # one-dot leader
        ("USDT.", "USDT", ["U+002E"], False),
        ("U\u0405D\u03a4", "USDT", ["U+0405", "U+03A4"], True),  # Cyrillic and Greek in one symbol
        ("u\u0455d\u0442", "USDT", ["U+0455", "U+0442"], True),  # lowercase Cyrillic dze and te
        ("US\u200bDT\u202e", "USDT", [], False),  # zero-width and bidi characters: the sanitiser drops them
        ("DA1", "DAI", ["U+0031"], False),  # a digit one for a capital I
        ("\u0412\u0422\u0421", "BTC", ["U+0412", "U+0422", "U+0421"], False),  # wholly Cyrillic, reads as BTC
        ("USD\u20ae", "USDT", ["U+20AE"], False),  # the tugrik sign, Tether's own way of writing its ticker
        ("USD\u0166", "USDT", ["U+0166"], False),  # T with stroke
        ("\u0110AI", "DAI", ["U+0110"], False),  # D with stroke
    ],
)
def test_lookalike_symbol_is_a_fake_token_and_its_airdrop_poisoning(
    symbol: str, claimed: str, chars: list[str], mixed: bool
) -> None:
    """A token from another contract whose symbol reads as a listed one is a fake, sent or planted by a third party."""
    sent = _claiming(symbol, (SENDER, FRIEND, 5 * 10**6))
    f = m.fake_token(sent, LISTING, NOW)
    assert f is not None, symbol
    assert (f.details["explanation"], f.details["symbol_claimed"]) == ("fake_sent", claimed)
    shown = text.symbol(symbol)
    if shown.upper() == claimed:  # what is left after the sanitiser is the symbol itself: a plain fake
        assert f.details["lookalike"] is False
        assert "symbol_shown" not in f.details
    else:
        assert f.details["lookalike"] is True
        assert (f.details["symbol_shown"], f.details["lookalike_chars"], f.details["mixed_scripts"]) == (
            shown,
            chars,
            mixed,
        )
    assert classify(sent, LISTING, NOW).verdict is Verdict.MISDIRECTED
    planted = _claiming(symbol, (LOOKALIKE, VICTIM, 5 * 10**6))
    p = m.address_poisoning(planted, LISTING, NOW)
    assert p is not None
    assert (p.details["explanation"], p.details["kind"]) == ("poisoning_foreign", "foreign")
    assert m.fake_token(planted, LISTING, NOW) is not None
    assert classify(planted, LISTING, NOW).verdict is Verdict.MISDIRECTED


@pytest.mark.parametrize(
    ("symbol", "token"),
    [
        ("USDT", GENUINE),  # the listed token itself
        ("U\u0405DT", GENUINE),  # the listed contract, however its symbol reads, is the listed token
        ("STRD", FAKE),  # an unrelated symbol
        ("USDC", FAKE),  # another stablecoin, not listed on this chain
        ("USDTX", FAKE),  # holds the letters, and more
        ("XUSDT", FAKE),
        ("USDT0", FAKE),
        ("USD\u20ae0", FAKE),  # reads as USDTO, not USDT
        ("DAL", FAKE),  # a capital L is no I
        ("\u6cf0\u8fbe\u5e01", FAKE),  # Chinese
        ("\u0414\u041e\u041b\u041b\u0410\u0420", FAKE),  # a Cyrillic word
        ("\u0394\u03a1\u03a7", FAKE),  # Greek letters that look like no listed symbol
        ("...", FAKE),
    ],
)
def test_honest_symbols_are_not_fake(symbol: str, token: str) -> None:
    """The listed token, unrelated symbols, symbols that merely hold the letters, other scripts' words: no finding."""
    sent = _claiming(symbol, (SENDER, FRIEND, 5 * 10**6), token=token)
    assert m.fake_token(sent, LISTING, NOW) is None
    planted = _claiming(symbol, (LOOKALIKE, VICTIM, 5 * 10**6), token=token)
    assert m.fake_token(planted, LISTING, NOW) is None
    assert m.address_poisoning(planted, LISTING, NOW) is None
    assert Verdict.MISDIRECTED not in {f.code.verdict for f in classify(planted, LISTING, NOW).findings}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            "This is not Tether's USDT on alpha: the token {fake} calls itself U\u0405DT, written with other "
            "characters (U+0405) to look like USDT; Tether's USDT on alpha is the token at {genuine}.",
        ),
        (
            "zh-CN",
            "这不是 alpha 上的 Tether 发行的 USDT ：代币 {fake} 自称 U\u0405DT，用其他字符（U+0405）写成，只是看起来像 "
            "USDT；alpha 上的 Tether 发行的 USDT 是地址为 {genuine} 的代币。",
        ),
    ],
)
def test_lookalike_words(lang: str, words: str) -> None:
    """The summary says calmly which characters make the symbol look like the listed one, in both languages."""
    evidence = _claiming("U\u0405DT", (SENDER, FRIEND, 5 * 10**6))
    out = render(classify(evidence, TETHER, NOW), evidence, TETHER, lang)
    assert out.summary.startswith(words.format(fake=FAKE, genuine=GENUINE))
    (message,) = [f.message for f in out.findings if f.code == Code.FAKE_TOKEN.value]
    assert "U\u0405DT" in message
    assert "U+0405" in message
    if lang == "zh-CN":
        names = names_of([f.details for f in classify(evidence, TETHER, NOW).findings], ["alpha"])
        assert [w for t in (out.summary, *(f.message for f in out.findings)) for w in english_words(t, names)] == []
    plain = _claiming("USDT", (SENDER, FRIEND, 5 * 10**6))
    assert "U+" not in render(classify(plain, TETHER, NOW), plain, TETHER, lang).summary


def test_poisoning_names_the_imitated_counterparty() -> None:
    """With the victim's history, the planted address is named as a look-alike of the victim's real counterparty."""
    evidence = dataclasses.replace(
        _logs((VICTIM, LOOKALIKE, 0), token=TOKEN),
        history=SenderHistory(0, 99, (cp(FRIEND, 10),), subject=VICTIM),
    )
    p = m.address_poisoning(evidence, CHAIN, NOW)
    assert p is not None
    assert (p.details["victim"], p.details["planted"].lower(), p.details["lookalike_of"]) == (
        VICTIM,
        LOOKALIKE.lower(),
        FRIEND,
    )
    assert p.details["explanation"] == "poisoning_lookalike"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "This is not Tether's USDT on alpha"), ("zh-CN", "这不是 alpha 上的 Tether 发行的 USDT")],
)
def test_fake_token_words(lang: str, words: str) -> None:
    """The fake-token summary says whose token it is not, in both languages, with the genuine address."""
    evidence = _logs((SENDER, FRIEND, 5 * 10**6))
    text = render(classify(evidence, TETHER, NOW), evidence, TETHER, lang)
    assert text.summary.startswith(words)
    assert GENUINE in text.summary


@pytest.mark.parametrize(("lang", "words"), [("en", "moved no funds"), ("zh-CN", "没有转走任何资金")])
def test_poisoning_words(lang: str, words: str) -> None:
    """Poisoning is explained as moving no funds, with the advice never to copy an address from history."""
    evidence = _logs((VICTIM, LOOKALIKE, 0), token=TOKEN)
    text = render(classify(evidence, CHAIN, NOW), evidence, CHAIN, lang)
    assert words in text.summary
    assert any(("Never copy an address" if lang == "en" else "切勿从交易记录中复制地址") in s for s in text.next_steps)


def test_history_subject_is_the_paying_account() -> None:
    """Look-alikes are judged against the payer's history: the sender, a smart account, or a poisoning's victim."""
    plain = tx(to=TOKEN, value=0, data=TRANSFER + encode(["address", "uint256"], [FRIEND, 5]))
    assert history_subject(plain, receipt(logs=(_transfer_log(SENDER, FRIEND, 5),))) == SENDER
    inner = TRANSFER + encode(["address", "uint256"], [FRIEND, 5])
    wrapped = tx(
        to=OTHER, value=0, data=bytes.fromhex("b61d27f6") + encode(["address", "uint256", "bytes"], [TOKEN, 0, inner])
    )
    assert history_subject(wrapped, receipt(logs=(_transfer_log(OTHER, FRIEND, 5),))) == OTHER
    poison = tx(
        to=TOKEN, value=0, data=TRANSFER_FROM + encode(["address", "address", "uint256"], [VICTIM, LOOKALIKE, 0])
    )
    assert history_subject(poison, receipt(logs=(_transfer_log(VICTIM, LOOKALIKE, 0),))) == VICTIM
    assert history_subject(tx(), None) == SENDER
