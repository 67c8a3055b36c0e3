"""Checksummed addresses and selectors: the same answers as eth-utils, without loading it at run time."""

from __future__ import annotations

import sys

import pytest
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address as reference
from hypothesis import given, settings
from hypothesis import strategies as st

from txdiag import checksum
from txdiag.checksum import keccak_pure, selector, to_checksum_address


@settings(deadline=None)  # a shared machine may stall any one example; the answers are what is checked
@given(st.binary(min_size=20, max_size=20))
def test_checksum_matches_eth_utils(raw: bytes) -> None:
    """From bytes, lower case, upper case or already checksummed text: eth-utils' EIP-55 answer."""
    expected = reference(raw)
    assert to_checksum_address(raw) == expected
    for text in ("0x" + raw.hex(), "0x" + raw.hex().upper(), raw.hex(), expected):
        assert to_checksum_address(text) == expected


@pytest.mark.parametrize("bad", ["", "0x", "0x" + "g" * 40, "0x" + "a" * 39, "0x" + "a" * 41, "1" * 42])
def test_not_an_address(bad: str) -> None:
    """Anything but 40 hex digits (after an optional 0x) is refused."""
    with pytest.raises(ValueError, match="not an address"):
        to_checksum_address(bad)


@pytest.mark.parametrize("signature", ["transfer(address,uint256)", "Error(string)", "Panic(uint256)", "x()"])
def test_selector_matches_eth_utils(signature: str) -> None:
    """The 4-byte selector of a signature."""
    assert selector(signature) == function_signature_to_4byte_selector(signature)


@settings(deadline=None)
@given(st.binary(max_size=600))
def test_python_keccak_matches_pycryptodome(data: bytes) -> None:
    """The Python Keccak-256 a process starts with: pycryptodome's digest, across block boundaries (136 bytes)."""
    from Crypto.Hash import keccak as reference_keccak

    assert keccak_pure(data) == reference_keccak.new(data=data, digest_bits=256).digest()


def test_keccak_of_known_inputs() -> None:
    """Keccak-256's published digests: the empty string and 'abc' (the original padding, not SHA3-256's)."""
    assert keccak_pure(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak_pure(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"


def test_keccak_switches_to_pycryptodome_with_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the process's Python hashes pycryptodome answers, with the same digests."""
    monkeypatch.setattr(checksum, "_pure_left", [2])
    inputs = [bytes([i]) * i for i in range(5)]
    assert [checksum.keccak(d) for d in inputs] == [keccak_pure(d) for d in inputs]
    assert checksum._pure_left == [0]
    assert "Crypto.Hash.keccak" in sys.modules
