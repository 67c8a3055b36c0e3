"""EIP-55 checksummed addresses and 4-byte selectors, on keccak alone.

eth-utils does the same, but loading it costs more than the rest of a payment's
diagnosis (it pulls in pydantic and cytoolz); keccak is all these two need. A
process's first hashes are computed here in Python (a payment's diagnosis hashes
two or three addresses, about 0.2 ms each, while loading pycryptodome's keccak
costs several milliseconds: ctypes, platform, shutil); past ``PURE_HASHES`` the
process loads pycryptodome (eth-hash's backend, directly: eth-hash finds its
backend through importlib.metadata, which costs more than the hashing). Tests
hold both to eth-utils' answers.
"""

from __future__ import annotations

import functools
import re

PURE_HASHES = 64
"""Hashes a process computes in Python before it loads pycryptodome's (a many-token receipt needs the C speed)."""


def keccak(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's, not SHA3-256): in Python for a process's first hashes, then pycryptodome's."""
    if _pure_left[0] > 0:
        _pure_left[0] -= 1  # a race between threads only moves the switch by a hash or two
        return keccak_pure(data)
    from Crypto.Hash import keccak as _keccak  # noqa: PLC0415

    return _keccak.new(data=data, digest_bits=256).digest()


_pure_left = [PURE_HASHES]

_MASK = (1 << 64) - 1
_RATE = 136  # bytes absorbed per permutation: 1600 - 2 * 256 bits of capacity


def _tables() -> tuple[tuple[int, ...], tuple[tuple[int, int, int], ...]]:
    """Keccak-f[1600]'s round constants (its LFSR) and, per lane x + 5y, the rho rotation and the pi destination."""
    constants, r = [], 1
    for _ in range(24):
        c = 0
        for j in range(7):
            r = ((r << 1) ^ ((r >> 7) * 0x71)) & 0xFF
            if r & 2:
                c |= 1 << ((1 << j) - 1)
        constants.append(c)
    rotation = [0] * 25
    x, y = 1, 0
    for t in range(24):
        rotation[x + 5 * y] = (t + 1) * (t + 2) // 2 % 64
        x, y = y, (2 * x + 3 * y) % 5
    moves = tuple((i, rotation[i], i // 5 + 5 * ((2 * (i % 5) + 3 * (i // 5)) % 5)) for i in range(25))
    return tuple(constants), moves


_ROUNDS, _RHO_PI = _tables()


def _permute(a: list[int]) -> None:
    """Keccak-f[1600] on 25 lanes of 64 bits, in place."""
    for rc in _ROUNDS:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[x - 1] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK) for x in range(5)]
        b = [0] * 25
        for i, rot, dest in _RHO_PI:
            v = a[i] ^ d[i % 5]
            b[dest] = ((v << rot) | (v >> (64 - rot))) & _MASK if rot else v
        for y in range(0, 25, 5):
            b0, b1, b2, b3, b4 = b[y : y + 5]
            a[y] = b0 ^ (~b1 & b2)
            a[y + 1] = b1 ^ (~b2 & b3)
            a[y + 2] = b2 ^ (~b3 & b4)
            a[y + 3] = b3 ^ (~b4 & b0)
            a[y + 4] = b4 ^ (~b0 & b1)
        a[0] ^= rc


def keccak_pure(data: bytes) -> bytes:
    """Keccak-256 in Python: the original Keccak padding (0x01 ... 0x80), not SHA3's."""
    padded = bytearray(data)
    padded.append(0x01)
    padded.extend(bytes(-len(padded) % _RATE))
    padded[-1] |= 0x80
    lanes = [0] * 25
    for start in range(0, len(padded), _RATE):
        for i in range(_RATE // 8):
            lanes[i] ^= int.from_bytes(padded[start + 8 * i : start + 8 * i + 8], "little")
        _permute(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


_BODY = re.compile(r"[0-9a-fA-F]{40}")


def to_checksum_address(address: str | bytes) -> str:
    """``0x`` and the 40 hex digits with EIP-55's capitals, from text or 20 bytes; ValueError when not an address."""
    if isinstance(address, bytes | bytearray):
        if len(address) != 20:
            raise ValueError(f"not an address: {len(address)} bytes")
        body = address.hex()
    else:
        body = address[2:] if address[:2] in ("0x", "0X") else address
    if not _BODY.fullmatch(body):
        raise ValueError(f"not an address: {address[:50]!r}")
    return _checksummed(body.lower())


@functools.lru_cache(maxsize=65_536)
def _checksummed(body: str) -> str:
    """One keccak per distinct address: a receipt's 20,000 logs of one token name one contract."""
    digest = keccak(body.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(body, digest, strict=False))


def selector(signature: str) -> bytes:
    """The 4-byte function or error selector of a canonical signature: ``transfer(address,uint256)``."""
    return bytes(keccak(signature.encode("ascii")))[:4]
