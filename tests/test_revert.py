"""Revert data decoding: every kind, every panic code, the error table, nesting, and fuzzing."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import pytest
from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from txdiag import text as untrusted
from txdiag.families.evm.revert import (
    ERROR_SELECTOR,
    KNOWN_ERRORS,
    MAX_NESTING,
    PANIC_CODES,
    PANIC_SELECTOR,
    ErrorSpec,
    Explanation,
    RevertKind,
    RevertReason,
    decode_revert,
    explain_message,
)

ALICE = "0xab5801a7d398351b8be11c439e05c5b3259aec9b"
ALICE_CS = to_checksum_address(ALICE)
BOB = "0x" + "b0" * 20
ZERO = "0x" + "00" * 20
ROLE = bytes.fromhex("9f" * 32)


def err(signature: str, types: Sequence[str] = (), values: Sequence[Any] = ()) -> bytes:
    """Revert data for ``signature`` with ABI-encoded ``values``."""
    return function_signature_to_4byte_selector(signature) + encode(list(types), list(values))


def error_string(text: str) -> bytes:
    return err("Error(string)", ["string"], [text])


def panic(code: int) -> bytes:
    return err("Panic(uint256)", ["uint256"], [code])


def execution_failed(index: int, inner: bytes) -> bytes:
    return err("ExecutionFailed(uint256,bytes)", ["uint256", "bytes"], [index, inner])


def check_invariants(reason: RevertReason) -> None:
    """What every decoded reason promises, whatever the input."""
    assert isinstance(reason, RevertReason)
    shown = reason.display()
    assert shown
    assert shown.splitlines() == [shown]
    doc = reason.to_json()
    assert json.loads(json.dumps(doc)) == doc
    assert all(isinstance(v, int) and v >= 0 for v in reason.numbers.values())
    if reason.kind is RevertKind.EMPTY:
        assert reason.selector is None
    if reason.selector is not None:
        assert re.fullmatch(r"0x[0-9a-f]{8}", reason.selector)


# --- EMPTY ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [None, b"", "", "0x", "0X", "  0x \n", bytearray()])
def test_empty(data: bytes | str | None) -> None:
    """No data at all, in any spelling, is a revert without a reason."""
    reason = decode_revert(data)
    assert reason.kind is RevertKind.EMPTY
    assert reason.selector is None
    assert reason.explanation is None
    assert reason.display() == "reverted without a reason"
    check_invariants(reason)


# --- ERROR_STRING -----------------------------------------------------------------

STRING_REASONS = [
    ("UniswapV2Router: INSUFFICIENT_OUTPUT_AMOUNT", "slippage"),
    ("UniswapV2Router: EXCESSIVE_INPUT_AMOUNT", "slippage"),
    ("PancakeRouter: INSUFFICIENT_OUTPUT_AMOUNT", "slippage"),
    ("Too little received", "slippage"),
    ("Too much requested", "slippage"),
    ("Price slippage check", "slippage"),
    ("UniswapV2Router: EXPIRED", "deadline_expired"),
    ("Transaction too old", "deadline_expired"),
    ("ERC20Permit: expired deadline", "signature_expired"),
    ("FiatTokenV2: permit is expired", "signature_expired"),
    ("ERC20: transfer amount exceeds balance", "insufficient_balance"),
    ("ERC20: burn amount exceeds balance", "insufficient_balance"),
    ("Dai/insufficient-balance", "insufficient_balance"),
    ("Address: insufficient balance", "insufficient_balance"),
    ("ERC20: insufficient allowance", "insufficient_allowance"),
    ("ERC20: transfer amount exceeds allowance", "insufficient_allowance"),
    ("Dai/insufficient-allowance", "insufficient_allowance"),
    ("ERC20: decreased allowance below zero", "decreased_allowance_below_zero"),
    ("ERC20: transfer to the zero address", "transfer_to_zero_address"),
    ("ERC20: transfer from the zero address", "invalid_sender"),
    ("ERC20: approve to the zero address", "invalid_spender"),
    ("Pausable: paused", "paused"),
    ("Pausable: not paused", "not_paused"),
    ("Blacklistable: account is blacklisted", "blacklisted"),
    ("Ownable: caller is not the owner", "unauthorized"),
    ("AccessControl: account 0xab58 is missing role 0x9f9f", "unauthorized"),
    ("UniswapV2: FORBIDDEN", "unauthorized"),
    ("ERC721: caller is not token owner or approved", "not_approved"),
    ("ERC721: transfer from incorrect owner", "not_token_owner"),
    ("ERC721: invalid token ID", "nonexistent_token"),
    ("ERC721: transfer to non ERC721Receiver implementer", "invalid_receiver"),
    ("ReentrancyGuard: reentrant call", "reentrant_call"),
    ("UniswapV2: LOCKED", "reentrant_call"),
    ("LOK", "reentrant_call"),
    ("TransferHelper: TRANSFER_FROM_FAILED", "transfer_failed"),
    ("TransferHelper::transferFrom: transferFrom failed", "transfer_failed"),
    ("SafeERC20: ERC20 operation did not succeed", "transfer_failed"),
    ("STF", "transfer_failed"),
    ("ST", "transfer_failed"),
    ("UniswapV2: INSUFFICIENT_LIQUIDITY", "insufficient_liquidity"),
    ("Address: call to non-contract", "call_to_non_contract"),
    ("SafeMath: subtraction overflow", "arithmetic_overflow"),
    ("ds-math-sub-underflow", "arithmetic_overflow"),
    ("SafeMath: division by zero", "division_by_zero"),
    ("Trading is not active", "trading_disabled"),
    ("Transfer amount exceeds the maxTxAmount.", "exceeds_limit"),
    ("ERC20Capped: cap exceeded", "exceeds_limit"),
    ("ECDSA: invalid signature", "invalid_signature"),
    ("  Pausable: paused\x00\x00", "paused"),
    # no mapping: the guidance then quotes the text as it is
    ("Stardust: nothing to claim", None),
    ("stf", None),  # the terse codes are case-sensitive ...
    ("Stable first", None),  # ... and never matched inside words
    ("", None),
]


@pytest.mark.parametrize(("text", "key"), STRING_REASONS)
def test_error_string(text: str, key: str | None) -> None:
    """Error(string) keeps the sanitised text (raw bytes in hex) and maps well-known reasons to a key."""
    reason = decode_revert(error_string(text))
    assert reason.kind is RevertKind.ERROR_STRING
    assert reason.selector == ERROR_SELECTOR
    assert (reason.name, reason.signature) == ("Error", "Error(string)")
    assert reason.message == untrusted.reason(text)
    assert reason.raw == "0x" + error_string(text).hex()
    assert reason.explanation == key
    assert explain_message(text) == key
    assert reason.display().startswith('Error("')
    check_invariants(reason)


def test_error_string_display_quotes_and_cuts() -> None:
    """Line breaks become spaces, quotes are escaped, long text is cut: one line, whatever the chain says."""
    text = 'say "hi"\nthen\u2028more\x85' + "x" * 500
    reason = decode_revert(error_string(text))
    assert reason.message is not None
    assert reason.message.startswith('say "hi" then more x')
    assert len(reason.message) == untrusted.REASON_LIMIT
    shown = reason.display()
    assert shown.startswith('Error("say \\"hi\\" then more xx')
    assert shown.endswith('…")')
    assert len(shown) < 200
    check_invariants(reason)


def test_error_string_invalid_utf8_is_replaced() -> None:
    """An Error(string) whose bytes are not UTF-8 still decodes, with replacement characters."""
    data = bytes.fromhex(ERROR_SELECTOR[2:]) + encode(["bytes"], [b"bad \xff\xfe text"])
    reason = decode_revert(data)
    assert reason.kind is RevertKind.ERROR_STRING
    assert reason.message == "bad \ufffd\ufffd text"
    check_invariants(reason)


# --- PANIC ------------------------------------------------------------------------

PANICS = [
    (0x00, "panic_generic", "generic"),
    (0x01, "assertion_failed", "assert"),
    (0x11, "arithmetic_overflow", "overflow or underflow"),
    (0x12, "division_by_zero", "division or modulo by zero"),
    (0x21, "invalid_enum_value", "enum"),
    (0x22, "corrupt_storage_array", "storage byte array"),
    (0x31, "empty_array_pop", "empty array"),
    (0x32, "array_out_of_bounds", "out of bounds"),
    (0x41, "out_of_memory", "memory"),
    (0x51, "uninitialized_function", "zero-initialised internal function"),
]


def test_panic_table_is_complete() -> None:
    """The table explains exactly the panic codes Solidity defines."""
    assert sorted(PANIC_CODES) == [code for code, _, _ in PANICS]


@pytest.mark.parametrize(("code", "key", "phrase"), PANICS)
def test_panic(code: int, key: str, phrase: str) -> None:
    """Every Solidity panic code decodes with its key and a plain-English message."""
    reason = decode_revert(panic(code))
    assert reason.kind is RevertKind.PANIC
    assert reason.selector == PANIC_SELECTOR
    assert reason.panic_code == code
    assert reason.explanation == key
    assert reason.message is not None
    assert phrase in reason.message
    assert reason.display() == f"Panic(0x{code:02x}: {reason.message})"
    check_invariants(reason)


def test_panic_overflow_display() -> None:
    """The overflow panic reads as the brief shows it."""
    assert decode_revert(panic(0x11)).display() == "Panic(0x11: arithmetic overflow or underflow)"


@pytest.mark.parametrize("code", [0x02, 0x99, 2**256 - 1])
def test_panic_unknown_code(code: int) -> None:
    """A panic code Solidity does not define is still a panic, explained as unknown."""
    reason = decode_revert(panic(code))
    assert reason.kind is RevertKind.PANIC
    assert reason.panic_code == code
    assert reason.explanation == "panic_unknown"
    assert reason.display() == f"Panic(0x{code:02x}: unknown panic code)"
    check_invariants(reason)


# --- CUSTOM -----------------------------------------------------------------------


class Custom(NamedTuple):
    signature: str
    types: list[str]
    values: list[Any]
    display: str
    key: str
    numbers: dict[str, int]


CUSTOM = [
    Custom(
        "ERC20InsufficientBalance(address,uint256,uint256)",
        ["address", "uint256", "uint256"],
        [ALICE, 0, 5],
        "ERC20InsufficientBalance(sender=0xAb58…eC9B, balance=0, needed=5)",
        "insufficient_balance",
        {"balance": 0, "needed": 5, "missing": 5},
    ),
    Custom(
        "ERC20InsufficientAllowance(address,uint256,uint256)",
        ["address", "uint256", "uint256"],
        [ALICE, 3, 10],
        "ERC20InsufficientAllowance(spender=0xAb58…eC9B, allowance=3, needed=10)",
        "insufficient_allowance",
        {"allowance": 3, "needed": 10, "missing": 7},
    ),
    Custom(
        "ERC1155InsufficientBalance(address,uint256,uint256,uint256)",
        ["address", "uint256", "uint256", "uint256"],
        [ALICE, 1, 4, 77],
        "ERC1155InsufficientBalance(sender=0xAb58…eC9B, balance=1, needed=4, tokenId=77)",
        "insufficient_balance",
        {"balance": 1, "needed": 4, "missing": 3, "token_id": 77},
    ),
    Custom(
        "InsufficientBalance(uint256,uint256)",
        ["uint256", "uint256"],
        [10**18, 2 * 10**18],
        "InsufficientBalance(balance=1000000000000000000, needed=2000000000000000000)",
        "insufficient_balance",
        {"balance": 10**18, "needed": 2 * 10**18, "missing": 10**18},
    ),
    Custom(
        "InsufficientFunds(address,uint256,uint256)",
        ["address", "uint256", "uint256"],
        [ALICE, 0, 42],
        "InsufficientFunds(account=0xAb58…eC9B, available=0, required=42)",
        "insufficient_balance",
        {"balance": 0, "needed": 42, "missing": 42},
    ),
    Custom(
        "ERC721NonexistentToken(uint256)",
        ["uint256"],
        [7],
        "ERC721NonexistentToken(tokenId=7)",
        "nonexistent_token",
        {"token_id": 7},
    ),
    Custom(
        "ERC721IncorrectOwner(address,uint256,address)",
        ["address", "uint256", "address"],
        [ALICE, 9, BOB],
        "ERC721IncorrectOwner(sender=0xAb58…eC9B, tokenId=9, owner=0xB0B0…B0B0)",
        "not_token_owner",
        {"token_id": 9},
    ),
    Custom(
        "ERC1155MissingApprovalForAll(address,address)",
        ["address", "address"],
        [ALICE, BOB],
        "ERC1155MissingApprovalForAll(operator=0xAb58…eC9B, owner=0xB0B0…B0B0)",
        "not_approved",
        {},
    ),
    Custom(
        "OwnableUnauthorizedAccount(address)",
        ["address"],
        [ALICE],
        "OwnableUnauthorizedAccount(account=0xAb58…eC9B)",
        "unauthorized",
        {},
    ),
    Custom(
        "AccessControlUnauthorizedAccount(address,bytes32)",
        ["address", "bytes32"],
        [ALICE, ROLE],
        "AccessControlUnauthorizedAccount(account=0xAb58…eC9B, neededRole=0x9f9f…9f9f)",
        "unauthorized",
        {},
    ),
    Custom("EnforcedPause()", [], [], "EnforcedPause()", "paused", {}),
    Custom("ExpectedPause()", [], [], "ExpectedPause()", "not_paused", {}),
    Custom("ReentrancyGuardReentrantCall()", [], [], "ReentrancyGuardReentrantCall()", "reentrant_call", {}),
    Custom(
        "SafeERC20FailedOperation(address)",
        ["address"],
        [BOB],
        "SafeERC20FailedOperation(token=0xB0B0…B0B0)",
        "transfer_failed",
        {},
    ),
    Custom(
        "AddressEmptyCode(address)",
        ["address"],
        [BOB],
        "AddressEmptyCode(target=0xB0B0…B0B0)",
        "call_to_non_contract",
        {},
    ),
    Custom("FailedInnerCall()", [], [], "FailedInnerCall()", "inner_call_failed", {}),
    Custom("FailedCall()", [], [], "FailedCall()", "inner_call_failed", {}),
    Custom(
        "ERC2612ExpiredSignature(uint256)",
        ["uint256"],
        [1_700_000_000],
        "ERC2612ExpiredSignature(deadline=1700000000)",
        "signature_expired",
        {"deadline": 1_700_000_000},
    ),
    Custom("V3TooLittleReceived()", [], [], "V3TooLittleReceived()", "slippage", {}),
    Custom("V2TooMuchRequested()", [], [], "V2TooMuchRequested()", "slippage", {}),
    Custom("TransactionDeadlinePassed()", [], [], "TransactionDeadlinePassed()", "deadline_expired", {}),
    Custom(
        "V4TooLittleReceived(uint256,uint256)",
        ["uint256", "uint256"],
        [100, 90],
        "V4TooLittleReceived(minAmountOutReceived=100, amountReceived=90)",
        "slippage",
        {"minimum": 100, "received": 90, "missing": 10},
    ),
    Custom(
        "V4TooMuchRequested(uint256,uint256)",
        ["uint256", "uint256"],
        [100, 130],
        "V4TooMuchRequested(maxAmountInRequested=100, amountRequested=130)",
        "slippage",
        {"maximum": 100, "requested": 130, "excess": 30},
    ),
    Custom(
        "SignatureExpired(uint256)",
        ["uint256"],
        [1_700_000_000],
        "SignatureExpired(signatureDeadline=1700000000)",
        "signature_expired",
        {"deadline": 1_700_000_000},
    ),
    Custom("InvalidNonce()", [], [], "InvalidNonce()", "invalid_nonce", {}),
    Custom(
        "AllowanceExpired(uint256)",
        ["uint256"],
        [5],
        "AllowanceExpired(deadline=5)",
        "allowance_expired",
        {"deadline": 5},
    ),
    Custom(
        "InsufficientAllowance(uint256)",
        ["uint256"],
        [12],
        "InsufficientAllowance(amount=12)",
        "insufficient_allowance",
        {"allowance": 12},
    ),
    Custom(
        "SafeCastOverflowedIntDowncast(uint8,int256)",
        ["uint8", "int256"],
        [128, -(2**200)],
        f"SafeCastOverflowedIntDowncast(bits=128, value={-(2**200)})",
        "arithmetic_overflow",
        {},
    ),
]


@pytest.mark.parametrize("case", CUSTOM, ids=[c.signature for c in CUSTOM])
def test_custom_error(case: Custom) -> None:
    """Table errors decode with named args, their explanation key, the numbers to quote, and a display."""
    reason = decode_revert(err(case.signature, case.types, case.values))
    assert reason.kind is RevertKind.CUSTOM
    assert reason.signature == case.signature
    assert reason.name == case.signature.partition("(")[0]
    assert reason.selector == "0x" + function_signature_to_4byte_selector(case.signature).hex()
    assert [a.type for a in reason.args] == case.types
    assert reason.explanation == case.key
    assert dict(reason.numbers) == case.numbers
    assert reason.display() == case.display
    assert reason.message is None
    check_invariants(reason)


def test_custom_error_args_are_json_ready() -> None:
    """Addresses come back checksummed, bytes as 0x hex, integers as int, with their names."""
    reason = decode_revert(
        err("AccessControlUnauthorizedAccount(address,bytes32)", ["address", "bytes32"], [ALICE, ROLE])
    )
    assert [(a.name, a.type, a.value) for a in reason.args] == [
        ("account", "address", ALICE_CS),
        ("neededRole", "bytes32", "0x" + ROLE.hex()),
    ]
    assert reason.to_json()["args"] == [
        {"name": "account", "type": "address", "value": ALICE_CS},
        {"name": "neededRole", "type": "bytes32", "value": "0x" + ROLE.hex()},
    ]


@pytest.mark.parametrize(
    ("signature", "have", "need", "missing"),
    [
        ("ERC20InsufficientBalance(address,uint256,uint256)", 9, 5, 0),
        ("ERC20InsufficientAllowance(address,uint256,uint256)", 5, 5, 0),
        ("ERC20InsufficientBalance(address,uint256,uint256)", 0, 2**256 - 1, 2**256 - 1),
    ],
)
def test_missing_is_never_negative(signature: str, have: int, need: int, missing: int) -> None:
    """``missing`` is needed minus what there was, and zero when there was enough."""
    reason = decode_revert(err(signature, ["address", "uint256", "uint256"], [ALICE, have, need]))
    assert reason.numbers["missing"] == missing
    assert reason.numbers["needed"] == need


@pytest.mark.parametrize(
    ("signature", "receiver", "key"),
    [
        ("ERC20InvalidReceiver(address)", ZERO, "transfer_to_zero_address"),
        ("ERC721InvalidReceiver(address)", ZERO, "transfer_to_zero_address"),
        ("ERC721InvalidReceiver(address)", BOB, "invalid_receiver"),
        ("ERC1155InvalidReceiver(address)", BOB, "invalid_receiver"),
        ("ERC20InvalidSender(address)", ZERO, "invalid_sender"),
        ("ERC20InvalidSpender(address)", ZERO, "invalid_spender"),
    ],
)
def test_receiver_errors(signature: str, receiver: str, key: str) -> None:
    """A receiver error means "sent to the zero address" exactly when the receiver is zero."""
    assert decode_revert(err(signature, ["address"], [receiver])).explanation == key


def test_table_covers_the_brief() -> None:
    """Every error the brief names is in the table, under the selector of its signature."""
    names = {spec.name for spec in KNOWN_ERRORS.values()}
    wanted = [
        "ERC20InsufficientBalance",
        "ERC20InvalidSender",
        "ERC20InvalidReceiver",
        "ERC20InsufficientAllowance",
        "ERC20InvalidApprover",
        "ERC20InvalidSpender",
        "ERC721InvalidOwner",
        "ERC721NonexistentToken",
        "ERC721IncorrectOwner",
        "ERC721InvalidSender",
        "ERC721InvalidReceiver",
        "ERC721InsufficientApproval",
        "ERC721InvalidApprover",
        "ERC721InvalidOperator",
        "ERC1155InsufficientBalance",
        "ERC1155InvalidSender",
        "ERC1155InvalidReceiver",
        "ERC1155MissingApprovalForAll",
        "ERC1155InvalidApprover",
        "ERC1155InvalidOperator",
        "ERC1155InvalidArrayLength",
        "SafeERC20FailedOperation",
        "SafeERC20FailedDecreaseAllowance",
        "OwnableUnauthorizedAccount",
        "OwnableInvalidOwner",
        "EnforcedPause",
        "ExpectedPause",
        "AccessControlUnauthorizedAccount",
        "AccessControlBadConfirmation",
        "ReentrancyGuardReentrantCall",
        "AddressEmptyCode",
        "FailedInnerCall",
        "FailedCall",
        "InsufficientBalance",
        "ERC2612ExpiredSignature",
        "ERC2612InvalidSigner",
        "V3TooLittleReceived",
        "V3TooMuchRequested",
        "V2TooLittleReceived",
        "V2TooMuchRequested",
        "TransactionDeadlinePassed",
        "InsufficientETH",
        "InsufficientToken",
        "ExecutionFailed",
        "SignatureExpired",
        "InvalidNonce",
        "AllowanceExpired",
        "InsufficientAllowance",
        "InsufficientFunds",
    ]
    assert set(wanted) <= names
    for selector, spec in KNOWN_ERRORS.items():
        assert selector == "0x" + function_signature_to_4byte_selector(spec.signature).hex()
        assert selector not in (ERROR_SELECTOR, PANIC_SELECTOR)
        assert all(name for _, name in spec.params)


def test_every_explanation_key_is_a_declared_one() -> None:
    """Keys from the tables are members of Explanation, so catalogs can list them all."""
    keys = {str(k) for k in Explanation}
    assert {key for _, key, _ in PANICS} <= keys
    assert {key for _, key in STRING_REASONS if key is not None} <= keys
    for spec in KNOWN_ERRORS.values():
        key = spec.explain({})
        assert key is None or key in keys


# --- nesting --------------------------------------------------------------------


def test_execution_failed_with_custom_inner() -> None:
    """ExecutionFailed decodes its message, takes the inner explanation and adds the command index."""
    inner = err(
        "ERC20InsufficientAllowance(address,uint256,uint256)", ["address", "uint256", "uint256"], [ALICE, 3, 10]
    )
    reason = decode_revert(execution_failed(2, inner))
    assert reason.kind is RevertKind.CUSTOM
    assert reason.name == "ExecutionFailed"
    assert reason.inner is not None
    assert reason.inner.name == "ERC20InsufficientAllowance"
    assert reason.explanation == "insufficient_allowance"
    assert dict(reason.numbers) == {"allowance": 3, "needed": 10, "missing": 7, "command_index": 2}
    assert reason.display() == (
        "ExecutionFailed(commandIndex=2, message="
        "ERC20InsufficientAllowance(spender=0xAb58…eC9B, allowance=3, needed=10))"
    )
    doc = reason.to_json()
    assert doc["inner"]["name"] == "ERC20InsufficientAllowance"
    assert doc["args"][1] == {"name": "message", "type": "bytes", "value": "0x" + inner.hex()}
    check_invariants(reason)


@pytest.mark.parametrize(
    ("inner", "key", "message", "panic_code", "shown"),
    [
        (error_string("Too little received"), "slippage", "Too little received", None, 'Error("Too little received")'),
        (panic(0x11), "arithmetic_overflow", "arithmetic overflow or underflow", 0x11, "Panic(0x11: "),
        (err("V3TooLittleReceived()"), "slippage", None, None, "V3TooLittleReceived()"),
        (b"", None, None, None, "reverted without a reason"),
        (bytes.fromhex("deadbeef"), None, None, None, "unknown error 0xdeadbeef (+0 bytes)"),
        (b"\x01", None, None, None, "malformed revert data 0x01 (1 byte"),
    ],
)
def test_execution_failed_inner_kinds(
    inner: bytes, key: str | None, message: str | None, panic_code: int | None, shown: str
) -> None:
    """Whatever the wrapped command reverted with is decoded and surfaced on the wrapper."""
    reason = decode_revert(execution_failed(0, inner))
    assert reason.kind is RevertKind.CUSTOM
    assert reason.inner is not None
    assert (reason.explanation, reason.message, reason.panic_code) == (key, message, panic_code)
    assert reason.numbers["command_index"] == 0
    assert f"message={shown}" in reason.display()
    check_invariants(reason)


def test_nesting_depth_is_bounded() -> None:
    """Wrappers nested deeper than MAX_NESTING stop decoding instead of recursing without end."""
    data = err("V2TooLittleReceived()")
    for i in range(MAX_NESTING + 3):
        data = execution_failed(i, data)
    reason = decode_revert(data)
    depth = 0
    node: RevertReason | None = reason
    while node is not None and node.inner is not None:
        depth += 1
        node = node.inner
    assert depth == MAX_NESTING
    assert node is not None
    assert node.name == "ExecutionFailed"
    assert node.explanation is None
    check_invariants(reason)


def test_wrapped_error_erc7751() -> None:
    """ERC-7751 WrappedError decodes the wrapped reason like ExecutionFailed does."""
    inner = err("EnforcedPause()")
    data = err(
        "WrappedError(address,bytes4,bytes,bytes)",
        ["address", "bytes4", "bytes", "bytes"],
        [BOB, bytes.fromhex("a9059cbb"), inner, b""],
    )
    reason = decode_revert(data)
    assert reason.name == "WrappedError"
    assert reason.explanation == "paused"
    assert (
        reason.display() == "WrappedError(target=0xB0B0…B0B0, selector=0xa9059cbb, reason=EnforcedPause(), details=0x)"
    )
    check_invariants(reason)


# --- UNKNOWN and MALFORMED ------------------------------------------------------


def test_unknown_selector() -> None:
    """A selector not in the table is UNKNOWN, shown raw with its argument byte count."""
    reason = decode_revert(bytes.fromhex("deadbeef") + b"\x00" * 64)
    assert reason.kind is RevertKind.UNKNOWN
    assert reason.selector == "0xdeadbeef"
    assert reason.name is None
    assert reason.explanation is None
    assert reason.display() == "unknown error 0xdeadbeef (+64 bytes)"
    assert reason.raw == "0xdeadbeef" + "00" * 64
    check_invariants(reason)


TRUNCATED_BALANCE = err("ERC20InsufficientBalance(address,uint256,uint256)", ["address"], [ALICE])
DIRTY_ADDRESS = err("OwnableUnauthorizedAccount(address)", ["uint256"], [2**200])
BAD_OFFSET = bytes.fromhex(ERROR_SELECTOR[2:]) + encode(["uint256", "uint256"], [2**255, 5])
HUGE_LENGTH = bytes.fromhex(ERROR_SELECTOR[2:]) + encode(["uint256", "uint256"], [32, 2**256 - 1])


@pytest.mark.parametrize(
    ("data", "selector", "shown"),
    [
        (b"\x08", None, "malformed revert data 0x08 (1 byte, shorter than a 4-byte selector)"),
        ("0x08c379", None, "malformed revert data 0x08c379 (3 bytes, shorter than a 4-byte selector)"),
        ("0x123", None, "malformed revert data (not valid hex)"),
        ("0xzz", None, "malformed revert data (not valid hex)"),
        ("08c3 79a0", None, "malformed revert data (not valid hex)"),
        (bytes.fromhex(ERROR_SELECTOR[2:]), ERROR_SELECTOR, "is Error(string) but its arguments (0 bytes)"),
        (panic(0x11)[:20], PANIC_SELECTOR, "is Panic(uint256) but its arguments (16 bytes)"),
        (BAD_OFFSET, ERROR_SELECTOR, "is Error(string)"),
        (HUGE_LENGTH, ERROR_SELECTOR, "is Error(string)"),
        (TRUNCATED_BALANCE, "0xe450d38c", "is ERC20InsufficientBalance(address,uint256,uint256)"),
        (DIRTY_ADDRESS, "0x118cdaa7", "is OwnableUnauthorizedAccount(address)"),
    ],
)
def test_malformed(data: bytes | str, selector: str | None, shown: str) -> None:
    """Too short, not hex, or a known selector whose arguments do not decode: MALFORMED, never an exception."""
    reason = decode_revert(data)
    assert reason.kind is RevertKind.MALFORMED
    assert reason.selector == selector
    assert reason.explanation is None
    assert shown in reason.display()
    check_invariants(reason)


@pytest.mark.parametrize("spelling", [str.lower, str.upper, lambda h: h[2:], lambda h: f"  {h}\n"])
def test_hex_text_matches_bytes(spelling: Any) -> None:
    """Hex text, with or without 0x and in either case, decodes as the same bytes do."""
    data = err("ERC20InsufficientBalance(address,uint256,uint256)", ["address", "uint256", "uint256"], [ALICE, 1, 2])
    text = spelling("0x" + data.hex())
    assert decode_revert(text) == decode_revert(data)


def test_custom_table_passed_in() -> None:
    """Callers can add a contract's own errors; declarations are canonicalised (uint -> uint256)."""
    spec = ErrorSpec.from_declaration("NothingToClaim(address who, uint when)", "nothing_to_claim")
    assert spec.signature == "NothingToClaim(address,uint256)"
    data = err("NothingToClaim(address,uint256)", ["address", "uint256"], [ALICE, 3])
    assert decode_revert(data).kind is RevertKind.UNKNOWN
    reason = decode_revert(data, errors={**KNOWN_ERRORS, spec.selector: spec})
    assert reason.kind is RevertKind.CUSTOM
    assert reason.explanation == "nothing_to_claim"
    assert reason.display() == "NothingToClaim(who=0xAb58…eC9B, when=3)"


@pytest.mark.parametrize(
    "declaration",
    ["NoParens", "Bad(uint7 x)", "Bad((uint256,address) s)", "Bad(mapping x)"],
)
def test_from_declaration_rejects_what_it_cannot_decode(declaration: str) -> None:
    """A declaration that is not a flat error signature is refused up front."""
    with pytest.raises(ValueError, match=r"declaration|type"):
        ErrorSpec.from_declaration(declaration)


def test_from_declaration_wraps_must_be_bytes() -> None:
    """Only a bytes parameter can hold nested revert data."""
    with pytest.raises(ValueError, match="must be bytes"):
        ErrorSpec.from_declaration("Wrap(uint256 inner)", wraps="inner")


# --- the project's test contracts -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind", "key"),
    [
        (error_string("Stardust: nothing to claim"), RevertKind.ERROR_STRING, None),
        (error_string("Blacklistable: account is blacklisted"), RevertKind.ERROR_STRING, "blacklisted"),
        (
            err("InsufficientFunds(address,uint256,uint256)", ["address", "uint256", "uint256"], [ALICE, 0, 7]),
            RevertKind.CUSTOM,
            "insufficient_balance",
        ),
        (err("EnforcedPause()"), RevertKind.CUSTOM, "paused"),
        (b"", RevertKind.EMPTY, None),
        *((panic(code), RevertKind.PANIC, key) for code, key, _ in PANICS if code not in (0x00, 0x22)),
    ],
)
def test_failures_contract_reasons(data: bytes, kind: RevertKind, key: str | None) -> None:
    """Every revert the Failures and Stardust contracts produce decodes to its kind and key."""
    reason = decode_revert(data)
    assert (reason.kind, reason.explanation) == (kind, key)


# --- fuzzing ----------------------------------------------------------------------

SELECTORS = sorted([*KNOWN_ERRORS, ERROR_SELECTOR, PANIC_SELECTOR])


@given(st.binary(max_size=600))
def test_fuzz_any_bytes(data: bytes) -> None:
    """Arbitrary bytes never raise and always give a reason with a one-line display."""
    check_invariants(decode_revert(data))


@given(st.sampled_from(SELECTORS), st.binary(max_size=400))
@settings(max_examples=500)
def test_fuzz_bytes_after_known_selector(selector: str, tail: bytes) -> None:
    """Garbage after every known selector decodes or is MALFORMED, keeping the selector."""
    reason = decode_revert(bytes.fromhex(selector[2:]) + tail)
    check_invariants(reason)
    assert reason.selector == selector
    assert reason.kind in (RevertKind.ERROR_STRING, RevertKind.PANIC, RevertKind.CUSTOM, RevertKind.MALFORMED)


@given(st.sampled_from(SELECTORS), st.lists(st.integers(0, 2**256 - 1), max_size=8))
@settings(max_examples=500)
def test_fuzz_words_after_known_selector(selector: str, words: list[int]) -> None:
    """Whole 32-byte words (offsets and lengths of every size) after a known selector never raise."""
    data = bytes.fromhex(selector[2:]) + b"".join(w.to_bytes(32, "big") for w in words)
    check_invariants(decode_revert(data))


@given(st.text(max_size=300))
def test_fuzz_any_text(text: str) -> None:
    """Arbitrary text given as hex input never raises."""
    check_invariants(decode_revert(text))


@given(st.text(max_size=300))
def test_fuzz_error_string_round_trip(text: str) -> None:
    """Error(string) returns any text sanitised, the same from bytes and hex, with the raw bytes kept."""
    data = error_string(text)
    for given_as in (data, "0x" + data.hex()):
        reason = decode_revert(given_as)
        assert reason.kind is RevertKind.ERROR_STRING
        assert reason.message == untrusted.reason(text)
        assert reason.args[0].value == untrusted.reason(text)
        assert reason.raw == "0x" + data.hex()
        check_invariants(reason)
    assert explain_message(untrusted.reason(text)) == decode_revert(data).explanation


@given(st.integers(0, 2**256 - 1))
def test_fuzz_panic_round_trip(code: int) -> None:
    """Panic(uint256) returns any code, with a key for every one."""
    reason = decode_revert(panic(code))
    assert reason.panic_code == code
    assert reason.explanation is not None
    check_invariants(reason)


def _value_for(abi_type: str) -> st.SearchStrategy[Any]:
    """Well-formed values of one ABI type, as eth_abi encodes them."""
    if abi_type == "address":
        return st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
    if abi_type == "bool":
        return st.booleans()
    if abi_type == "bytes":
        return st.binary(max_size=200)
    if abi_type == "string":
        return st.text(max_size=50)
    if abi_type.startswith("bytes"):
        size = int(abi_type[5:])
        return st.binary(min_size=size, max_size=size)
    if abi_type.startswith("uint"):
        return st.integers(0, 2 ** int(abi_type[4:]) - 1)
    bits = int(abi_type[3:])
    return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


@given(st.data())
@settings(max_examples=500)
def test_fuzz_well_formed_table_errors(data: st.DataObject) -> None:
    """Any well-formed arguments for any table error decode as that error with those values."""
    spec = data.draw(st.sampled_from([KNOWN_ERRORS[s] for s in sorted(KNOWN_ERRORS)]))
    types = [t for t, _ in spec.params]
    values = [data.draw(_value_for(t)) for t in types]
    reason = decode_revert(bytes.fromhex(spec.selector[2:]) + encode(types, values))
    assert reason.kind is RevertKind.CUSTOM
    assert reason.name == spec.name
    for arg, t, v in zip(reason.args, types, values, strict=True):
        if t == "address":
            assert arg.value == to_checksum_address(v)
        elif t.startswith("bytes"):
            assert arg.value == "0x" + v.hex()
        else:
            assert arg.value == v
    check_invariants(reason)
