"""What a transaction addressed, and what its logs moved. Pure: typed values in, typed values out.

A person addresses a payment in calldata: the native value of the
transaction, or the recipient of a token call (``transfer``, ``transferFrom``,
``safeTransferFrom`` and the ERC-1155 batch form). A smart account (a Safe,
an ERC-4337 account, an EIP-7702-delegated account run by a sponsor) carries
the same call inside its own calldata, so token calls are found anywhere in
the input, not only at its start: ABI encoding keeps an inner call's bytes
whole, and a four-byte selector followed by well-formed arguments (an address
word with twelve zero bytes) does not happen by chance.

Transfer logs say what actually moved. A log that no addressed call explains
is the token's own logic (a tax to the token or a treasury, a reflection, a
burn inside a transfer, a burn by ``withdraw``/``burn``/a bridge, a mint),
unless it is a payment a contract made for the payer (a router paying a pool),
which stays a recipient of its own.

Payers are the accounts whose balance went down: the sender, the ``from`` of a
``transferFrom``, and whoever a log shows paying an addressed recipient.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from txdiag.checksum import to_checksum_address
from txdiag.models import LogRow, Logs, ReceiptView, TxView

TRANSFER_TOPIC = bytes.fromhex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
TRANSFER_SINGLE_TOPIC = bytes.fromhex("c3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62")
TRANSFER_BATCH_TOPIC = bytes.fromhex("4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb")

TRANSFER = bytes.fromhex("a9059cbb")  # transfer(address,uint256)
TRANSFER_FROM = bytes.fromhex("23b872dd")  # transferFrom(address,address,uint256)
SAFE_TRANSFER_FROM = bytes.fromhex("42842e0e")  # ERC-721 safeTransferFrom(address,address,uint256)
SAFE_TRANSFER_FROM_DATA = bytes.fromhex("b88d4fde")  # ERC-721 safeTransferFrom(address,address,uint256,bytes)
SAFE_TRANSFER_1155 = bytes.fromhex("f242432a")  # safeTransferFrom(address,address,uint256,uint256,bytes)
SAFE_BATCH_1155 = bytes.fromhex("2eb2c2d6")  # safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)
EXECUTE = bytes.fromhex("b61d27f6")  # execute(address,uint256,bytes): ERC-4337 and 7702 accounts
EXEC_TRANSACTION = bytes.fromhex("6a761202")  # Safe execTransaction(address,uint256,bytes,uint8,...)

# calls whose selector an ERC-20 shares (transferFrom) or that only NFTs have: what tells an NFT from an amount
NFT_STYLE_CALLS = (TRANSFER_FROM, SAFE_TRANSFER_FROM, SAFE_TRANSFER_FROM_DATA, SAFE_TRANSFER_1155, SAFE_BATCH_1155)

MAX_SCAN = 64 * 1024  # bytes of calldata searched for inner calls (a bundle of many operations is longer)
MAX_CALLS = 16  # addressed transfers kept from one transaction
MAX_LOG_SCAN = 2_000  # logs of one receipt read for transfers (an airdrop has tens of thousands; work stays bounded)
SLICE_SECONDS = 0.004  # the longest a slice of a long receipt's transfer logs holds the event loop
MAX_PAYMENTS = 64  # distinct (recipient, token) payments kept from one transaction (an airdrop has thousands)
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

ERC20, ERC721, ERC1155 = "erc20", "erc721", "erc1155"


@cache
def burn_addresses() -> dict[str, str]:
    """Lower-case address -> label, from the bundled list of well-known burn addresses (package data)."""
    # read beside the module, as the bundled chain files are: importlib.resources would load zipfile and shutil
    text = (Path(__file__).resolve().parent / "data" / "burn_addresses.json").read_text(encoding="utf-8")
    return {e["address"].lower(): e["label"] for e in json.loads(text)["addresses"]}


@dataclass(frozen=True, slots=True)
class Addressed:
    """A payment as the calldata addresses it.

    ``token`` is the contract called when known (the transaction's own ``to``
    for a top-level call); an inner call's target is learnt from the logs.
    ``payer`` is the account paying when the call names it (``transferFrom``),
    or the sender for a top-level ``transfer``; None: whoever made the inner call.
    """

    recipient: str
    kind: str  # "native", "transfer", "transfer_from", "safe_transfer_from", "batch"
    value: int  # wei, token units, or for an ERC-721 call the token id
    token: str | None = None
    payer: str | None = None
    token_ids: tuple[int, ...] = ()  # ERC-721/1155 ids the call names (ERC-721 transferFrom: the value)
    top_level: bool = False

    @property
    def native(self) -> bool:
        return self.kind == "native"


@dataclass(frozen=True, slots=True)
class Move:
    """One Transfer log: ERC-20 (three topics), ERC-721 (four topics) or ERC-1155 (single or batch, one per id)."""

    token: str
    sender: str
    recipient: str
    value: int  # ERC-20 units, 1 for an ERC-721 token, the ERC-1155 amount
    log_index: int
    standard: str = ERC20
    token_id: int | None = None


def _word(args: bytes, i: int) -> bytes | None:
    chunk = args[32 * i : 32 * i + 32]
    return chunk if len(chunk) == 32 else None


def _address(word: bytes | None) -> str | None:
    if word is None or any(word[:12]):
        return None
    return to_checksum_address(word[12:])


def _uint(word: bytes | None) -> int | None:
    return None if word is None else int.from_bytes(word, "big")


def _uint_array(args: bytes, head: int) -> tuple[int, ...] | None:
    """A dynamic uint256[] argument whose offset is in head word ``head``; None when malformed or long."""
    offset = _uint(_word(args, head))
    if offset is None or offset % 32 or offset > len(args):
        return None
    length = _uint(args[offset : offset + 32]) if len(args) >= offset + 32 else None
    if length is None or length > MAX_CALLS or offset + 32 * (1 + length) > len(args):
        return None
    return tuple(int.from_bytes(args[offset + 32 * (1 + k) : offset + 32 * (2 + k)], "big") for k in range(length))


def decode_call(data: bytes, *, token: str | None = None, sender: str | None = None) -> list[Addressed]:
    """The payment(s) one call's calldata addresses (``data`` starts at its selector); [] for anything else."""
    selector, args = data[:4], data[4:]
    out: list[Addressed] = []
    top = token is not None
    if selector == TRANSFER:
        to, value = _address(_word(args, 0)), _uint(_word(args, 1))
        if to is not None and value is not None:
            out.append(Addressed(to, "transfer", value, token, sender, (), top))
    elif selector in (TRANSFER_FROM, SAFE_TRANSFER_FROM, SAFE_TRANSFER_FROM_DATA):
        frm, to, value = _address(_word(args, 0)), _address(_word(args, 1)), _uint(_word(args, 2))
        if frm is not None and to is not None and value is not None:
            kind = "transfer_from" if selector == TRANSFER_FROM else "safe_transfer_from"
            ids = (value,) if selector != TRANSFER_FROM else ()
            out.append(Addressed(to, kind, value, token, frm, ids, top))
    elif selector == SAFE_TRANSFER_1155:
        frm, to = _address(_word(args, 0)), _address(_word(args, 1))
        ident, value = _uint(_word(args, 2)), _uint(_word(args, 3))
        if frm is not None and to is not None and ident is not None and value is not None:
            out.append(Addressed(to, "safe_transfer_from", value, token, frm, (ident,), top))
    elif selector == SAFE_BATCH_1155:
        frm, to = _address(_word(args, 0)), _address(_word(args, 1))
        batch, values = _uint_array(args, 2), _uint_array(args, 3)
        if (
            frm is not None
            and to is not None
            and batch is not None
            and values is not None
            and len(batch) == len(values)
        ):
            out.append(Addressed(to, "batch", sum(values), token, frm, batch, top))
    elif selector in (EXECUTE, EXEC_TRANSACTION):
        # a smart account's own call: the value it sends is a native payment out of the account
        target, value = _address(_word(args, 0)), _uint(_word(args, 1))
        if target is not None and value:
            out.append(Addressed(target, "native", value, None, token, (), top))
    return out


_SELECTORS = (
    TRANSFER,
    TRANSFER_FROM,
    SAFE_TRANSFER_FROM,
    SAFE_TRANSFER_FROM_DATA,
    SAFE_TRANSFER_1155,
    SAFE_BATCH_1155,
    EXECUTE,
    EXEC_TRANSACTION,
)


def addressed(tx: TxView) -> list[Addressed]:
    """Every payment the transaction's calldata addresses: its native value, its own call, and inner calls.

    The transaction's own call is decoded with its target and sender known;
    inner calls (inside a smart account's or a bundler's calldata) are found
    by searching the input for token-call selectors with well-formed arguments.
    """
    out: list[Addressed] = []
    if tx.to is not None and tx.value > 0:
        out.append(Addressed(tx.to, "native", tx.value, None, tx.sender, (), True))
    if tx.to is None:
        return out
    data = tx.input
    out += decode_call(data, token=tx.to, sender=tx.sender)
    scan = data[:MAX_SCAN]
    for selector in _SELECTORS:
        at = scan.find(selector, 1)
        while at != -1 and len(out) < MAX_CALLS:
            out += decode_call(data[at:])
            at = scan.find(selector, at + 1)
    return out[:MAX_CALLS]


# the receipts whose moves were read lately, by identity: the rules and probes ask for one receipt's moves many times
_MOVES_SEEN: deque[tuple[Logs, tuple[Move, ...]]] = deque(maxlen=4)


def moves(logs: Logs) -> list[Move]:
    """Every Transfer log, ERC-20, ERC-721 and ERC-1155, in log order: those among the first ``MAX_LOG_SCAN`` logs.

    Read once per receipt (the same logs object is asked again by each rule and probe).
    """
    for seen, read in _MOVES_SEEN:
        if seen is logs:
            return list(read)
    out = _read_moves(logs)
    if len(logs) > 64:  # a short receipt is read again faster than it is looked up
        _MOVES_SEEN.append((logs, tuple(out)))
    return out


async def read_moves_in_slices(logs: Logs, at_a_stretch: int) -> None:
    """Read a long receipt's moves ``at_a_stretch`` logs at a time, the event loop served between slices.

    Checksumming thousands of distinct addresses takes ~80 ms in one go; the
    rules and probes then find the moves already read.
    """
    if len(logs) <= at_a_stretch or any(seen is logs for seen, _ in _MOVES_SEEN):
        return
    out: list[Move] = []
    stretch_ends = 0.0
    # a log costs a microsecond, or a few hundred while the process still hashes in Python (its first ones):
    # the loop is also served whenever a slice has taken SLICE_SECONDS
    step = max(1, at_a_stretch // 10)
    for start in range(0, min(len(logs), MAX_LOG_SCAN), step):
        if start % at_a_stretch == 0 or time.perf_counter() >= stretch_ends:
            await asyncio.sleep(0)
            stretch_ends = time.perf_counter() + SLICE_SECONDS
        out += _read_moves(logs[start : min(start + step, MAX_LOG_SCAN)])
    _MOVES_SEEN.append((logs, tuple(out)))


def logs_capped(logs: Logs) -> bool:
    """Whether only the first ``MAX_LOG_SCAN`` of these logs were read for transfers."""
    return len(logs) > MAX_LOG_SCAN


def _read_moves(logs: Logs) -> list[Move]:
    out: list[Move] = []
    for lg in logs[:MAX_LOG_SCAN]:
        topics = lg.topics
        if not topics:
            continue
        if topics[0] == TRANSFER_TOPIC and len(topics) == 3 and len(lg.data) == 32:
            frm, to = to_checksum_address(topics[1][12:]), to_checksum_address(topics[2][12:])
            out.append(Move(lg.address, frm, to, int.from_bytes(lg.data, "big"), lg.log_index))
        elif topics[0] == TRANSFER_TOPIC and len(topics) == 4 and not lg.data:
            frm, to = to_checksum_address(topics[1][12:]), to_checksum_address(topics[2][12:])
            ident = int.from_bytes(topics[3], "big")
            out.append(Move(lg.address, frm, to, 1, lg.log_index, ERC721, ident))
        elif topics[0] == TRANSFER_SINGLE_TOPIC and len(topics) == 4 and len(lg.data) == 64:
            frm, to = to_checksum_address(topics[2][12:]), to_checksum_address(topics[3][12:])
            ident, value = int.from_bytes(lg.data[:32], "big"), int.from_bytes(lg.data[32:], "big")
            out.append(Move(lg.address, frm, to, value, lg.log_index, ERC1155, ident))
        elif topics[0] == TRANSFER_BATCH_TOPIC and len(topics) == 4:
            frm, to = to_checksum_address(topics[2][12:]), to_checksum_address(topics[3][12:])
            ids, values = _uint_array(lg.data, 0), _uint_array(lg.data, 1)
            if ids is not None and values is not None and len(ids) == len(values):
                pairs = zip(ids, values, strict=True)
                out += [Move(lg.address, frm, to, v, lg.log_index, ERC1155, i) for i, v in pairs]
    return out


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


def matches(a: Addressed, m: Move) -> bool:
    """Whether log ``m`` is (part of) the payment ``a`` addressed: same recipient, token and payer where known."""
    if a.native or not _same(a.recipient, m.recipient):
        return False
    if a.token is not None and not _same(a.token, m.token):
        return False
    if a.payer is not None and not _same(a.payer, m.sender):
        return False
    return not a.token_ids or m.token_id in a.token_ids


@dataclass(frozen=True, slots=True)
class Payment:
    """A recipient as read from the transaction and its logs: who, how, what and how much.

    ``via`` is ``"native"``, ``"calldata"`` (a token call the person addressed,
    confirmed by its log where there is one) or ``"log"`` (a payer's tokens
    moved by a contract it called, such as a router).
    """

    address: str
    via: str
    token: str | None
    value: int
    token_id: int | None = None
    standard: str | None = None


def payers(tx: TxView, calls: list[Addressed], logged: list[Move]) -> set[str]:
    """Lower-case addresses whose balance the transaction took from (see the module docstring)."""
    out = {tx.sender.lower()}
    out |= {a.payer.lower() for a in calls if a.payer is not None}
    out |= {m.sender.lower() for m in logged for a in calls if matches(a, m)}
    return out


def transferred_tokens(calls: list[Addressed], logged: list[Move]) -> frozenset[str]:
    """Lower-case tokens an addressed transfer moved: by its own token, or by the log that paid its recipient."""
    out = {a.token.lower() for a in calls if a.token is not None and not a.native}
    out |= {x.token.lower() for x in logged for a in calls if matches(a, x)}
    return frozenset(out)


def token_logic(
    m: Move,
    calls: list[Addressed],
    logged: list[Move],
    burns: frozenset[str] = frozenset(),
    transferred: frozenset[str] | None = None,
) -> bool:
    """A payer's outgoing log that the token's (or a burning contract's) own logic emitted, not a payment.

    Inside an addressed transfer of the same token, any other log out of the
    payer is the token's logic (tax, reflection, burn). Outside one, a burn
    (to the zero address or a burn address) or a move to the token's own
    contract that no call addressed is the contract's logic too (a bridge
    withdrawal, ``burn()``, a tax kept while a router moved the token).
    """
    if any(matches(a, m) for a in calls):
        return False
    if transferred is None:
        transferred = transferred_tokens(calls, logged)
    if m.token.lower() in transferred:
        return True
    key = m.recipient.lower()
    return key == ZERO_ADDRESS or key in burns or key == m.token.lower()


def payments(tx: TxView, receipt: ReceiptView | None) -> list[Payment]:
    """Every place the transaction sent value to, addressed payments first; never the sender itself."""
    return _payments(tx, receipt)[0]


def payments_capped(tx: TxView, receipt: ReceiptView | None) -> bool:
    """Whether the transaction paid more distinct (recipient, token) pairs than the MAX_PAYMENTS kept."""
    return _payments(tx, receipt)[1]


# the transactions whose payments were read lately, by identity: several rules ask for one transaction's payments
_PAYMENTS_SEEN: deque[tuple[TxView, ReceiptView | None, tuple[Payment, ...], bool]] = deque(maxlen=4)


def _payments(tx: TxView, receipt: ReceiptView | None) -> tuple[list[Payment], bool]:
    for seen_tx, seen_receipt, paid, capped in _PAYMENTS_SEEN:
        if seen_tx is tx and seen_receipt is receipt:
            return list(paid), capped
    out, capped = _read_payments(tx, receipt)
    if receipt is not None and len(receipt.logs) > 64:  # a short receipt is read again faster than it is looked up
        _PAYMENTS_SEEN.append((tx, receipt, tuple(out), capped))
    return out, capped


def _read_payments(tx: TxView, receipt: ReceiptView | None) -> tuple[list[Payment], bool]:
    burns = frozenset(burn_addresses())
    calls = addressed(tx)
    logged = moves(receipt.logs) if receipt is not None else []
    paying = payers(tx, calls, logged)
    # an inner call's token is the contract whose log paid its recipient
    inner_tokens = {id(a): m for a in calls for m in logged if a.token is None and matches(a, m)}
    out: list[Payment] = []
    keys: set[tuple[str, str]] = set()  # (recipient, token) already listed: one look-up, not a scan of ``out``
    sender = tx.sender.lower()
    transferred = transferred_tokens(calls, logged)  # once, not once per log

    capped = False

    def add(p: Payment) -> None:
        nonlocal capped
        key = (p.address.lower(), (p.token or "").lower())
        if key[0] == sender or key in keys:
            return
        if len(out) >= MAX_PAYMENTS:
            capped = True
            return
        keys.add(key)
        out.append(p)

    for a in calls:
        if a.native:
            continue
        hit = inner_tokens.get(id(a))
        token = a.token or (hit.token if hit is not None else None)
        log = hit or next((m for m in logged if matches(a, m)), None)
        standard = log.standard if log is not None else None
        token_id = a.token_ids[0] if a.token_ids else (log.token_id if log is not None else None)
        value = a.value if standard != ERC721 else 1
        if token is None:
            continue  # an inner call that moved nothing names no token; the not-moved rule speaks of it
        add(Payment(a.recipient, "calldata", token, value, token_id, standard))
    for m in logged:
        if m.sender.lower() in paying and not token_logic(m, calls, logged, burns, transferred):
            add(Payment(m.recipient, "log", m.token, m.value, m.token_id, m.standard))
    for a in calls:
        if a.native:
            add(Payment(a.recipient, "native", None, a.value))
    if tx.to is not None and not tx.input and tx.value == 0:
        add(Payment(tx.to, "native", None, 0))  # a bare zero-value send still names a recipient
    return out, capped


def _not_shown(tx: TxView, logs: Logs) -> list[Addressed]:
    """Token payments the calldata addressed that no Transfer log among the first ``MAX_LOG_SCAN`` shows."""
    logged = moves(logs)
    return [
        a
        for a in addressed(tx)
        if not a.native and (a.value > 0 or a.token_ids) and not any(matches(a, m) for m in logged)
    ]


def unmoved(tx: TxView, receipt: ReceiptView) -> list[Addressed]:
    """Token payments the calldata addressed that no Transfer log shows (a token that refused, returning false).

    Past the first ``MAX_LOG_SCAN`` logs only the ones ``late_transfers`` found are read (``receipt.late``); when
    the rest of a longer receipt was not looked through, no payment is said unmoved: a check not made is never a
    failure.
    """
    missing = _not_shown(tx, receipt.logs)
    if not missing or not logs_capped(receipt.logs):
        return missing
    if receipt.late is None:
        return []
    late = _read_moves(receipt.late)
    return [a for a in missing if not any(matches(a, m) for m in late)]


@dataclass(frozen=True, slots=True)
class Sought:
    """A payment the scan past the cap looks for, as the bytes of a Transfer log that pays it."""

    payment: Addressed
    recipient: bytes  # its 20 bytes, as the low 20 of a topic word
    payer: bytes | None  # likewise; None: whoever paid
    token: str | None  # lower-case; None: whichever token wrote it
    ids: frozenset[int]  # the ERC-721/1155 ids the call names; empty: any


def _sought(a: Addressed) -> Sought:
    payer = bytes.fromhex(a.payer[2:]) if a.payer is not None else None
    token = a.token.lower() if a.token is not None else None
    return Sought(a, bytes.fromhex(a.recipient[2:]), payer, token, frozenset(a.token_ids))


def may_pay(s: Sought, row: LogRow) -> bool:
    """Whether ``row``'s bytes are those of a Transfer log paying ``s``, compared without decoding the log.

    Its kind and shape (as ``_read_moves`` reads them), then the recipient's and the payer's 20 bytes in their
    topics, the token that wrote it and the ids: what ``matches`` asks of the decoded log, so a log this lets
    through is the payment's unless its ERC-1155 batch is malformed, and a log it stops would not match.
    """
    address, topics, data, _ = row
    kind, size = topics[:32], len(topics)
    ident: int | None = None
    if kind == TRANSFER_TOPIC and size == 96 and len(data) == 32:
        payer, recipient = topics[44:64], topics[76:96]
    elif kind == TRANSFER_TOPIC and size == 128 and not data:
        payer, recipient, ident = topics[44:64], topics[76:96], int.from_bytes(topics[96:], "big")
    elif kind == TRANSFER_SINGLE_TOPIC and size == 128 and len(data) == 64:
        payer, recipient, ident = topics[76:96], topics[108:128], int.from_bytes(data[:32], "big")
    elif kind == TRANSFER_BATCH_TOPIC and size == 128:
        payer, recipient = topics[76:96], topics[108:128]
    else:
        return False
    if recipient != s.recipient or (s.payer is not None and payer != s.payer):
        return False
    if s.token is not None and address.lower() != s.token:
        return False
    if not s.ids:
        return True
    if kind == TRANSFER_BATCH_TOPIC:
        batch = _uint_array(data, 0)
        return batch is not None and not s.ids.isdisjoint(batch)
    return ident in s.ids


def _late_scan(tx: TxView, logs: Logs, at_a_stretch: int) -> Iterator[list[LogRow]]:
    """Past ``MAX_LOG_SCAN``, the first log paying each payment the first logs did not show, a step a slice.

    A log is looked at only when its first topic is a Transfer's, a missing recipient's 20 bytes are in its
    topics and (where every payment names its token) a token called wrote it: a comparison and a search a log.
    It is decoded (its addresses checksummed) only when its bytes are those of a log paying a missing payment
    (``may_pay``: recipient, payer, token and ids where known), so a token that writes thousands of Transfer
    logs to the recipient from someone else costs a few byte comparisons each. A log kept pays a missing
    payment, which then has its log, so at most one log a payment is kept (MAX_CALLS), and the scan ends once
    every payment has one. Each step yields the logs kept in its slice of ``at_a_stretch`` logs.
    """
    if not logs_capped(logs):
        return
    missing = [_sought(a) for a in _not_shown(tx, logs)]
    recipients = {s.recipient for s in missing}
    # the payers and the tokens, where every payment names its own (an inner call's are whoever paid)
    payers = {s.payer for s in missing if s.payer is not None}
    payers_known = all(s.payer is not None for s in missing)
    tokens = {s.token for s in missing if s.token is not None}
    tokens_known = all(s.token is not None for s in missing)
    rows = logs.rows
    for start in range(MAX_LOG_SCAN, len(rows), at_a_stretch):
        if not missing:
            return
        kept: list[LogRow] = []
        for row in rows[start : start + at_a_stretch]:
            topics = row[1]
            kind = topics[:32]
            # where the payer's and the recipient's 20 bytes are: ERC-20 and ERC-721 topics 1 and 2, ERC-1155 2 and 3
            if kind == TRANSFER_TOPIC:
                payer, recipient = topics[44:64], topics[76:96]
            elif kind in (TRANSFER_SINGLE_TOPIC, TRANSFER_BATCH_TOPIC):
                payer, recipient = topics[76:96], topics[108:128]
            else:
                continue
            if recipient not in recipients or (payers_known and payer not in payers):
                continue
            if tokens_known and row[0].lower() not in tokens:
                continue
            sought = [s for s in missing if may_pay(s, row)]
            if not sought:
                continue
            read = _read_moves(Logs((row,)))
            paid = [s for s in sought if any(matches(s.payment, m) for m in read)]
            if paid:
                kept.append(row)
                missing = [s for s in missing if s not in paid]
        yield kept


def late_transfers(tx: TxView, logs: Logs) -> Logs:
    """Past the first ``MAX_LOG_SCAN`` logs, the Transfer logs that pay a token payment the calldata addressed
    and those first logs did not show: what ``unmoved`` needs of the rest of a long receipt (see ``receipt.late``).

    Linear in the logs with a small constant (a long receipt is parsed at ~15 us a log; this passes one in ~0.3 us,
    a Transfer log to the recipient from another payer included, since only the log that pays is decoded), and over
    logs already held: no more memory than the few rows it keeps.
    """
    return Logs(row for kept in _late_scan(tx, logs, MAX_LOG_SCAN) for row in kept)


async def read_late_in_slices(tx: TxView, logs: Logs, at_a_stretch: int) -> Logs:
    """``late_transfers``, ``at_a_stretch`` logs at a time, the event loop served between slices."""
    out: list[LogRow] = []
    for kept in _late_scan(tx, logs, at_a_stretch):
        out += kept
        await asyncio.sleep(0)
    return Logs(out)


@dataclass(frozen=True, slots=True)
class Planted:
    """A Transfer log that puts an address into someone's history without moving that person's funds.

    ``victim`` is the person whose history it lands in, ``planted`` the
    address it puts there. ``kind`` is ``"zero_value"`` (a zero-value transfer
    out of the victim that the victim did not sign, which tokens allow through
    ``transferFrom``) or ``"foreign"`` (a transfer between two addresses of which
    neither sent the transaction: only poisoning when the token is a fake).
    """

    victim: str
    planted: str
    token: str
    value: int
    kind: str


def planted(tx: TxView, receipt: ReceiptView | None) -> Planted | None:
    """The log that plants an address in someone else's history, when the transaction is shaped like poisoning."""
    if receipt is None:
        return None
    sender = tx.sender.lower()
    logged = [m for m in moves(receipt.logs) if m.standard == ERC20]
    for m in logged:
        if m.value == 0 and m.sender.lower() != sender and m.sender.lower() != ZERO_ADDRESS:
            return Planted(m.sender, m.recipient, m.token, 0, "zero_value")
    if logged and all(sender not in (m.sender.lower(), m.recipient.lower()) for m in logged):
        calls = addressed(tx)
        m = logged[0]
        if m.sender.lower() != ZERO_ADDRESS and not any(matches(a, m) for a in calls):
            return Planted(m.recipient, m.sender, m.token, m.value, "foreign")
    return None


def history_subject(tx: TxView, receipt: ReceiptView | None) -> str:
    """Whose Transfer history the look-alike checks compare against.

    A poisoning's victim; else the account that paid what the calldata
    addressed when that is not the sender (a smart account, a Safe, a
    7702-delegated account whose call a sponsor or bundler submitted); else the sender.
    """
    p = planted(tx, receipt)
    if p is not None:
        return p.victim
    if receipt is not None:
        logged = moves(receipt.logs)
        for a in addressed(tx):
            m = next((m for m in logged if matches(a, m)), None)
            if m is not None:
                return m.sender if m.sender.lower() != ZERO_ADDRESS else tx.sender
    return tx.sender
