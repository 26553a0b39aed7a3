"""UK postcode validation and normalisation rules (SPEC §4.1, sites and geography)."""

from __future__ import annotations

import pytest
from localwealth_shared.reference.geography.postcodes import (
    PostcodeError,
    is_valid_postcode,
    normalise_postcode,
    postcode_outcode,
    postcode_sector,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),  # the SPEC's worked example
        (" ox1  1bx ", "OX1 1BX"),
        ("EC1A 1BB", "EC1A 1BB"),  # AA9A
        ("W1A 0AX", "W1A 0AX"),  # A9A
        ("M1 1AE", "M1 1AE"),  # A9
        ("B33 8TH", "B33 8TH"),  # A99
        ("CR2 6XH", "CR2 6XH"),  # AA9
        ("DN55 1PT", "DN55 1PT"),  # AA99
        ("gir0aa", "GIR 0AA"),  # Girobank special case
        ("GIR 0AA", "GIR 0AA"),
        ("\tbt1\u00a01aa\n", "BT1 1AA"),  # tab and non-breaking space pasted from a spreadsheet
        ("s w 1 a 1 a a", "SW1A 1AA"),
    ],
)
def test_valid_postcodes_are_normalised(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected
    assert is_valid_postcode(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "XYZ",
        "12345",
        "OX1",  # outward code only
        "SW1A 1A",  # inward code too short
        "SW1A 1AAA",  # inward code too long
        "Q1 1AA",  # Q never starts a postcode
        "V1 1AA",  # nor V
        "X1 1AA",  # nor X
        "AI1 1AA",  # I never in second position
        "OX1 1CA",  # C never in the inward code
        "OX1 1BK",  # nor K
        "W1I 1AA",  # I cannot end an A9A outward code
        "SW1C 1AA",  # C cannot end an AA9A outward code
        "OX1-1BX",  # punctuation is not silently dropped
        "OX123 1BX",
        "NPT 0AD",  # retired Newport format
        "BFPO 123",  # only with allow_bfpo
    ],
)
def test_malformed_postcodes_are_rejected_with_format_rule(raw: str) -> None:
    with pytest.raises(PostcodeError) as excinfo:
        normalise_postcode(raw)
    assert excinfo.value.rule == "postcode.format"
    assert excinfo.value.value == raw
    assert "not a valid UK postcode" in str(excinfo.value)
    assert not is_valid_postcode(raw)


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_empty_postcode_has_its_own_rule(raw: str) -> None:
    with pytest.raises(PostcodeError) as excinfo:
        normalise_postcode(raw)
    assert excinfo.value.rule == "postcode.empty"


def test_postcode_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="XYZ"):
        normalise_postcode("XYZ")


@pytest.mark.parametrize(("raw", "expected"), [("bfpo 123", "BFPO 123"), ("BFPO0057", "BFPO 57"), ("BFPO 1", "BFPO 1")])
def test_bfpo_numbers_are_accepted_when_allowed(raw: str, expected: str) -> None:
    assert normalise_postcode(raw, allow_bfpo=True) == expected


def test_bfpo_number_must_be_short() -> None:
    with pytest.raises(PostcodeError):
        normalise_postcode("BFPO 12345", allow_bfpo=True)


@pytest.mark.parametrize(
    ("raw", "sector", "outcode"),
    [
        ("OX1 1BX", "OX1 1", "OX1"),
        ("sw1a1aa", "SW1A 1", "SW1A"),
        ("B33 8TH", "B33 8", "B33"),
        ("W1A 0AX", "W1A 0", "W1A"),
    ],
)
def test_sector_and_outcode(raw: str, sector: str, outcode: str) -> None:
    assert postcode_sector(raw) == sector
    assert postcode_outcode(raw) == outcode


def test_sector_of_malformed_postcode_raises() -> None:
    with pytest.raises(PostcodeError):
        postcode_sector("OX1")
