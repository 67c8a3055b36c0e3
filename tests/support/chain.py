"""Real signed transactions for scenarios: accounts, sending, deploying the test contracts."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address

from tests.support.anvil import MNEMONIC, Anvil

ARTIFACTS = Path(__file__).resolve().parents[1] / "contracts" / "artifacts.json"
GWEI = 10**9

Account.enable_unaudited_hdwallet_features()


@cache
def account(index: int) -> LocalAccount:
    """The node's prefunded account ``index`` (derived from the standard test mnemonic)."""
    acct: LocalAccount = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return acct


@cache
def artifacts() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ARTIFACTS.read_text())
    return data


@dataclass
class Chain:
    """Send real transactions to one node."""

    node: Anvil

    def nonce(self, addr: str, tag: str = "pending") -> int:
        return int(self.node.rpc("eth_getTransactionCount", addr, tag), 16)

    def base_fee(self) -> int:
        block = self.node.rpc("eth_getBlockByNumber", "pending", False)
        return int(block["baseFeePerGas"], 16)

    def send(
        self,
        sender: LocalAccount,
        to: str | None,
        *,
        value: int = 0,
        data: bytes | str = b"",
        gas: int = 100_000,
        nonce: int | None = None,
        max_fee: int | None = None,
        tip: int = 1 * GWEI,
        legacy_gas_price: int | None = None,
        wait: bool | None = None,
    ) -> str:
        """Sign and send; returns the hash. Gas is explicit so failing calls are sent, not refused by estimation.

        With automine on (or ``wait=True``) this returns once the receipt exists:
        anvil answers eth_sendRawTransaction before its automined block is sealed.
        """
        tx: dict[str, Any] = {
            "chainId": self.node.chain_id,
            "nonce": self.nonce(sender.address) if nonce is None else nonce,
            "to": to_checksum_address(to) if to else None,
            "value": value,
            "gas": gas,
            "data": data if isinstance(data, bytes) else bytes.fromhex(data.removeprefix("0x")),
        }
        if tx["to"] is None:
            del tx["to"]
        if legacy_gas_price is not None:
            tx["gasPrice"] = legacy_gas_price
        else:
            tx["maxFeePerGas"] = max_fee if max_fee is not None else 2 * self.base_fee() + tip
            tx["maxPriorityFeePerGas"] = tip
        signed = sender.sign_transaction(tx)
        result: str = self.node.rpc("eth_sendRawTransaction", "0x" + bytes(signed.raw_transaction).hex())
        if wait if wait is not None else self._automine():
            self.wait(result)
        return result

    def wait(self, tx_hash: str, timeout: float = 10.0) -> dict[str, Any]:
        """The receipt, once the node has one."""
        deadline = time.monotonic() + timeout
        while True:
            receipt = self.receipt(tx_hash)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                raise TimeoutError(f"no receipt for {tx_hash} after {timeout} s")
            time.sleep(0.005)

    def receipt(self, tx_hash: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.node.rpc("eth_getTransactionReceipt", tx_hash)
        return result

    def deploy(self, name: str, sender: LocalAccount, *args_data: bytes, gas: int = 5_000_000) -> str:
        """Deploy a test contract (constructor arguments already ABI-encoded); returns its address."""
        code = artifacts()[name]["bytecode"].removeprefix("0x") + b"".join(args_data).hex()
        automine = self._automine()
        tx_hash = self.send(sender, None, data=code, gas=gas, wait=False)
        if not automine:
            self.node.mine()
        receipt = self.wait(tx_hash)
        assert receipt["status"] == "0x1", f"deploying {name} failed"
        return to_checksum_address(receipt["contractAddress"])

    def deploy_runtime(self, sender: LocalAccount, runtime: bytes, gas: int = 500_000) -> str:
        """Deploy hand-assembled ``runtime`` code (creation code that copies it out and returns it); its address."""
        tx_hash = self.send(sender, None, data=creation_code(runtime), gas=gas)
        receipt = self.wait(tx_hash)
        assert receipt["status"] == "0x1", receipt
        return to_checksum_address(receipt["contractAddress"])

    def _automine(self) -> bool:
        return bool(self.node.rpc("anvil_getAutomine"))


def calldata(contract: str, fn: str, *args: Any) -> bytes:
    """ABI-encode a call to a test contract's function by name."""
    from eth_abi.abi import encode
    from eth_utils.crypto import keccak

    abi = artifacts()[contract]["abi"]
    matches = [x for x in abi if x.get("type") == "function" and x["name"] == fn and len(x["inputs"]) == len(args)]
    assert matches, f"{contract}.{fn} with {len(args)} arguments"
    types = [i["type"] for i in matches[0]["inputs"]]
    selector = keccak(text=f"{fn}({','.join(types)})")[:4]
    return selector + encode(types, list(args))


def creation_code(runtime: bytes) -> bytes:
    """Creation code that copies ``runtime`` (which follows it) into memory and returns it."""
    push2, dup1, push1, codecopy, ret = 0x61, 0x80, 0x60, 0x39, 0xF3
    prefix_len = 13
    prefix = bytes([push2]) + len(runtime).to_bytes(2, "big") + bytes([dup1, push2]) + prefix_len.to_bytes(2, "big")
    prefix += bytes([push1, 0, codecopy, push1, 0, ret])
    assert len(prefix) == prefix_len
    return prefix + runtime


def hostile_payments(
    node: Anvil, sender: LocalAccount, recipient: str, *, name: str, symbol: str, reason: str
) -> dict[str, str]:
    """The Hostile test token (tests/contracts) deployed with chain text of a test's choosing, and two of its
    transfers: one that went through and one that reverted with ``reason``; 70 blocks deep.

    {"token": its address, "ok": the transfer that went through, "failed": the one that reverted}
    """
    from eth_abi.abi import encode

    chain = Chain(node)
    token = chain.deploy(
        "Hostile", sender, encode(["string", "string", "string"], [name, symbol, reason]), gas=12_000_000
    )
    chain.send(sender, token, data=calldata("Hostile", "mint", sender.address, 10**18))
    ok = chain.send(sender, token, data=calldata("Hostile", "transfer", recipient, 10**17))
    failed = chain.send(sender, token, data=calldata("Hostile", "transfer", recipient, 10**30), gas=200_000)
    assert chain.wait(failed)["status"] == "0x0"
    node.mine(70)
    return {"token": token, "ok": ok, "failed": failed}
