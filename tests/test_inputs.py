"""Parsing what users send: hashes, addresses, languages."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from txdiag.errors import BadInput
from txdiag.inputs import parse_address, parse_hash, parse_lang

H = "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0x" + H, "0x" + H),
        (H, "0x" + H),
        ("0x" + H.upper(), "0x" + H),
        ("  0x" + H + "\n", "0x" + H),
    ],
)
def test_hash_normalised(text: str, expected: str) -> None:
    """Hashes with or without 0x, any case, surrounding space, become lower-case 0x hex."""
    assert parse_hash(text) == expected


@pytest.mark.parametrize(
    "text", ["", "0x", "0x12", "0x" + H[:-1], "0x" + H + "0", "0x" + "g" * 64, "0X" + H, "1" * 300]
)
def test_bad_hash_refused(text: str) -> None:
    """Anything but 32 bytes of hex is refused with a message that says what was expected."""
    with pytest.raises(BadInput, match="64 hex digits"):
        parse_hash(text)


def test_bad_hash_message_is_bounded() -> None:
    """A huge or binary input is not echoed back whole."""
    with pytest.raises(BadInput) as info:
        parse_hash("\x00" * 10_000)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        ("0x70997970C51812DC3A010C7D01B50E0D17DC79C8", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    ],
)
def test_address_checksummed(text: str, expected: str) -> None:
    """Lower, upper and correctly checksummed addresses all give the EIP-55 form."""
    assert parse_address(text) == expected


def test_address_with_wrong_checksum_refused() -> None:
    """A mixed-case address whose checksum fails is a likely typo, refused with the corrected form."""
    with pytest.raises(BadInput, match="checksum"):
        parse_address("0x70997970C51812dc3A010C7d01b50e0d17dc79c8")


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        (None, None, "en"),
        ("zh-CN", None, "zh-CN"),
        ("zh", None, "zh-CN"),
        ("en-GB", "zh-CN", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        (None, "fr-FR, en;q=0.5, zh;q=0.9", "zh-CN"),
        (None, "de, fr", "en"),
        (None, "zh-TW", "en"),
        (None, "en;q=0, zh-Hans;q=0.1", "zh-CN"),
        (None, ";;,,q=,", "en"),
    ],
)
def test_language_choice(lang: str | None, header: str | None, expected: str) -> None:
    """An explicit lang wins; else Accept-Language by q-value; else English."""
    assert parse_lang(lang, header) == expected


def test_unsupported_language_refused() -> None:
    """An explicit unsupported language is bad input, not silently English."""
    with pytest.raises(BadInput, match="supported"):
        parse_lang("fr")


@given(st.text(max_size=200))
def test_parsers_raise_only_bad_input(text: str) -> None:
    """No text makes a parser raise anything but BadInput."""
    for parser in (parse_hash, parse_address, parse_lang):
        with contextlib.suppress(BadInput):
            parser(text)


@given(st.text(max_size=300))
def test_accept_language_never_fails(header: str) -> None:
    """Any Accept-Language header yields a supported language."""
    assert parse_lang(None, header) in ("en", "zh-CN")
