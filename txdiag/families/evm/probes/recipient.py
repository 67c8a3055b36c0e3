"""Where the value went: the recipients, what they are, and the sender's recent counterparties.

Round 2 asks, in the one batch, for each recipient (at most ``MAX_RECIPIENTS``):
its code, its nonce and balances before the transaction, whether it answers
ERC-20 ``decimals()``/``symbol()`` (a token contract) and ``owner()`` (a simple
wallet shape); and the sender's ERC-20 Transfer logs, in and out, over a
bounded window chunked to ``LOG_CHUNK`` blocks, which is what public nodes
commonly allow per ``eth_getLogs``.

Concurrently, without a dependent round trip, each other configured chain is
asked for the recipients' code: an address with no code here but a contract
there was probably used on the wrong network.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from txdiag.checksum import to_checksum_address
from txdiag.context import ChainContext
from txdiag.errors import TxdiagError, WireError
from txdiag.families.evm.probes.context import Found
from txdiag.families.evm.probes.plan import Handle, Plan, Read, Reader, data_or_none, quantity_or_none
from txdiag.families.evm.probes.tokens import DECIMALS_CALL, SYMBOL_CALL
from txdiag.families.evm.transfers import Payment, history_subject
from txdiag.families.evm.transfers import payments as all_payments
from txdiag.families.evm.wire import (
    TRANSFER_FROM_SELECTOR,
    TRANSFER_SELECTOR,
    TRANSFER_TOPIC,
    data,
    decode_symbol,
    decode_uint8,
    quantity,
)
from txdiag.models import Counterparty, ReceiptView, Recipient, RemoteCode, SenderHistory, TxStatus, TxView
from txdiag.rpc import Call, Reply, remaining_time
from txdiag.rpc.codec import release_in_slices

OWNER_CALL = "0x8da5cb5b"
BALANCE_OF = "0x70a08231"

MAX_RECIPIENTS = 4
LOG_CHUNK = 10_000  # blocks per eth_getLogs: the range most public nodes accept
MAX_CHUNKS = 6  # at most 60k blocks of history (about 8 days on Ethereum)
LOOKBACK_SECONDS = 14 * 24 * 3600  # poisoning follows a genuine transfer within hours or days
MAX_COUNTERPARTIES = 2_000  # an exchange's hot wallet has thousands; comparing more says nothing new
PEER_SECONDS = 3.0  # other chains get at most this long: a dead one must not hold the diagnosis

_MINIMAL_PROXY_HEAD = bytes.fromhex("363d3d373d3d3d363d73")  # EIP-1167 runtime code, before the target
_MINIMAL_PROXY_TAIL = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")
_DELEGATION_PREFIX = bytes.fromhex("ef0100")  # EIP-7702: an account delegating to code
_SAFE_MASTER_COPY = bytes.fromhex("a619486e")  # masterCopy(), answered by Safe proxies themselves
_SAFE_PROXY_MAX_SIZE = 1_200
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def decode_token_call(data_: bytes) -> tuple[str | None, str, int] | None:
    """(from, to, value) of ERC-20 ``transfer``/``transferFrom`` calldata; None for anything else."""
    selector, args = data_[:4], data_[4:]
    if selector not in (TRANSFER_SELECTOR, TRANSFER_FROM_SELECTOR):
        return None
    # imported on first use: eth_abi is slow to load and most transactions carry no token call
    from eth_abi.abi import decode  # noqa: PLC0415
    from eth_abi.exceptions import DecodingError  # noqa: PLC0415

    try:
        if selector == TRANSFER_SELECTOR and len(args) >= 64:
            to, value = decode(["address", "uint256"], args[:64])
            return None, to_checksum_address(to), int(value)
        if selector == TRANSFER_FROM_SELECTOR and len(args) >= 96:
            frm, to, value = decode(["address", "address", "uint256"], args[:96])
            return to_checksum_address(frm), to_checksum_address(to), int(value)
    except (DecodingError, ValueError):
        return None
    return None


def payments(tx: TxView, receipt: ReceiptView | None) -> list[Payment]:
    """Every place the transaction sent value to (see ``transfers.payments``), at most ``MAX_RECIPIENTS``."""
    return all_payments(tx, receipt)[:MAX_RECIPIENTS]


def wallet_kind(code: bytes, owner_answer: bytes | None) -> str | None:
    """A recognised smart-wallet shape, from runtime code and an ``owner()`` answer; None if none."""
    if not code:
        return None
    if code.startswith(_DELEGATION_PREFIX) and len(code) == 23:
        return "delegated_eoa"
    if len(code) == 45 and code.startswith(_MINIMAL_PROXY_HEAD) and code.endswith(_MINIMAL_PROXY_TAIL):
        return "minimal_proxy"
    if len(code) <= _SAFE_PROXY_MAX_SIZE and _SAFE_MASTER_COPY in code:
        return "safe_proxy"
    if owner_answer is not None and len(owner_answer) == 32 and not any(owner_answer[:12]) and any(owner_answer[12:]):
        return "owned_contract"
    return None


def lookback_blocks(block_time: float) -> int:
    """How many blocks of history to read: ``LOOKBACK_SECONDS``, capped at ``MAX_CHUNKS`` chunks."""
    wanted = math.ceil(LOOKBACK_SECONDS / max(block_time, 0.05))
    return max(1, min(wanted, LOG_CHUNK * MAX_CHUNKS))


def windows(to_block: int, lookback: int) -> list[tuple[int, int]]:
    """[from, to] block ranges covering ``lookback`` blocks up to ``to_block``, newest first."""
    start = max(0, to_block - lookback + 1)
    out = []
    hi = to_block
    while hi >= start:
        lo = max(start, hi - LOG_CHUNK + 1)
        out.append((lo, hi))
        hi = lo - 1
    return out


def _topic(address: str) -> str:
    return "0x" + "0" * 24 + address.lower().removeprefix("0x")


@dataclass(frozen=True, slots=True)
class RecipientInfo:
    """What the recipient probe learnt: each recipient, and the sender's recent counterparties."""

    recipients: tuple[Recipient, ...]
    history: SenderHistory | None  # None: no window of history could be read


def logs_answer(r: Reply) -> list[Any] | None:
    """An eth_getLogs answer, or None when the call failed or the answer is not a list."""
    return r.value if r.ok and isinstance(r.value, list) else None


@dataclass(frozen=True, slots=True)
class _RecipientAsk:
    """The questions about one recipient, asked at the block before the transaction where state matters."""

    payment: Payment
    code: Handle[bytes | None]
    nonce: Handle[int | None]
    balance: Handle[int | None]
    decimals: Handle[bytes | None]
    symbol: Handle[bytes | None]
    owner: Handle[bytes | None]
    token_balance: Handle[bytes | None] | None  # balanceOf at the token, for a token payment

    @classmethod
    def add(cls, plan: Plan, p: Payment, before: str) -> _RecipientAsk:
        def call(to: str, data_: str, block: str = "latest") -> Call:
            return Call("eth_call", ({"to": to, "data": data_}, block))

        token_balance = None
        code = plan.add(Call("eth_getCode", (p.address, "latest")), decode=data_or_none)
        nonce = plan.add(Call("eth_getTransactionCount", (p.address, before)), decode=quantity_or_none)
        balance = plan.add(Call("eth_getBalance", (p.address, before)), decode=quantity_or_none)
        decimals = plan.add(call(p.address, DECIMALS_CALL), decode=data_or_none)
        symbol = plan.add(call(p.address, SYMBOL_CALL), decode=data_or_none)
        owner = plan.add(call(p.address, OWNER_CALL), decode=data_or_none)
        if p.token is not None:
            token_balance = plan.add(call(p.token, BALANCE_OF + _topic(p.address)[2:], before), decode=data_or_none)
        return cls(p, code, nonce, balance, decimals, symbol, owner, token_balance)

    @property
    def unanswered(self) -> bool:
        """Whether the node, not the contract, left what a contract recipient is unanswered (a token? a wallet?).

        Its ``decimals()``, ``symbol()`` or ``owner()`` failed through the node's fault (throttled, missing data,
        an internal error): "not a token" would then be a guess. A contract that reverts is answering.
        """
        if not self.code.value:
            return False
        for handle in (self.decimals, self.symbol, self.owner):
            err = handle.error
            if err is not None and (err.endpoint_fault or err.rate_limited):
                return True
        return False

    def read(self) -> Recipient:
        p, code = self.payment, self.code.value
        decimals, symbol = self.decimals.value, self.symbol.value
        token_like = bool(
            code
            and decimals is not None
            and decode_uint8(decimals) is not None
            and symbol is not None
            and decode_symbol(symbol) is not None
        )
        kind = wallet_kind(code, self.owner.value) if code else None
        if token_like and kind == "owned_contract":
            kind = None  # many tokens are Ownable: owner() does not make a token a wallet
        return Recipient(
            address=p.address,
            via=p.via,
            token=p.token,
            value=p.value,
            has_code=None if code is None else bool(code) and kind != "delegated_eoa",
            wallet_kind=kind,
            token_like=token_like and kind is None,
            nonce_before=self.nonce.value,
            balance_before=self.balance.value,
            token_balance_before=_uint(self.token_balance.value) if self.token_balance is not None else None,
            token_id=p.token_id,
            standard=p.standard,
        )


def ask_recipients(found: Found, plan: Plan) -> Reader[RecipientInfo] | None:
    """Recipients and what they are; the sender's recent Transfer counterparties."""
    tx = found.tx
    if tx is None or (found.receipt is not None and found.receipt.status is TxStatus.REVERTED):
        return None  # nothing moved: there is no recipient to judge
    paid = payments(tx, found.receipt)
    subject = history_subject(tx, found.receipt)
    if not paid and subject == tx.sender:
        return None
    before = hex(max(0, found.receipt.block_number - 1)) if found.receipt is not None else "latest"
    asks = [_RecipientAsk.add(plan, p, before) for p in paid]
    to_block = found.receipt.block_number if found.receipt is not None else found.network.head
    spans = windows(to_block, lookback_blocks(found.ctx.chain.block_time))
    sender = _topic(subject)
    logs: list[Handle[list[Any] | None]] = []
    for lo, hi in spans:
        span = {"fromBlock": hex(lo), "toBlock": hex(hi)}
        for topics in (["0x" + TRANSFER_TOPIC.hex(), sender], ["0x" + TRANSFER_TOPIC.hex(), None, sender]):
            logs.append(plan.add(Call("eth_getLogs", ({**span, "topics": topics},)), decode=logs_answer))

    def read() -> Read[RecipientInfo]:
        unchecked: set[str] = set()
        recipients = tuple(ask.read() for ask in asks)
        if any(r.has_code is None for r in recipients):
            unchecked.add("recipient_code")
        if any(ask.unanswered for ask in asks):
            unchecked.add("recipient")  # whether a contract it paid is a token could not be asked
        answers = [h.value for h in logs]
        history = _history(subject, found.hash, spans, answers)
        for answer in answers:
            if answer is not None:
                release_in_slices(answer)  # a sender's history can be thousands of logs: not freed in one go
        if history is None or not history.complete:
            unchecked.add("sender_history")
        return Read(RecipientInfo(recipients, history), frozenset(unchecked))

    return read


def _history(
    subject: str, tx_hash: str, spans: Sequence[tuple[int, int]], answers: Sequence[list[Any] | None]
) -> SenderHistory | None:
    """``subject``'s Transfer counterparties (the sender's, or a poisoning victim's), first appearance first."""
    if not spans:
        return None
    logs: list[tuple[int, int, str, str, str, int]] = []
    complete = True
    own = tx_hash.lower()
    for answer in answers:
        if answer is None:
            complete = False
            continue
        for item in answer:
            if type(item) is dict and item.get("transactionHash") == own:
                continue  # this transaction's own logs (an airdrop's thousands): skipped at a dictionary look-up each
            parsed = _transfer_log(item, own)
            if parsed is not None:
                logs.append(parsed)
    if not complete and not logs:
        return None
    logs.sort()
    sender = subject.lower()
    seen: dict[str, Counterparty] = {}
    for block, index, token, frm, to, value in logs:
        outgoing = frm.lower() == sender
        other = to if outgoing else frm
        if other.lower() in (sender, ZERO_ADDRESS):
            continue
        key = other.lower()
        paid = 1 if outgoing and value > 0 else 0
        prev = seen.get(key)
        if prev is None:
            if len(seen) >= MAX_COUNTERPARTIES:
                continue
            # checksummed only when kept: a history of thousands of logs names thousands of addresses
            checksummed = to_checksum_address(other), to_checksum_address(token)
            seen[key] = Counterparty(checksummed[0], block, index, value, outgoing, checksummed[1], 1, paid)
        else:
            seen[key] = Counterparty(
                prev.address,
                prev.first_block,
                prev.first_log_index,
                prev.first_value,
                prev.first_outgoing,
                prev.first_token,
                prev.transfers + 1,
                prev.paid + paid,
            )
    lo = min(w[0] for w in spans)
    hi = max(w[1] for w in spans)
    return SenderHistory(lo, hi, tuple(seen.values()), complete, subject=subject)


async def code_elsewhere(found: Found) -> Read[tuple[RemoteCode, ...]]:
    """The recipients' code on every other configured chain, each asked concurrently. Never raises.

    Asked beside the round-2 batch, not after it: it depends only on round 1.
    """
    if found.tx is None or not found.ctx.peers:
        return Read(())
    if found.receipt is not None and found.receipt.status is TxStatus.REVERTED:
        return Read(())
    addresses = [p.address for p in payments(found.tx, found.receipt) if p.address.lower() != ZERO_ADDRESS]
    if not addresses:
        return Read(())
    peers = list(found.ctx.peers.values())
    results = await asyncio.gather(*(_peer_code(peer, addresses) for peer in peers))
    remote: list[RemoteCode] = []
    unchecked: set[str] = set()
    for peer, result in zip(peers, results, strict=True):
        if result is None:
            unchecked.add(f"code_on:{peer.chain.name}")
        else:
            remote += result
    return Read(tuple(remote), frozenset(unchecked))


async def _peer_code(peer: ChainContext, addresses: list[str]) -> list[RemoteCode] | None:
    plan = Plan()
    asks = [
        (
            address,
            plan.add(Call("eth_getCode", (address, "latest")), decode=data_or_none),
            plan.add(Call("eth_call", ({"to": address, "data": OWNER_CALL}, "latest")), decode=data_or_none),
        )
        for address in addresses
    ]
    left = remaining_time()
    seconds = PEER_SECONDS if left is None else max(0.05, min(PEER_SECONDS, left - 0.2))
    try:
        async with asyncio.timeout(seconds):
            await plan.send(peer.client)
    except (TxdiagError, TimeoutError):
        return None
    out = []
    for address, code, owner in asks:
        if code.value is None:
            return None
        kind = wallet_kind(code.value, owner.value)
        if code.value and kind != "delegated_eoa":
            out.append(RemoteCode(address, peer.chain.name, kind))
    return out


def _uint(raw: bytes | None) -> int | None:
    return int.from_bytes(raw[:32], "big") if raw is not None and len(raw) >= 32 else None


def _transfer_log(item: Any, own: str) -> tuple[int, int, str, str, str, int] | None:
    """(block, log index, token, from, to, value) of an ERC-20 Transfer log, addresses in lower case.

    None for other logs and for those of the transaction ``own`` (its hash in lower case).
    """
    if not isinstance(item, dict) or item.get("removed"):
        return None
    try:
        tx_hash = item.get("transactionHash", "")
        if tx_hash == own or str(tx_hash).lower() == own:
            return None
        topics = item.get("topics") or []
        if len(topics) != 3 or data(topics[0], "topic") != TRANSFER_TOPIC:
            return None
        value = data(item.get("data"), "data")
        if len(value) != 32:
            return None
        frm = "0x" + data(topics[1], "topic", size=32)[12:].hex()
        to = "0x" + data(topics[2], "topic", size=32)[12:].hex()
        token = "0x" + data(item.get("address"), "address", size=20).hex()
        block = quantity(item.get("blockNumber"), "blockNumber")
        index = quantity(item.get("logIndex"), "logIndex")
    except (WireError, ValueError, TypeError):
        return None
    return block, index, token, frm, to, int.from_bytes(value, "big")
