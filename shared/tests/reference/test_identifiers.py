import pytest
from localwealth_shared.reference.identifiers import (
    DEFAULT_CANONICAL_PRIORITY,
    KNOWN_SCHEMES,
    Identifier,
    IdentifierError,
    canonical_identifier,
    normalise_identifier,
    parse_org_id,
)


def test_register_is_loaded_in_full() -> None:
    assert len(KNOWN_SCHEMES) == 823
    assert KNOWN_SCHEMES["GB-COH"].name == "Companies House"
    assert "SC042386" in KNOWN_SCHEMES["GB-SC"].examples


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        ("GB-COH", "3416658", "03416658"),
        ("GB-COH", "03416658", "03416658"),
        ("GB-COH", "sc123456", "SC123456"),
        ("GB-COH", "SC12345", "SC012345"),
        ("GB-COH", " ni 012345 ", "NI012345"),
        ("GB-COH", "oc301234", "OC301234"),
        ("GB-COH", "RS7924", "RS007924"),
        ("GB-COH", "IP28190", "IP028190"),
        ("GB-COH", "R0000123", "R0000123"),
        ("GB-COH", "003416658", "03416658"),
        ("gb-coh", "GB-COH-3416658", "03416658"),
        ("GB-CHC", "1090095", "1090095"),
        ("GB-CHC", "279 417", "279417"),
        ("GB-SC", "SC012345", "SC012345"),
        ("GB-SC", "sc12345", "SC012345"),
        ("GB-SC", "42386", "SC042386"),
        ("GB-NIC", "NIC100019", "100019"),
        ("GB-NIC", "100019", "100019"),
        ("GB-MPR", "12345r", "12345R"),
        ("GB-MPR", "235C", "235C"),
        ("GB-MPR", "2512RS", "2512RS"),
        ("GB-MPR", "IP031455", "IP031455"),
        ("GB-CASC", "DF679063", "df679063"),
        ("GB-EDU", "125554", "125554"),
        ("GB-UKPRN", "10000346", "10000346"),
        ("GB-LAE", "wot", "WOT"),
        ("GB-LAS", "ZET", "ZET"),
        ("GB-PLA", "agy", "AGY"),
        ("XI-LEI", "5493001KJTIIGC8Y1R12", "5493001KJTIIGC8Y1R12"),
    ],
)
def test_normalise_identifier(scheme: str, value: str, expected: str) -> None:
    identifier = normalise_identifier(scheme, value)
    assert identifier.id == expected
    assert identifier.scheme == scheme.upper()


def test_org_id_joins_scheme_and_id() -> None:
    assert normalise_identifier("GB-COH", "3416658").org_id == "GB-COH-03416658"
    assert Identifier("GB-SC", "SC012345").as_dict() == {"scheme": "GB-SC", "id": "SC012345"}


@pytest.mark.parametrize(
    ("text", "scheme", "value"),
    [
        ("GB-COH-03416658", "GB-COH", "03416658"),
        ("gb-coh-3416658", "GB-COH", "03416658"),
        ("GB-SC-SC012345", "GB-SC", "SC012345"),
        ("GB-SC-sc12345", "GB-SC", "SC012345"),
        ("GB-NIC-NIC100019", "GB-NIC", "100019"),
        ("GB-CASC-df679063", "GB-CASC", "df679063"),
        ("XI-LEI-5493001KJTIIGC8Y1R12", "XI-LEI", "5493001KJTIIGC8Y1R12"),
    ],
)
def test_parse_org_id(text: str, scheme: str, value: str) -> None:
    assert parse_org_id(text) == Identifier(scheme, value)


def test_parse_org_id_round_trips_the_canonical_form() -> None:
    identifier = normalise_identifier("GB-SC", "SC012345")
    assert parse_org_id(identifier.org_id) == identifier
    assert identifier.org_id == "GB-SC-SC012345"


@pytest.mark.parametrize(
    ("scheme", "value", "rule"),
    [
        ("GB-COH", "123456789", "identifier.gb_coh.format"),
        ("GB-COH", "SC1234567", "identifier.gb_coh.format"),
        ("GB-COH", "S1234567", "identifier.gb_coh.prefix"),
        ("GB-COH", "XX123456", "identifier.gb_coh.prefix"),
        ("GB-COH", "03-416658", "identifier.gb_coh.format"),
        ("GB-CHC", "12345", "identifier.gb_chc.format"),
        ("GB-CHC", "1123456-1", "identifier.gb_chc.format"),
        ("GB-SC", "SC1234567", "identifier.gb_sc.format"),
        ("GB-SC", "NI012345", "identifier.gb_sc.format"),
        ("GB-NIC", "NIC1000", "identifier.gb_nic.format"),
        ("GB-MPR", "R12345", "identifier.gb_mpr.format"),
        ("GB-CASC", "df67906", "identifier.gb_casc.format"),
        ("GB-EDU", "12A456", "identifier.gb_edu.format"),
        ("GB-UKPRN", "20000346", "identifier.gb_ukprn.format"),
        ("GB-LAE", "W0T", "identifier.gb_lae.format"),
        ("GB-FOO", "123", "identifier.unknown_scheme"),
        ("COH", "03416658", "identifier.unknown_scheme"),
        ("", "03416658", "identifier.empty"),
        ("GB-COH", "   ", "identifier.empty"),
        ("XI-LEI", "x" * 101, "identifier.format"),
    ],
)
def test_malformed_identifiers_name_the_rule(scheme: str, value: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        normalise_identifier(scheme, value)
    assert caught.value.rule == rule
    assert str(caught.value)


def test_gb_coh_message_explains_the_format() -> None:
    with pytest.raises(IdentifierError, match="8 characters: 8 digits, or a 2-letter prefix and 6 digits"):
        normalise_identifier("GB-COH", "123456789")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("GB-FOO-123", "identifier.unknown_scheme"),
        ("03416658", "identifier.unknown_scheme"),
        ("GB-COH", "identifier.empty"),
        ("GB-COH-", "identifier.empty"),
        ("", "identifier.empty"),
        ("GB-COH-12345678901", "identifier.gb_coh.format"),
    ],
)
def test_parse_org_id_errors(text: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_org_id(text)
    assert caught.value.rule == rule


def test_canonical_identifier_follows_priority() -> None:
    mpr = Identifier("GB-MPR", "12345R")
    coh = Identifier("GB-COH", "RS007924")
    chc = Identifier("GB-CHC", "1090095")
    lei = Identifier("XI-LEI", "5493001KJTIIGC8Y1R12")
    assert canonical_identifier([mpr, lei, chc, coh]) == coh
    assert canonical_identifier([mpr, lei, chc]) == chc
    assert canonical_identifier([lei, mpr]) == mpr
    assert DEFAULT_CANONICAL_PRIORITY[0] == "GB-COH"


def test_canonical_identifier_orders_unlisted_schemes_deterministically() -> None:
    lei = Identifier("XI-LEI", "5493001KJTIIGC8Y1R12")
    edu = Identifier("GB-EDU", "125554")
    assert canonical_identifier([lei, edu]) == edu
    assert canonical_identifier([edu, lei]) == edu
    assert canonical_identifier([Identifier("GB-COH", "SC000002"), Identifier("GB-COH", "00000001")]) == Identifier(
        "GB-COH", "00000001"
    )


def test_canonical_identifier_priority_is_configurable() -> None:
    mpr = Identifier("GB-MPR", "12345R")
    coh = Identifier("GB-COH", "RS007924")
    assert canonical_identifier([coh, mpr], priority=("gb-mpr", "GB-COH")) == mpr


def test_canonical_identifier_of_nothing_is_none() -> None:
    assert canonical_identifier([]) is None
