"""Work on one answer is bounded and linear: a 20,000-log airdrop receipt is read in well under a second."""

from __future__ import annotations

import time

from txdiag.models import LogView, ReceiptView, TxStatus, TxView
from txdiag.transfers import MAX_PAYMENTS, payments
from txdiag.wire import TRANSFER_TOPIC

SENDER = "0x" + "11" * 20
TOKEN = "0x" + "22" * 20


def airdrop(n: int) -> tuple[TxView, ReceiptView]:
    """A transaction whose receipt holds ``n`` Transfer logs from the sender to ``n`` distinct recipients."""
    sender_topic = bytes(12) + bytes.fromhex(SENDER[2:])
    logs = tuple(
        LogView(
            address=TOKEN,
            topics=(TRANSFER_TOPIC, sender_topic, bytes(12) + i.to_bytes(20, "big")),
            data=(1).to_bytes(32, "big"),
            log_index=i,
        )
        for i in range(1, n + 1)
    )
    tx = TxView(
        hash="0x" + "33" * 32,
        sender=SENDER,
        to=TOKEN,
        nonce=1,
        value=0,
        gas=30_000_000,
        type=2,
        input=b"",
        gas_price=1,
        max_fee_per_gas=1,
        max_priority_fee_per_gas=1,
        block_number=10,
        block_hash="0x" + "44" * 32,
    )
    receipt = ReceiptView(TxStatus.SUCCESS, 10, "0x" + "44" * 32, 21_000, 1, logs)
    return tx, receipt


def test_recipients_of_a_huge_airdrop_are_capped_and_linear() -> None:
    """20,000 distinct recipients: at most MAX_PAYMENTS kept, found with one set look-up each (not n**2)."""
    tx, receipt = airdrop(20_000)
    started = time.process_time()
    paid = payments(tx, receipt)
    spent = time.process_time() - started
    assert len(paid) == MAX_PAYMENTS
    assert len({p.address.lower() for p in paid}) == MAX_PAYMENTS
    assert spent < 1.0, spent  # quadratic comparison took tens of seconds here
