"""A token that lies about itself: its symbol (and name) is whatever text a test chooses, HTML included.

Assembled by hand, so no compiler is needed: ``symbol()`` and ``name()`` return
the chosen string, ``decimals()`` returns 18, and ``transfer(to, amount)`` emits
a real ERC-20 Transfer log from the caller and returns true. Nothing is stored;
balances are not checked (it only has to look like a token in a receipt).
"""

from __future__ import annotations

from eth_abi.abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from tests.support.chain import Chain

TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
SELECTORS = {
    "symbol": keccak(text="symbol()")[:4],
    "name": keccak(text="name()")[:4],
    "decimals": keccak(text="decimals()")[:4],
    "transfer": keccak(text="transfer(address,uint256)")[:4],
}

PUSH1, PUSH2, PUSH4, PUSH32 = 0x60, 0x61, 0x63, 0x7F
CALLDATALOAD, SHR, DUP1, EQ, JUMPI, JUMPDEST = 0x35, 0x1C, 0x80, 0x14, 0x57, 0x5B
MSTORE, CALLER, LOG3, RETURN, REVERT, CODECOPY = 0x52, 0x33, 0xA3, 0xF3, 0xFD, 0x39


def runtime(symbol: str) -> bytes:
    """The token's runtime code: a selector switch, then the ABI-encoded string at the end of the code."""
    blob = encode(["string"], [symbol])

    def program(sym_at: int, dec_at: int, xfer_at: int, blob_at: int) -> tuple[bytes, dict[str, int]]:
        code = bytearray([PUSH1, 0, CALLDATALOAD, PUSH1, 0xE0, SHR])
        for name, target in (("symbol", sym_at), ("name", sym_at), ("decimals", dec_at), ("transfer", xfer_at)):
            code += bytes([DUP1, PUSH4]) + SELECTORS[name] + bytes([EQ, PUSH2]) + target.to_bytes(2, "big")
            code += bytes([JUMPI])
        code += bytes([PUSH1, 0, DUP1, REVERT])
        marks = {"xfer": len(code)}
        # transfer(to, amount): Transfer(caller, to, amount), return true
        code += bytes([JUMPDEST, PUSH1, 0x24, CALLDATALOAD, PUSH1, 0, MSTORE, PUSH1, 0x04, CALLDATALOAD, CALLER])
        code += bytes([PUSH32]) + TRANSFER_TOPIC + bytes([PUSH1, 0x20, PUSH1, 0, LOG3])
        code += bytes([PUSH1, 1, PUSH1, 0, MSTORE, PUSH1, 0x20, PUSH1, 0, RETURN])
        marks["dec"] = len(code)
        code += bytes([JUMPDEST, PUSH1, 18, PUSH1, 0, MSTORE, PUSH1, 0x20, PUSH1, 0, RETURN])
        marks["sym"] = len(code)
        size = len(blob).to_bytes(2, "big")
        code += bytes([JUMPDEST, PUSH2]) + size + bytes([PUSH2]) + blob_at.to_bytes(2, "big")
        code += bytes([PUSH1, 0, CODECOPY, PUSH2]) + size + bytes([PUSH1, 0, RETURN])
        marks["blob"] = len(code)
        return bytes(code), marks

    # two passes: the first finds where each part lands, the second writes the jump targets
    _, marks = program(0, 0, 0, 0)
    code, again = program(marks["sym"], marks["dec"], marks["xfer"], marks["blob"])
    assert again == marks
    return code + blob


def deploy(chain: Chain, sender: LocalAccount, symbol: str) -> str:
    """Deploy the token with a real signed transaction; its address."""
    return chain.deploy_runtime(sender, runtime(symbol))


def transfer_data(to: str, amount: int) -> bytes:
    return SELECTORS["transfer"] + encode(["address", "uint256"], [to, amount])
