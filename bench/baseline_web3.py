"""The baseline: the same facts fetched the way a developer would write it with web3.py.

Sequential calls on web3's own HTTP provider, one request per fact, nothing
shared between lookups. It is what txdiag is measured against.
"""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.exceptions import TransactionNotFound

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
ERC20_ABI = [
    {"name": "symbol", "type": "function", "inputs": [], "outputs": [{"type": "string"}], "stateMutability": "view"},
    {"name": "decimals", "type": "function", "inputs": [], "outputs": [{"type": "uint8"}], "stateMutability": "view"},
]


def lookup(w3: Web3, tx_hash: str) -> dict[str, Any]:
    """Transaction, receipt, head, finality, fees, pool; nonces when pending; token metadata; the revert trace."""
    facts: dict[str, Any] = {}
    try:
        tx = w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        return {"found": False}
    facts["tx"] = tx
    try:
        receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        receipt = None
    facts["receipt"] = receipt
    facts["latest"] = w3.eth.get_block("latest")
    facts["finalized"] = w3.eth.get_block("finalized")
    facts["safe"] = w3.eth.get_block("safe")
    facts["fees"] = w3.eth.fee_history(20, "latest", [10, 25, 50, 75, 90])
    facts["pool"] = w3.manager.request_blocking("txpool_status", [])
    if receipt is None:
        facts["nonce_latest"] = w3.eth.get_transaction_count(tx["from"], "latest")
        facts["nonce_pending"] = w3.eth.get_transaction_count(tx["from"], "pending")
        return facts
    tokens = {}
    for log in receipt["logs"]:
        if log["topics"] and log["topics"][0].to_0x_hex() == TRANSFER_TOPIC and len(log["topics"]) == 3:
            token = w3.eth.contract(address=log["address"], abi=ERC20_ABI)
            tokens[log["address"]] = (token.functions.symbol().call(), token.functions.decimals().call())
    facts["tokens"] = tokens
    if receipt["to"] is not None:
        facts["recipient_code"] = w3.eth.get_code(receipt["to"])
    if receipt["status"] == 0:
        facts["trace"] = w3.manager.request_blocking("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
    return facts
