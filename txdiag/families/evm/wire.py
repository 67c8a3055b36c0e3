"""JSON-RPC answers -> typed values. The only place that reads ``"0x1"``.

Every parser takes whatever the node sent (it may be wrong, truncated or
hostile) and returns a frozen value or raises WireError; nothing else escapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from txdiag import text
from txdiag.checksum import to_checksum_address
from txdiag.errors import WireError
from txdiag.models import LogRow, Logs, LogView, PoolStatus, PoolTx, ReceiptView, TxStatus, TxView

_HEX = re.compile(r"^0x[0-9a-fA-F]*$")
MAX_QUANTITY = 2**256 - 1
TRANSFER_TOPIC = bytes.fromhex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
TRANSFER_SELECTOR = bytes.fromhex("a9059cbb")  # transfer(address,uint256)
NAME_BYTES = 1024  # of a name() answer read at all (the display keeps far fewer)
TRANSFER_FROM_SELECTOR = bytes.fromhex("23b872dd")  # transferFrom(address,address,uint256)


def quantity(value: Any, what: str) -> int:
    """A JSON-RPC QUANTITY (hex string); plain JSON ints are tolerated."""
    if isinstance(value, bool):
        raise WireError(f"{what}: expected a quantity, got a boolean")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and _HEX.match(value) and 2 < len(value) <= 66:
        n = int(value, 16)
    else:
        raise WireError(f"{what}: expected a hex quantity, got {str(value)[:40]!r}")
    if not 0 <= n <= MAX_QUANTITY:
        raise WireError(f"{what}: quantity out of range")
    return n


def opt_quantity(value: Any, what: str) -> int | None:
    return None if value is None else quantity(value, what)


def data(value: Any, what: str, *, size: int | None = None) -> bytes:
    """A JSON-RPC DATA string; ``size`` demands an exact byte length."""
    if not isinstance(value, str) or not _HEX.match(value) or len(value) % 2:
        raise WireError(f"{what}: expected hex data")
    raw = bytes.fromhex(value[2:])
    if size is not None and len(raw) != size:
        raise WireError(f"{what}: expected {size} bytes, got {len(raw)}")
    return raw


def address(value: Any, what: str) -> str:
    return to_checksum_address(data(value, what, size=20))


def opt_address(value: Any, what: str) -> str | None:
    return None if value is None else address(value, what)


def hash32(value: Any, what: str) -> str:
    return "0x" + data(value, what, size=32).hex()


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"{what}: expected an object")
    return value


def parse_tx(value: Any) -> TxView:
    """An eth_getTransactionByHash result (not null)."""
    o = _obj(value, "transaction")
    block = opt_quantity(o.get("blockNumber"), "blockNumber")
    tx_type = opt_quantity(o.get("type"), "type") or 0
    max_fee = opt_quantity(o.get("maxFeePerGas"), "maxFeePerGas")
    tip = opt_quantity(o.get("maxPriorityFeePerGas"), "maxPriorityFeePerGas")
    return TxView(
        hash=hash32(o.get("hash"), "hash"),
        sender=address(o.get("from"), "from"),
        to=opt_address(o.get("to"), "to"),
        nonce=quantity(o.get("nonce"), "nonce"),
        value=quantity(o.get("value", "0x0"), "value"),
        gas=quantity(o.get("gas"), "gas"),
        type=tx_type,
        input=data(o.get("input", "0x"), "input"),
        gas_price=opt_quantity(o.get("gasPrice"), "gasPrice"),
        max_fee_per_gas=max_fee,
        max_priority_fee_per_gas=tip,
        block_number=block,
        block_hash=None if block is None or o.get("blockHash") is None else hash32(o.get("blockHash"), "blockHash"),
        chain_id=opt_quantity(o.get("chainId"), "chainId"),
    )


def parse_log(value: Any) -> LogView:
    return Logs.view(log_row(value))


def log_row(value: Any) -> LogRow:
    """One log of a receipt as a row of plain values (``Logs`` holds them): address, topics, data, log index."""
    o = _obj(value, "log")
    topics = o.get("topics")
    if not isinstance(topics, list) or len(topics) > 4:
        raise WireError("log.topics: expected at most four topics")
    return (
        address(o.get("address"), "log.address"),
        b"".join([data(t, "log.topic", size=32) for t in topics]),
        data(o.get("data", "0x"), "log.data"),
        quantity(o.get("logIndex", "0x0"), "logIndex"),
    )


def has_root(value: Any) -> bool:
    """Whether a receipt says how it ended by a state root, not a status (before Byzantium); WireError when by
    neither, or with a status that is neither 0 nor 1.

    A receipt without both is no receipt: a stripped or broken answer, which must never read as success.
    """
    o = _obj(value, "receipt")
    status = o.get("status")
    if status is not None:
        if quantity(status, "status") not in (0, 1):
            raise WireError("receipt.status: expected 0 or 1")
        return False
    if o.get("root") is None:
        raise WireError("receipt: neither status nor root")
    data(o.get("root"), "receipt.root", size=32)
    return True


def receipt_status(value: Any, gas_limit: int | None) -> TxStatus:
    """How a receipt says the transaction ended; ``gas_limit`` is the transaction's (None when unknown).

    Before Byzantium (EIP-658) a receipt held a state root and no status. Every failure then (out of gas, an
    invalid instruction or jump; REVERT came with Byzantium too) used up all the gas the transaction was given,
    so gas left over means it succeeded. All of it used is what a failure does and what a success may do (a
    plain payment with a 21,000 limit): the receipt cannot tell, and says UNKNOWN, never success.
    """
    o = _obj(value, "receipt")
    if not has_root(o):
        return TxStatus.SUCCESS if quantity(o.get("status"), "status") == 1 else TxStatus.REVERTED
    gas_used = quantity(o.get("gasUsed"), "gasUsed")
    return TxStatus.SUCCESS if gas_limit is not None and gas_used < gas_limit else TxStatus.UNKNOWN


def parse_receipt(value: Any, gas_limit: int | None = None) -> ReceiptView:
    """An eth_getTransactionReceipt result (not null); ``gas_limit`` is the transaction's (see receipt_status)."""
    o = _obj(value, "receipt")
    logs = o.get("logs") or []
    if not isinstance(logs, list):
        raise WireError("receipt.logs: expected a list")
    return ReceiptView(
        status=receipt_status(o, gas_limit),
        block_number=quantity(o.get("blockNumber"), "blockNumber"),
        block_hash=hash32(o.get("blockHash"), "blockHash"),
        gas_used=quantity(o.get("gasUsed"), "gasUsed"),
        effective_gas_price=opt_quantity(o.get("effectiveGasPrice"), "effectiveGasPrice"),
        logs=Logs(log_row(x) for x in logs),
        contract_address=opt_address(o.get("contractAddress"), "contractAddress"),
        root=has_root(o),
    )


def parse_block_head(value: Any) -> tuple[int, int]:
    """(number, timestamp) of an eth_getBlockByNumber result."""
    o = _obj(value, "block")
    return quantity(o.get("number"), "block.number"), quantity(o.get("timestamp"), "block.timestamp")


def parse_fee_history(value: Any) -> tuple[tuple[int, ...], tuple[float, ...], tuple[tuple[int, ...], ...]]:
    """(base fees ending with the next block's, gas-used ratios, rewards per block)."""
    o = _obj(value, "feeHistory")
    base = o.get("baseFeePerGas")
    ratios = o.get("gasUsedRatio")
    if not isinstance(base, list) or not base or not isinstance(ratios, list):
        raise WireError("feeHistory: missing baseFeePerGas or gasUsedRatio")
    base_fees = tuple(quantity(b, "baseFeePerGas") for b in base)
    used: list[float] = []
    for r in ratios:
        if isinstance(r, bool) or not isinstance(r, int | float) or not 0 <= r <= 2:
            raise WireError("feeHistory: gasUsedRatio out of range")
        used.append(float(r))
    raw_rewards = o.get("reward") or []
    if not isinstance(raw_rewards, list):
        raise WireError("feeHistory: reward must be a list")
    rewards: list[tuple[int, ...]] = []
    for row in raw_rewards:
        if not isinstance(row, list):
            raise WireError("feeHistory: reward rows must be lists")
        rewards.append(tuple(quantity(x, "reward") for x in row))
    return base_fees, tuple(used), tuple(rewards)


def parse_pool_status(value: Any) -> PoolStatus:
    o = _obj(value, "txpool_status")
    return PoolStatus(pending=quantity(o.get("pending"), "pending"), queued=quantity(o.get("queued"), "queued"))


def pool_tx(tx: TxView, *, queued: bool = False) -> PoolTx:
    """A waiting transaction as a pool entry: its nonce and fees."""
    return PoolTx(tx.hash, tx.nonce, tx.fee_cap, tx.tip_cap, queued=queued, legacy=not tx.is_dynamic_fee)


def parse_pool_content_from(value: Any) -> tuple[PoolTx, ...]:
    """txpool_contentFrom: {"pending": {nonce: tx}, "queued": {nonce: tx}}."""
    o = _obj(value, "txpool_contentFrom")
    out: list[PoolTx] = []
    for section in ("pending", "queued"):
        entries = o.get(section) or {}
        if not isinstance(entries, dict):
            raise WireError(f"txpool_contentFrom.{section}: expected an object")
        for raw in entries.values():
            tx = parse_tx(raw)
            out.append(pool_tx(tx, queued=section == "queued"))
    return tuple(sorted(out, key=lambda p: p.nonce))


def erc20_transfers(logs: Iterable[LogView]) -> list[tuple[str, str, str, int, int]]:
    """(token, from, to, value, log index) for each ERC-20 Transfer log.

    ERC-721 Transfer shares the topic but indexes the token id (four topics);
    only the three-topic, 32-byte-data form is ERC-20.
    """
    out: list[tuple[str, str, str, int, int]] = []
    for lg in logs:
        if len(lg.topics) == 3 and lg.topics[0] == TRANSFER_TOPIC and len(lg.data) == 32:
            sender = to_checksum_address(lg.topics[1][12:])
            recipient = to_checksum_address(lg.topics[2][12:])
            out.append((lg.address, sender, recipient, int.from_bytes(lg.data, "big"), lg.log_index))
    return out


def abi_text(raw: bytes, max_bytes: int = 64) -> bytes | None:
    """The bytes of an ABI ``string`` answer (or a bytes32 one, as older tokens such as MKR give), or None.

    Longer strings than ``max_bytes`` are cut there: nobody is shown more.
    """
    if len(raw) >= 64:
        offset = int.from_bytes(raw[:32], "big")
        if offset + 32 <= len(raw):
            length = int.from_bytes(raw[offset : offset + 32], "big")
            if offset + 32 + length <= len(raw):
                return raw[offset + 32 : offset + 32 + min(length, max_bytes)]
    if len(raw) == 32:
        return raw.rstrip(b"\0")
    return None


def decode_symbol(raw: bytes) -> str | None:
    """An ERC-20 symbol() answer, sanitised for display; None when it is not one or says nothing."""
    data = abi_text(raw)
    return None if data is None else (text.symbol(data.decode("utf-8", "replace")) or None)


def decode_name(raw: bytes) -> str | None:
    """An ERC-20 name() answer, sanitised for display; None when it is not one or says nothing."""
    data = abi_text(raw, NAME_BYTES)
    return None if data is None else (text.name(data.decode("utf-8", "replace")) or None)


def decode_uint8(raw: bytes) -> int | None:
    if len(raw) != 32:
        return None
    n = int.from_bytes(raw, "big")
    return n if n <= 36 else None
