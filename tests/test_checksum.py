"""Checksummed addresses and selectors: the same answers as eth-utils, without loading it at run time."""

from __future__ import annotations

import pytest
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address as reference
from hypothesis import given, settings
from hypothesis import strategies as st

from txdiag.checksum import selector, to_checksum_address


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
