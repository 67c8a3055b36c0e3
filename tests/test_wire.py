"""Node answers -> typed values: exact on good input, WireError on anything else."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from txdiag.errors import WireError
from txdiag.families.evm.probes.lookup import parse_receipt_link
from txdiag.families.evm.snapshot import read_pool
from txdiag.families.evm.wire import (
    decode_symbol,
    erc20_transfers,
    parse_fee_history,
    parse_pool_content_from,
    parse_pool_status,
    parse_receipt,
    parse_tx,
    quantity,
)
from txdiag.models import PoolStatus, TxStatus
from txdiag.rpc import Reply, RpcItemError

TX: dict[str, Any] = {
    "hash": "0x" + "11" * 32,
    "from": "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
    "to": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    "nonce": "0x7",
    "value": "0xde0b6b3a7640000",
    "gas": "0x5208",
    "type": "0x2",
    "input": "0x",
    "gasPrice": "0x3b9aca00",
    "maxFeePerGas": "0x77359400",
    "maxPriorityFeePerGas": "0x3b9aca00",
    "blockNumber": None,
    "blockHash": None,
    "chainId": "0x7a69",
}
TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def test_pending_transaction_parsed() -> None:
    """A pending EIP-1559 transaction: ints, checksummed addresses, no block."""
    tx = parse_tx(TX)
    assert tx.nonce == 7
    assert tx.value == 10**18
    assert tx.sender == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert tx.pending
    assert tx.fee_cap == 2 * 10**9
    assert tx.tip_cap == 10**9


def test_legacy_transaction_fees() -> None:
    """A legacy transaction's fee cap and tip are its gas price."""
    tx = parse_tx({**TX, "type": "0x0", "maxFeePerGas": None, "maxPriorityFeePerGas": None})
    assert (tx.fee_cap, tx.tip_cap, tx.is_dynamic_fee) == (10**9, 10**9, False)


@pytest.mark.parametrize(
    ("field", "value"),
    [("nonce", "7"), ("nonce", "0x"), ("from", "0x1234"), ("hash", "0x" + "1" * 63), ("value", True), ("gas", None)],
)
def test_malformed_transaction_refused(field: str, value: Any) -> None:
    """A field of the wrong shape is a WireError, not a crash or a guess."""
    with pytest.raises(WireError):
        parse_tx({**TX, field: value})


RECEIPT: dict[str, Any] = {
    "blockNumber": "0x10",
    "blockHash": "0x" + "22" * 32,
    "gasUsed": "0x5208",
    "logs": [],
}
ROOT = "0x" + "33" * 32


@pytest.mark.parametrize(
    ("fields", "gas_limit", "status", "root"),
    [
        ({"status": "0x1"}, None, TxStatus.SUCCESS, False),
        ({"status": "0x0"}, None, TxStatus.REVERTED, False),
        ({"status": "0x1", "root": ROOT}, None, TxStatus.SUCCESS, False),  # the status says it; a root is extra
        # before Byzantium: a state root and no status; every failure then used all its gas
        ({"root": ROOT}, 30_000, TxStatus.SUCCESS, True),
        ({"root": ROOT, "status": None}, 30_000, TxStatus.SUCCESS, True),
        ({"root": ROOT}, 21_000, TxStatus.UNKNOWN, True),  # all of it used: failed, or a success that needed it all
        ({"root": ROOT}, None, TxStatus.UNKNOWN, True),  # the transaction's limit unknown: the receipt cannot say
    ],
)
def test_receipt_outcome(fields: dict[str, Any], gas_limit: int | None, status: TxStatus, root: bool) -> None:
    """A status says how it ended; a state root alone says success only where gas was left over, else UNKNOWN."""
    receipt = parse_receipt({**RECEIPT, **fields}, gas_limit)
    assert (receipt.status, receipt.root) == (status, root)


@pytest.mark.parametrize(
    "fields",
    [
        {},  # neither status nor root: a stripped answer, never success
        {"status": None},
        {"status": None, "root": None},
        {"status": "0x2"},
        {"status": "0x"},
        {"status": True},
        {"root": "0x1234"},
        {"root": "0x" + "zz" * 32},
        {"root": 7},
    ],
)
def test_a_receipt_that_says_no_outcome_is_malformed(fields: dict[str, Any]) -> None:
    """Without a readable status (0 or 1) or, before Byzantium, a state root, a receipt is WireError, not success."""
    with pytest.raises(WireError):
        parse_receipt({**RECEIPT, **fields}, 30_000)
    with pytest.raises(WireError):
        parse_receipt_link({**RECEIPT, "transactionHash": "0x" + "11" * 32, **fields})


def test_receipt_status_and_transfer_logs() -> None:
    """Status 0 is REVERTED; three-topic Transfer logs are ERC-20 transfers, four-topic ones (ERC-721) are not."""
    sender = "0x" + "00" * 12 + "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    recipient = "0x" + "00" * 12 + "70997970c51812dc3a010c7d01b50e0d17dc79c8"
    token = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
    receipt = parse_receipt(
        {
            "status": "0x0",
            "blockNumber": "0x10",
            "blockHash": "0x" + "22" * 32,
            "gasUsed": "0x5208",
            "effectiveGasPrice": "0x3b9aca00",
            "logs": [
                {
                    "address": token,
                    "topics": [TRANSFER, sender, recipient],
                    "data": "0x" + "00" * 31 + "07",
                    "logIndex": "0x0",
                },
                {
                    "address": token,
                    "topics": [TRANSFER, sender, recipient, "0x" + "00" * 32],
                    "data": "0x",
                    "logIndex": "0x1",
                },
            ],
        }
    )
    assert receipt.status is TxStatus.REVERTED
    transfers = erc20_transfers(receipt.logs)
    assert len(transfers) == 1
    assert transfers[0][3] == 7


def test_fee_history_parsed() -> None:
    """Base fees (ending with the next block's), ratios and reward rows."""
    base, ratios, rewards = parse_fee_history(
        {"baseFeePerGas": ["0x1", "0x2", "0x3"], "gasUsedRatio": [0.5, 1.0], "reward": [["0x1", "0x2"], ["0x3", "0x4"]]}
    )
    assert base == (1, 2, 3)
    assert ratios == (0.5, 1.0)
    assert rewards == ((1, 2), (3, 4))


def test_symbol_string_and_bytes32() -> None:
    """symbol() as an ABI string and as bytes32 (older tokens) both decode."""
    abi = (32).to_bytes(32, "big") + (4).to_bytes(32, "big") + b"STRD".ljust(32, b"\0")
    assert decode_symbol(abi) == "STRD"
    assert decode_symbol(b"MKR".ljust(32, b"\0")) == "MKR"
    assert decode_symbol(b"\x01\x02") is None


def test_quantity_bounds() -> None:
    """Quantities are non-negative 256-bit numbers."""
    assert quantity("0xff", "x") == 255
    with pytest.raises(WireError):
        quantity("0x" + "f" * 65, "x")
    with pytest.raises(WireError):
        quantity(-1, "x")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=70),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=8),
    max_leaves=30,
)


@given(json_values)
def test_parsers_never_raise_anything_but_wire_error(value: Any) -> None:
    """Whatever a node sends, a parser returns a value or raises WireError."""
    for parser in (parse_tx, parse_receipt, parse_fee_history, parse_pool_content_from):
        with contextlib.suppress(WireError):
            parser(value)


@given(st.dictionaries(st.sampled_from(sorted(TX)), json_values, max_size=6))
def test_transaction_with_random_fields(overrides: dict[str, Any]) -> None:
    """A mostly valid transaction with random fields replaced parses or raises WireError only."""
    with contextlib.suppress(WireError):
        parse_tx({**TX, **overrides})


@given(st.binary(max_size=200))
def test_symbol_decoder_total(raw: bytes) -> None:
    """Any bytes decode to a short printable symbol or None."""
    out = decode_symbol(raw)
    assert out is None or (len(out) <= 16 and out.isprintable())


@pytest.mark.parametrize(
    ("reply", "value", "unreadable"),
    [
        (Reply(value={"pending": "0x2", "queued": "0x1"}), PoolStatus(2, 1), False),
        (Reply(value={"pending": "two"}), None, True),  # a malformed answer could not be read
        (Reply(error=RpcItemError(-32601, "Method not found")), None, False),  # no pool method: normal
        (Reply(error=RpcItemError(-32000, "internal error")), None, True),  # any other failure: could not read
        (Reply(value=None), None, True),
    ],
)
def test_pool_answers(reply: Reply, value: PoolStatus | None, unreadable: bool) -> None:
    """A node without txpool methods is absent by design; any other failure marks the pool unreadable."""
    assert read_pool(reply, parse_pool_status) == (value, unreadable)
