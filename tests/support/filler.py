"""A token whose ``transfer`` emits many filler events before its Transfer log (or instead of it).

Assembled by hand, so no compiler is needed. Any call is taken as
``transfer(to, amount)``: it emits ``fillers`` events ``Filler()`` (one topic,
no data), then, when ``pays``, a real ERC-20 Transfer log from the caller to
``to``, and returns true either way. Nothing is stored; balances are not
checked (it only has to look like a token in a receipt).
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from tests.support.chain import Chain

TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
FILLER_TOPIC = keccak(text="Filler()")

PUSH1, PUSH2, PUSH32 = 0x60, 0x61, 0x7F
CALLDATALOAD, CALLER, DUP1, SWAP1, SUB, POP = 0x35, 0x33, 0x80, 0x90, 0x03, 0x50
JUMPI, JUMPDEST, MSTORE, LOG1, LOG3, RETURN = 0x57, 0x5B, 0x52, 0xA1, 0xA3, 0xF3
LOOP = 3  # where the loop's JUMPDEST sits: after PUSH2 n


def runtime(fillers: int, *, pays: bool) -> bytes:
    """The runtime code: ``fillers`` Filler() events in a loop, the Transfer log when ``pays``, return true."""
    assert 0 < fillers < 2**16
    code = bytearray([PUSH2]) + fillers.to_bytes(2, "big")
    assert len(code) == LOOP
    code += bytes([JUMPDEST, PUSH32]) + FILLER_TOPIC + bytes([PUSH1, 0, DUP1, LOG1])  # log1(0, 0, Filler)
    code += bytes([PUSH1, 1, SWAP1, SUB, DUP1, PUSH1, LOOP, JUMPI, POP])  # i -= 1; if i: loop
    if pays:
        # Transfer(caller, to, amount): the amount in memory, to and caller as topics
        code += bytes([PUSH1, 0x24, CALLDATALOAD, PUSH1, 0, MSTORE, PUSH1, 0x04, CALLDATALOAD, CALLER])
        code += bytes([PUSH32]) + TRANSFER_TOPIC + bytes([PUSH1, 0x20, PUSH1, 0, LOG3])
    code += bytes([PUSH1, 1, PUSH1, 0, MSTORE, PUSH1, 0x20, PUSH1, 0, RETURN])
    return bytes(code)


def deploy(chain: Chain, sender: LocalAccount, fillers: int, *, pays: bool) -> str:
    """Deploy the token with a real signed transaction; its address."""
    return chain.deploy_runtime(sender, runtime(fillers, pays=pays))
