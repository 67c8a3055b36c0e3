"""Revert data -> a reason people can act on.

A reverted call returns bytes. Their first four bytes (the selector) say what
kind of error it is; the rest are its ABI-encoded arguments:

    (nothing)               EMPTY         ``revert()`` / ``require(cond)`` without a message
    0x08c379a0 + string     ERROR_STRING  ``require(cond, "text")`` / ``revert("text")``
    0x4e487b71 + uint256    PANIC         the compiler's own checks (overflow, bad index, ...)
    a selector we know      CUSTOM        ``revert SomeError(args)`` from the bundled table
    any other selector      UNKNOWN       a custom error we have no signature for
    bytes we cannot read    MALFORMED     too short, not hex, or arguments that do not decode

Each reason carries a stable ``explanation`` key (``"slippage"``,
``"insufficient_balance"`` ...) for the guidance catalogs and the ``numbers``
they may quote; the wording lives in the catalogs, not here.

Everything here is pure: no I/O, and :func:`decode_revert` never raises on
outside data, whatever its bytes. The table of well-known errors is plain Python
data so that importing the module reads no files; selectors are computed from
the signatures with keccak at import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeAlias

from txdiag.checksum import selector, to_checksum_address
from txdiag.text import reason as clean_reason

__all__ = [
    "ERROR_SELECTOR",
    "KNOWN_ERRORS",
    "MAX_NESTING",
    "PANIC_CODES",
    "PANIC_SELECTOR",
    "ArgValue",
    "DecodedArg",
    "ErrorSpec",
    "Explanation",
    "RevertKind",
    "RevertReason",
    "decode_revert",
    "explain_message",
]

ArgValue: TypeAlias = str | int | bool | list["ArgValue"]
"""A decoded argument, JSON-ready: checksummed address or 0x hex bytes as str, ints as int."""

Args: TypeAlias = Mapping[str, ArgValue]

ERROR_SELECTOR = "0x08c379a0"  # Error(string)
PANIC_SELECTOR = "0x4e487b71"  # Panic(uint256)

MAX_NESTING = 4
"""How deep wrapped revert data (ExecutionFailed, WrappedError) is decoded.

Each level costs the attacker only ~100 bytes, so without a bound a crafted
blob could nest thousands of levels deep."""

_ZERO_ADDRESS = "0x" + "00" * 20
_DISPLAY_TEXT_LIMIT = 160
_DISPLAY_LIST_LIMIT = 4


class RevertKind(StrEnum):
    """What shape the revert data has."""

    EMPTY = "empty"
    ERROR_STRING = "error_string"
    PANIC = "panic"
    CUSTOM = "custom"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"


class Explanation(StrEnum):
    """Stable keys for plain-language guidance. Extend, never rename: catalogs match on them."""

    # funds and approvals
    INSUFFICIENT_BALANCE = "insufficient_balance"
    INSUFFICIENT_ALLOWANCE = "insufficient_allowance"
    DECREASED_ALLOWANCE_BELOW_ZERO = "decreased_allowance_below_zero"
    NOT_APPROVED = "not_approved"
    # swaps
    SLIPPAGE = "slippage"
    INSUFFICIENT_LIQUIDITY = "insufficient_liquidity"
    DEADLINE_EXPIRED = "deadline_expired"
    # signatures and permits
    SIGNATURE_EXPIRED = "signature_expired"
    ALLOWANCE_EXPIRED = "allowance_expired"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_NONCE = "invalid_nonce"
    # token and contract state
    PAUSED = "paused"
    NOT_PAUSED = "not_paused"
    BLACKLISTED = "blacklisted"
    TRADING_DISABLED = "trading_disabled"
    EXCEEDS_LIMIT = "exceeds_limit"
    UNAUTHORIZED = "unauthorized"
    REENTRANT_CALL = "reentrant_call"
    # parties to a transfer
    TRANSFER_TO_ZERO_ADDRESS = "transfer_to_zero_address"
    INVALID_SENDER = "invalid_sender"
    INVALID_RECEIVER = "invalid_receiver"
    INVALID_APPROVER = "invalid_approver"
    INVALID_SPENDER = "invalid_spender"
    INVALID_OPERATOR = "invalid_operator"
    INVALID_OWNER = "invalid_owner"
    NOT_TOKEN_OWNER = "not_token_owner"  # noqa: S105 -- "token" here is an NFT, not a secret
    NONEXISTENT_TOKEN = "nonexistent_token"  # noqa: S105
    INVALID_ARRAY_LENGTH = "invalid_array_length"
    # calls the contract made
    TRANSFER_FAILED = "transfer_failed"
    INNER_CALL_FAILED = "inner_call_failed"
    CALL_TO_NON_CONTRACT = "call_to_non_contract"
    # compiler panics
    PANIC_GENERIC = "panic_generic"
    ASSERTION_FAILED = "assertion_failed"
    ARITHMETIC_OVERFLOW = "arithmetic_overflow"
    DIVISION_BY_ZERO = "division_by_zero"
    INVALID_ENUM_VALUE = "invalid_enum_value"
    CORRUPT_STORAGE_ARRAY = "corrupt_storage_array"
    EMPTY_ARRAY_POP = "empty_array_pop"
    ARRAY_OUT_OF_BOUNDS = "array_out_of_bounds"
    OUT_OF_MEMORY = "out_of_memory"
    UNINITIALIZED_FUNCTION = "uninitialized_function"
    PANIC_UNKNOWN = "panic_unknown"


E = Explanation

PANIC_CODES: Mapping[int, tuple[Explanation, str]] = MappingProxyType(
    {
        0x00: (E.PANIC_GENERIC, "generic compiler panic"),
        0x01: (E.ASSERTION_FAILED, "assertion failed"),
        0x11: (E.ARITHMETIC_OVERFLOW, "arithmetic overflow or underflow"),
        0x12: (E.DIVISION_BY_ZERO, "division or modulo by zero"),
        0x21: (E.INVALID_ENUM_VALUE, "conversion to an invalid enum value"),
        0x22: (E.CORRUPT_STORAGE_ARRAY, "incorrectly encoded storage byte array"),
        0x31: (E.EMPTY_ARRAY_POP, "pop() on an empty array"),
        0x32: (E.ARRAY_OUT_OF_BOUNDS, "array index out of bounds"),
        0x41: (E.OUT_OF_MEMORY, "too much memory allocated, or an array too large"),
        0x51: (E.UNINITIALIZED_FUNCTION, "call to a zero-initialised internal function"),
    }
)
"""Every panic code Solidity defines: its explanation key and an English phrase."""


@dataclass(frozen=True, slots=True)
class DecodedArg:
    """One argument of a decoded error, JSON-ready."""

    name: str
    type: str
    value: ArgValue

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "value": self.value}


@dataclass(frozen=True, slots=True)
class RevertReason:
    """Why a call reverted, as far as its revert data tells.

    For a wrapper error that carries another revert inside it (the universal
    router's ``ExecutionFailed``, ERC-7751 ``WrappedError``), ``inner`` holds the
    decoded inner reason, and ``message``, ``panic_code`` and ``explanation``
    are the innermost ones (``numbers`` merges both levels): that is what the
    guidance should talk about.
    """

    kind: RevertKind
    selector: str | None = None
    name: str | None = None
    signature: str | None = None
    args: tuple[DecodedArg, ...] = ()
    message: str | None = None
    panic_code: int | None = None
    explanation: str | None = None
    numbers: Mapping[str, int] = field(default_factory=dict)
    raw: str = "0x"  # for text that is not valid hex: the text as given
    inner: RevertReason | None = None

    def display(self) -> str:
        """One line for people: ``Error("...")``, ``Panic(0x11: ...)``, ``Name(arg=value, ...)``."""
        if self.kind is RevertKind.EMPTY:
            return "reverted without a reason"
        if self.kind is RevertKind.ERROR_STRING:
            return f"Error({_quote(self.message or '')})"
        if self.kind is RevertKind.PANIC:
            code = self.panic_code if self.panic_code is not None else 0
            return f"Panic({_hex_code(code)}: {self.message})"
        if self.kind is RevertKind.CUSTOM:
            shown = ", ".join(f"{a.name}={self._show_arg(a)}" for a in self.args)
            return f"{self.name}({shown})"
        if self.kind is RevertKind.UNKNOWN:
            return f"unknown error {self.selector} (+{_count_bytes(self._arg_bytes())})"
        return self._display_malformed()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields, ``display`` included; ``inner`` nests the same shape."""
        return {
            "kind": self.kind.value,
            "selector": self.selector,
            "name": self.name,
            "signature": self.signature,
            "args": [a.to_json() for a in self.args],
            "message": self.message,
            "panic_code": self.panic_code,
            "explanation": None if self.explanation is None else str(self.explanation),
            "numbers": dict(self.numbers),
            "display": self.display(),
            "raw": self.raw,
            "inner": None if self.inner is None else self.inner.to_json(),
        }

    def _show_arg(self, arg: DecodedArg) -> str:
        if self.inner is not None and arg.type == "bytes" and self.inner.raw == arg.value:
            return self.inner.display()
        return _show(arg.type, arg.value)

    def _arg_bytes(self) -> int:
        return max(0, (len(self.raw) - 2) // 2 - 4)

    def _display_malformed(self) -> str:
        if not _is_hex(self.raw):
            return "malformed revert data (not valid hex)"
        if self.selector is None:
            size = (len(self.raw) - 2) // 2
            return f"malformed revert data {self.raw} ({_count_bytes(size)}, shorter than a 4-byte selector)"
        return (
            f"malformed revert data: selector {self.selector} is {self.signature}"
            f" but its arguments ({_count_bytes(self._arg_bytes())}) do not decode"
        )


# --- the table of well-known custom errors ------------------------------------

Explainer: TypeAlias = Callable[[Args], str | None]
Numberer: TypeAlias = Callable[[Args], dict[str, int]]

_DECLARATION = re.compile(r"\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*\((.*)\)\s*")
_TYPE = re.compile(r"(address|bool|string|bytes(?:[1-9]|[12][0-9]|3[0-2])?|u?int(?:[1-9][0-9]{0,2})?)((?:\[[0-9]*\])*)")


def _no_numbers(_args: Args) -> dict[str, int]:
    return {}


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """A custom error we can decode: its parameters, and what it means for the user."""

    name: str
    params: tuple[tuple[str, str], ...]  # (type, name), types canonical
    explain: Explainer
    numbers: Numberer = _no_numbers
    wraps: str | None = None  # a ``bytes`` parameter holding revert data of its own

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(t for t, _ in self.params)})"

    @property
    def selector(self) -> str:
        return "0x" + selector(self.signature).hex()

    @classmethod
    def from_declaration(
        cls,
        declaration: str,
        explanation: str | Explainer | None = None,
        numbers: Numberer = _no_numbers,
        wraps: str | None = None,
    ) -> ErrorSpec:
        """Build from Solidity's ``Name(type name, ...)``; raises ValueError on a bad declaration.

        Tuple (struct) parameters are not supported; no well-known error needs them.
        """
        match = _DECLARATION.fullmatch(declaration)
        if match is None:
            raise ValueError(f"not an error declaration: {declaration!r}")
        name, body = match.groups()
        params: list[tuple[str, str]] = []
        for i, part in enumerate(p.strip() for p in body.split(",") if body.strip()):
            type_text, _, param_name = part.partition(" ")
            type_match = _TYPE.fullmatch(type_text)
            if type_match is None:
                raise ValueError(f"unsupported parameter type {type_text!r} in {declaration!r}")
            base, dims = type_match.groups()
            if base in ("uint", "int"):
                base += "256"
            size = re.fullmatch(r"u?int(\d+)", base)
            if size is not None and (int(size[1]) % 8 or not 8 <= int(size[1]) <= 256):
                raise ValueError(f"unsupported parameter type {type_text!r} in {declaration!r}")
            params.append((base + dims, param_name.strip() or f"arg{i}"))
        if wraps is not None and (wraps_type := {n: t for t, n in params}.get(wraps)) != "bytes":
            raise ValueError(f"{declaration!r}: wrapped parameter {wraps!r} must be bytes, not {wraps_type}")
        explain = _always(explanation) if explanation is None or isinstance(explanation, str) else explanation
        return cls(name, tuple(params), explain, numbers, wraps)


def _always(key: str | None) -> Explainer:
    def explain(_args: Args) -> str | None:
        return key

    return explain


def _zero_address_or(param: str, otherwise: str) -> Explainer:
    """A receiver error means "sent to the zero address" when the receiver is zero."""

    def explain(args: Args) -> str | None:
        return E.TRANSFER_TO_ZERO_ADDRESS if args.get(param) == _ZERO_ADDRESS else otherwise

    return explain


def _int_arg(args: Args, name: str) -> int | None:
    value = args.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _shortfall(have_key: str, have: str, need_key: str, need: str, gap_key: str = "missing") -> Numberer:
    """What there was, what was needed, and the gap between them (never negative)."""

    def numbers(args: Args) -> dict[str, int]:
        got, wanted = _int_arg(args, have), _int_arg(args, need)
        out = {k: v for k, v in ((have_key, got), (need_key, wanted)) if v is not None}
        if got is not None and wanted is not None:
            out[gap_key] = max(0, wanted - got)
        return out

    return numbers


def _excess(limit_key: str, limit: str, asked_key: str, asked: str, gap_key: str = "excess") -> Numberer:
    """A limit, what was asked for, and by how much it was exceeded (never negative)."""
    return _shortfall(limit_key, limit, asked_key, asked, gap_key)


def _pick(renamed: Mapping[str, str]) -> Numberer:
    """Quote integer parameters under guidance-friendly names: ``_pick({"token_id": "tokenId"})``."""

    def numbers(args: Args) -> dict[str, int]:
        return {key: v for key, param in renamed.items() if (v := _int_arg(args, param)) is not None}

    return numbers


_BALANCE = _shortfall("balance", "balance", "needed", "needed")
_ALLOWANCE = _shortfall("allowance", "allowance", "needed", "needed")
_S = ErrorSpec.from_declaration

_TABLE: tuple[ErrorSpec, ...] = (
    # OpenZeppelin 5: ERC-20 (IERC20Errors)
    _S("ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)", E.INSUFFICIENT_BALANCE, _BALANCE),
    _S("ERC20InvalidSender(address sender)", E.INVALID_SENDER),
    _S("ERC20InvalidReceiver(address receiver)", _zero_address_or("receiver", E.INVALID_RECEIVER)),
    _S(
        "ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
        E.INSUFFICIENT_ALLOWANCE,
        _ALLOWANCE,
    ),
    _S("ERC20InvalidApprover(address approver)", E.INVALID_APPROVER),
    _S("ERC20InvalidSpender(address spender)", E.INVALID_SPENDER),
    _S(
        "ERC20ExceededCap(uint256 increasedSupply, uint256 cap)",
        E.EXCEEDS_LIMIT,
        _excess("limit", "cap", "requested", "increasedSupply"),
    ),
    # OpenZeppelin 5: ERC-721 (IERC721Errors)
    _S("ERC721InvalidOwner(address owner)", E.INVALID_OWNER),
    _S("ERC721NonexistentToken(uint256 tokenId)", E.NONEXISTENT_TOKEN, _pick({"token_id": "tokenId"})),
    _S(
        "ERC721IncorrectOwner(address sender, uint256 tokenId, address owner)",
        E.NOT_TOKEN_OWNER,
        _pick({"token_id": "tokenId"}),
    ),
    _S("ERC721InvalidSender(address sender)", E.INVALID_SENDER),
    _S("ERC721InvalidReceiver(address receiver)", _zero_address_or("receiver", E.INVALID_RECEIVER)),
    _S("ERC721InsufficientApproval(address operator, uint256 tokenId)", E.NOT_APPROVED, _pick({"token_id": "tokenId"})),
    _S("ERC721InvalidApprover(address approver)", E.INVALID_APPROVER),
    _S("ERC721InvalidOperator(address operator)", E.INVALID_OPERATOR),
    # OpenZeppelin 5: ERC-1155 (IERC1155Errors)
    _S(
        "ERC1155InsufficientBalance(address sender, uint256 balance, uint256 needed, uint256 tokenId)",
        E.INSUFFICIENT_BALANCE,
        lambda a: {**_BALANCE(a), **_pick({"token_id": "tokenId"})(a)},
    ),
    _S("ERC1155InvalidSender(address sender)", E.INVALID_SENDER),
    _S("ERC1155InvalidReceiver(address receiver)", _zero_address_or("receiver", E.INVALID_RECEIVER)),
    _S("ERC1155MissingApprovalForAll(address operator, address owner)", E.NOT_APPROVED),
    _S("ERC1155InvalidApprover(address approver)", E.INVALID_APPROVER),
    _S("ERC1155InvalidOperator(address operator)", E.INVALID_OPERATOR),
    _S(
        "ERC1155InvalidArrayLength(uint256 idsLength, uint256 valuesLength)",
        E.INVALID_ARRAY_LENGTH,
        _pick({"ids_length": "idsLength", "values_length": "valuesLength"}),
    ),
    # OpenZeppelin 5: ERC-4626 vault limits
    _S(
        "ERC4626ExceededMaxDeposit(address receiver, uint256 assets, uint256 max)",
        E.EXCEEDS_LIMIT,
        _excess("limit", "max", "requested", "assets"),
    ),
    _S(
        "ERC4626ExceededMaxMint(address receiver, uint256 shares, uint256 max)",
        E.EXCEEDS_LIMIT,
        _excess("limit", "max", "requested", "shares"),
    ),
    _S(
        "ERC4626ExceededMaxWithdraw(address owner, uint256 assets, uint256 max)",
        E.EXCEEDS_LIMIT,
        _excess("limit", "max", "requested", "assets"),
    ),
    _S(
        "ERC4626ExceededMaxRedeem(address owner, uint256 shares, uint256 max)",
        E.EXCEEDS_LIMIT,
        _excess("limit", "max", "requested", "shares"),
    ),
    # OpenZeppelin 5: SafeERC20
    _S("SafeERC20FailedOperation(address token)", E.TRANSFER_FAILED),
    _S(
        "SafeERC20FailedDecreaseAllowance(address spender, uint256 currentAllowance, uint256 requestedDecrease)",
        E.DECREASED_ALLOWANCE_BELOW_ZERO,
        _shortfall("allowance", "currentAllowance", "needed", "requestedDecrease"),
    ),
    # OpenZeppelin 5: access, security
    _S("OwnableUnauthorizedAccount(address account)", E.UNAUTHORIZED),
    _S("OwnableInvalidOwner(address owner)", E.INVALID_OWNER),
    _S("EnforcedPause()", E.PAUSED),
    _S("ExpectedPause()", E.NOT_PAUSED),
    _S("AccessControlUnauthorizedAccount(address account, bytes32 neededRole)", E.UNAUTHORIZED),
    _S("AccessControlBadConfirmation()", E.UNAUTHORIZED),
    _S("ReentrancyGuardReentrantCall()", E.REENTRANT_CALL),
    # OpenZeppelin 5: Address / Errors / math / signatures
    _S("AddressEmptyCode(address target)", E.CALL_TO_NON_CONTRACT),
    _S("AddressInsufficientBalance(address account)", E.INSUFFICIENT_BALANCE),
    _S("FailedInnerCall()", E.INNER_CALL_FAILED),
    _S("FailedCall()", E.INNER_CALL_FAILED),
    _S("InsufficientBalance(uint256 balance, uint256 needed)", E.INSUFFICIENT_BALANCE, _BALANCE),
    _S("MathOverflowedMulDiv()", E.ARITHMETIC_OVERFLOW),
    _S("SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)", E.ARITHMETIC_OVERFLOW),
    _S("SafeCastOverflowedIntDowncast(uint8 bits, int256 value)", E.ARITHMETIC_OVERFLOW),
    _S("SafeCastOverflowedIntToUint(int256 value)", E.ARITHMETIC_OVERFLOW),
    _S("SafeCastOverflowedUintToInt(uint256 value)", E.ARITHMETIC_OVERFLOW),
    _S("ERC2612ExpiredSignature(uint256 deadline)", E.SIGNATURE_EXPIRED, _pick({"deadline": "deadline"})),
    _S("ERC2612InvalidSigner(address signer, address owner)", E.INVALID_SIGNATURE),
    _S(
        "InvalidAccountNonce(address account, uint256 currentNonce)",
        E.INVALID_NONCE,
        _pick({"current_nonce": "currentNonce"}),
    ),
    _S("ECDSAInvalidSignature()", E.INVALID_SIGNATURE),
    _S("ECDSAInvalidSignatureLength(uint256 length)", E.INVALID_SIGNATURE),
    _S("ECDSAInvalidSignatureS(bytes32 s)", E.INVALID_SIGNATURE),
    # Uniswap universal router; its Payments guards amountMinimum with the last two
    _S("V3TooLittleReceived()", E.SLIPPAGE),
    _S("V3TooMuchRequested()", E.SLIPPAGE),
    _S("V2TooLittleReceived()", E.SLIPPAGE),
    _S("V2TooMuchRequested()", E.SLIPPAGE),
    _S("TransactionDeadlinePassed()", E.DEADLINE_EXPIRED),
    _S("InsufficientETH()", E.SLIPPAGE),
    _S("InsufficientToken()", E.SLIPPAGE),
    _S("ContractLocked()", E.REENTRANT_CALL),
    _S(
        "ExecutionFailed(uint256 commandIndex, bytes message)",
        None,
        _pick({"command_index": "commandIndex"}),
        "message",
    ),
    # Uniswap v4 router and core
    _S(
        "V4TooLittleReceived(uint256 minAmountOutReceived, uint256 amountReceived)",
        E.SLIPPAGE,
        _shortfall("received", "amountReceived", "minimum", "minAmountOutReceived"),
    ),
    _S(
        "V4TooMuchRequested(uint256 maxAmountInRequested, uint256 amountRequested)",
        E.SLIPPAGE,
        _excess("maximum", "maxAmountInRequested", "requested", "amountRequested"),
    ),
    _S("WrappedError(address target, bytes4 selector, bytes reason, bytes details)", None, wraps="reason"),
    # Permit2
    _S("SignatureExpired(uint256 signatureDeadline)", E.SIGNATURE_EXPIRED, _pick({"deadline": "signatureDeadline"})),
    _S("InvalidNonce()", E.INVALID_NONCE),
    _S("AllowanceExpired(uint256 deadline)", E.ALLOWANCE_EXPIRED, _pick({"deadline": "deadline"})),
    _S("InsufficientAllowance(uint256 amount)", E.INSUFFICIENT_ALLOWANCE, _pick({"allowance": "amount"})),
    _S("InvalidAmount(uint256 maxAmount)", E.EXCEEDS_LIMIT, _pick({"limit": "maxAmount"})),
    _S("ExcessiveInvalidation()", E.INVALID_NONCE),
    _S("LengthMismatch()", E.INVALID_ARRAY_LENGTH),
    _S("InvalidSignature()", E.INVALID_SIGNATURE),
    _S("InvalidSigner()", E.INVALID_SIGNATURE),
    _S("InvalidSignatureLength()", E.INVALID_SIGNATURE),
    _S("InvalidContractSignature()", E.INVALID_SIGNATURE),
    # Solady tokens, SafeTransferLib, Ownable, ReentrancyGuard
    _S("InsufficientBalance()", E.INSUFFICIENT_BALANCE),
    _S("InsufficientAllowance()", E.INSUFFICIENT_ALLOWANCE),
    _S("PermitExpired()", E.SIGNATURE_EXPIRED),
    _S("InvalidPermit()", E.INVALID_SIGNATURE),
    _S("TotalSupplyOverflow()", E.ARITHMETIC_OVERFLOW),
    _S("TransferFailed()", E.TRANSFER_FAILED),
    _S("TransferFromFailed()", E.TRANSFER_FAILED),
    _S("ETHTransferFailed()", E.TRANSFER_FAILED),
    _S("Unauthorized()", E.UNAUTHORIZED),
    _S("Reentrancy()", E.REENTRANT_CALL),
    # the project's own test contract
    _S(
        "InsufficientFunds(address account, uint256 available, uint256 required)",
        E.INSUFFICIENT_BALANCE,
        _shortfall("balance", "available", "needed", "required"),
    ),
)


def _index(specs: tuple[ErrorSpec, ...]) -> Mapping[str, ErrorSpec]:
    """By selector; two signatures sharing a selector would make one unreachable, so refuse."""
    index: dict[str, ErrorSpec] = {}
    for spec in specs:
        seen = index.setdefault(spec.selector, spec)
        if seen is not spec:
            raise ValueError(f"selector {spec.selector} of {spec.signature} is taken by {seen.signature}")
    return MappingProxyType(index)


KNOWN_ERRORS: Mapping[str, ErrorSpec] = _index(_TABLE)
"""The bundled table, by lower-case ``0x`` selector."""


# --- well-known revert strings ------------------------------------------------

# Matched in order against the normalised text (case-folded, "_" and "-" read as
# spaces), so more specific phrases come before the general ones they contain.
_STRING_RULES: tuple[tuple[str, Explanation], ...] = (
    # approvals and ownership of a token, before the generic "owner" phrases
    ("not token owner or approved", E.NOT_APPROVED),
    ("not owner nor approved", E.NOT_APPROVED),
    ("approve caller is not", E.NOT_APPROVED),
    ("not approved", E.NOT_APPROVED),
    ("transfer from incorrect owner", E.NOT_TOKEN_OWNER),
    ("transfer of token that is not own", E.NOT_TOKEN_OWNER),
    ("invalid token id", E.NONEXISTENT_TOKEN),
    ("nonexistent token", E.NONEXISTENT_TOKEN),
    # allowance before balance: "balance" is the more general word
    ("decreased allowance below zero", E.DECREASED_ALLOWANCE_BELOW_ZERO),
    ("insufficient allowance", E.INSUFFICIENT_ALLOWANCE),
    ("exceeds allowance", E.INSUFFICIENT_ALLOWANCE),
    ("allowance exceeded", E.INSUFFICIENT_ALLOWANCE),
    ("exceeds balance", E.INSUFFICIENT_BALANCE),
    ("insufficient balance", E.INSUFFICIENT_BALANCE),
    ("insufficient funds", E.INSUFFICIENT_BALANCE),
    ("balance too low", E.INSUFFICIENT_BALANCE),
    # swaps
    ("insufficient output amount", E.SLIPPAGE),
    ("excessive input amount", E.SLIPPAGE),
    ("insufficient a amount", E.SLIPPAGE),
    ("insufficient b amount", E.SLIPPAGE),
    ("too little received", E.SLIPPAGE),
    ("too much requested", E.SLIPPAGE),
    ("price slippage check", E.SLIPPAGE),
    ("return amount is not enough", E.SLIPPAGE),
    ("slippage", E.SLIPPAGE),
    ("insufficient liquidity", E.INSUFFICIENT_LIQUIDITY),
    # permits before deadlines: both say "expired"
    ("permit: expired", E.SIGNATURE_EXPIRED),
    ("permit is expired", E.SIGNATURE_EXPIRED),
    ("permit expired", E.SIGNATURE_EXPIRED),
    ("signature expired", E.SIGNATURE_EXPIRED),
    ("expired signature", E.SIGNATURE_EXPIRED),
    ("invalid signature", E.INVALID_SIGNATURE),
    ("invalid nonce", E.INVALID_NONCE),
    ("transaction too old", E.DEADLINE_EXPIRED),
    ("deadline", E.DEADLINE_EXPIRED),
    ("expired", E.DEADLINE_EXPIRED),
    # token state
    ("not paused", E.NOT_PAUSED),
    ("paused", E.PAUSED),
    ("blacklist", E.BLACKLISTED),
    ("blocklist", E.BLACKLISTED),
    ("denylist", E.BLACKLISTED),
    ("account is frozen", E.BLACKLISTED),
    ("address is frozen", E.BLACKLISTED),
    ("trading is not", E.TRADING_DISABLED),
    ("trading not", E.TRADING_DISABLED),
    ("maxtxamount", E.EXCEEDS_LIMIT),
    ("max wallet", E.EXCEEDS_LIMIT),
    ("cap exceeded", E.EXCEEDS_LIMIT),
    # parties to a transfer
    ("approve to the zero address", E.INVALID_SPENDER),
    ("approve from the zero address", E.INVALID_APPROVER),
    ("transfer from the zero address", E.INVALID_SENDER),
    ("to the zero address", E.TRANSFER_TO_ZERO_ADDRESS),
    ("non erc721receiver", E.INVALID_RECEIVER),
    ("non erc1155receiver", E.INVALID_RECEIVER),
    ("erc1155receiver rejected", E.INVALID_RECEIVER),
    # who may call
    ("caller is not the owner", E.UNAUTHORIZED),
    ("not the owner", E.UNAUTHORIZED),
    ("not owner", E.UNAUTHORIZED),
    ("only owner", E.UNAUTHORIZED),
    ("onlyowner", E.UNAUTHORIZED),
    ("is missing role", E.UNAUTHORIZED),
    ("unauthorized", E.UNAUTHORIZED),
    ("unauthorised", E.UNAUTHORIZED),
    ("not authorized", E.UNAUTHORIZED),
    ("not authorised", E.UNAUTHORIZED),
    ("forbidden", E.UNAUTHORIZED),
    ("access denied", E.UNAUTHORIZED),
    ("reentran", E.REENTRANT_CALL),
    # calls the contract made
    ("transfer from failed", E.TRANSFER_FAILED),
    ("transferfrom failed", E.TRANSFER_FAILED),
    ("transfer failed", E.TRANSFER_FAILED),
    ("low level call failed", E.TRANSFER_FAILED),
    ("operation did not succeed", E.TRANSFER_FAILED),
    ("call to non contract", E.CALL_TO_NON_CONTRACT),
    # arithmetic spelled out by SafeMath-era code
    ("division by zero", E.DIVISION_BY_ZERO),
    ("overflow", E.ARITHMETIC_OVERFLOW),
    ("underflow", E.ARITHMETIC_OVERFLOW),
)

# Uniswap V2/V3 terse codes: compared whole and case-sensitive, since as
# substrings they would match ordinary words.
_EXACT_RULES: Mapping[str, Explanation] = MappingProxyType(
    {
        "STF": E.TRANSFER_FAILED,  # TransferHelper.safeTransferFrom
        "ST": E.TRANSFER_FAILED,  # safeTransfer
        "STE": E.TRANSFER_FAILED,  # safeTransferETH
        "TF": E.TRANSFER_FAILED,
        "LOK": E.REENTRANT_CALL,  # V3 pool lock
        "UniswapV2: LOCKED": E.REENTRANT_CALL,
        "UniswapV2: FORBIDDEN": E.UNAUTHORIZED,
    }
)

_SEPARATORS = re.compile(r"[\s_\-]+")
_STRING_PREFIX = re.compile(r"^string")


def explain_message(text: str) -> str | None:
    """The explanation key for a well-known revert string, or None."""
    stripped = text.strip().rstrip("\x00").strip()
    if (exact := _EXACT_RULES.get(stripped)) is not None:
        return exact
    normalised = _SEPARATORS.sub(" ", stripped.casefold())
    for phrase, key in _STRING_RULES:
        if phrase in normalised:
            return key
    return None


# --- decoding -----------------------------------------------------------------


def decode_revert(data: bytes | str | None, *, errors: Mapping[str, ErrorSpec] = KNOWN_ERRORS) -> RevertReason:
    """Decode revert data: ``bytes``, ``0x`` hex text, or None. Never raises on any input.

    ``errors`` maps lower-case ``0x`` selectors to the custom errors to recognise;
    pass a merged mapping to add a contract's own errors to the bundled ones.
    """
    if data is None:
        return RevertReason(RevertKind.EMPTY)
    if isinstance(data, str):
        raw = _parse_hex(data)
        if raw is None:
            return RevertReason(RevertKind.MALFORMED, raw=data)
    else:
        raw = bytes(data)
    return _decode(raw, errors, 0)


def _parse_hex(text: str) -> bytes | None:
    digits = text.strip()
    if digits[:2] in ("0x", "0X"):
        digits = digits[2:]
    if len(digits) % 2 or not _is_hex_digits(digits):
        return None
    return bytes.fromhex(digits)


def _decode(raw: bytes, errors: Mapping[str, ErrorSpec], depth: int) -> RevertReason:
    raw_hex = "0x" + raw.hex()
    if not raw:
        return RevertReason(RevertKind.EMPTY)
    if len(raw) < 4:
        return RevertReason(RevertKind.MALFORMED, raw=raw_hex)
    selector, body = raw_hex[:10], raw[4:]
    if selector == ERROR_SELECTOR:
        return _decode_error_string(selector, body, raw_hex)
    if selector == PANIC_SELECTOR:
        return _decode_panic(selector, body, raw_hex)
    spec = errors.get(selector)
    if spec is None:
        return RevertReason(RevertKind.UNKNOWN, selector=selector, raw=raw_hex)
    return _decode_custom(spec, raw, errors, depth)


def _decode_error_string(selector: str, body: bytes, raw_hex: str) -> RevertReason:
    values = _abi_decode(["bytes"], body)
    if values is None:
        return RevertReason(
            RevertKind.MALFORMED, selector=selector, name="Error", signature="Error(string)", raw=raw_hex
        )
    # Contracts do revert with invalid UTF-8; the text is still worth showing.
    text = clean_reason(bytes(values[0]).decode("utf-8", errors="replace"))
    return RevertReason(
        RevertKind.ERROR_STRING,
        selector=selector,
        name="Error",
        signature="Error(string)",
        args=(DecodedArg("message", "string", text),),
        message=text,
        explanation=explain_message(text),
        raw=raw_hex,
    )


def _decode_panic(selector: str, body: bytes, raw_hex: str) -> RevertReason:
    values = _abi_decode(["uint256"], body)
    if values is None:
        return RevertReason(
            RevertKind.MALFORMED, selector=selector, name="Panic", signature="Panic(uint256)", raw=raw_hex
        )
    code = int(values[0])
    explanation, phrase = PANIC_CODES.get(code, (E.PANIC_UNKNOWN, "unknown panic code"))
    return RevertReason(
        RevertKind.PANIC,
        selector=selector,
        name="Panic",
        signature="Panic(uint256)",
        args=(DecodedArg("code", "uint256", code),),
        message=phrase,
        panic_code=code,
        explanation=explanation,
        raw=raw_hex,
    )


def _decode_custom(spec: ErrorSpec, raw: bytes, errors: Mapping[str, ErrorSpec], depth: int) -> RevertReason:
    raw_hex = "0x" + raw.hex()
    selector, body = raw_hex[:10], raw[4:]
    # Strings are decoded as bytes so that invalid UTF-8 is replaced, not fatal.
    wire_types = [_STRING_PREFIX.sub("bytes", t) for t, _ in spec.params]
    values = _abi_decode(wire_types, body)
    if values is None:
        return RevertReason(
            RevertKind.MALFORMED, selector=selector, name=spec.name, signature=spec.signature, raw=raw_hex
        )
    args = tuple(DecodedArg(name, t, _json_value(t, v)) for (t, name), v in zip(spec.params, values, strict=True))
    by_name = {a.name: a.value for a in args}
    explanation = spec.explain(by_name)
    numbers = spec.numbers(by_name)
    inner: RevertReason | None = None
    message: str | None = None
    panic_code: int | None = None
    wrapped = by_name.get(spec.wraps) if spec.wraps is not None else None
    if isinstance(wrapped, str) and depth < MAX_NESTING:
        inner = _decode(bytes.fromhex(wrapped[2:]), errors, depth + 1)
        explanation = explanation or inner.explanation
        numbers = {**inner.numbers, **numbers}
        message, panic_code = inner.message, inner.panic_code
    return RevertReason(
        RevertKind.CUSTOM,
        selector=selector,
        name=spec.name,
        signature=spec.signature,
        args=args,
        message=message,
        panic_code=panic_code,
        explanation=explanation,
        numbers=numbers,
        raw=raw_hex,
        inner=inner,
    )


def _abi_decode(types: list[str], body: bytes) -> tuple[Any, ...] | None:
    # imported on first use: most diagnoses decode no revert data, and eth_abi is slow to load
    from eth_abi.abi import decode as abi_decode  # noqa: PLC0415

    try:
        return abi_decode(types, body)
    except Exception:  # eth_abi raises many kinds on hostile input; every one means "does not decode"
        return None


def _json_value(abi_type: str, value: Any) -> ArgValue:
    if abi_type.endswith("]"):
        element = abi_type[: abi_type.rindex("[")]
        return [_json_value(element, v) for v in value]
    if abi_type == "address":
        return str(to_checksum_address(value))
    if abi_type == "string":
        return clean_reason(bytes(value).decode("utf-8", errors="replace"))
    if abi_type.startswith("bytes"):
        return "0x" + bytes(value).hex()
    if abi_type == "bool":
        return bool(value)
    return int(value)


# --- display helpers ----------------------------------------------------------


def _show(abi_type: str, value: ArgValue) -> str:
    if isinstance(value, list):
        element = abi_type[: abi_type.rindex("[")] if abi_type.endswith("]") else abi_type
        shown = [_show(element, v) for v in value[:_DISPLAY_LIST_LIMIT]]
        if len(value) > _DISPLAY_LIST_LIMIT:
            shown.append(f"… {len(value) - _DISPLAY_LIST_LIMIT} more")
        return "[" + ", ".join(shown) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if abi_type == "string":
        return _quote(value)
    return _shorten_hex(value)


def _shorten_hex(value: str) -> str:
    """``0xAbCd…1234``: enough to recognise a value, short enough for one line."""
    return value if len(value) <= 14 else f"{value[:6]}…{value[-4:]}"


def _quote(text: str) -> str:
    """A double-quoted, single-line rendering of untrusted text, cut at a readable length."""
    cut = text[:_DISPLAY_TEXT_LIMIT]
    out = []
    for ch in cut:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + ("…" if len(text) > _DISPLAY_TEXT_LIMIT else "") + '"'


def _count_bytes(n: int) -> str:
    return "1 byte" if n == 1 else f"{n} bytes"


def _hex_code(code: int) -> str:
    return f"0x{code:02x}"


_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


def _is_hex_digits(text: str) -> bool:
    return _HEX_DIGITS.fullmatch(text) is not None


def _is_hex(text: str) -> bool:
    return text[:2] == "0x" and len(text) % 2 == 0 and _is_hex_digits(text[2:])
