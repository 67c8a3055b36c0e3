"""EIP-55 checksummed addresses and 4-byte selectors, on keccak alone.

eth-utils does the same, but loading it costs more than the rest of a payment's
diagnosis (it pulls in pydantic and cytoolz); keccak is all these two need. It is
taken from pycryptodome (eth-hash's backend) directly: eth-hash finds its backend
through importlib.metadata, which costs more than the hashing. A test holds both
to eth-utils' answers.
"""

from __future__ import annotations

import functools
import re


def keccak(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's, not SHA3-256); the library loads on the first hash, so refusing bad input never does."""
    from Crypto.Hash import keccak as _keccak  # noqa: PLC0415

    return _keccak.new(data=data, digest_bits=256).digest()


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
