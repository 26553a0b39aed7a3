"""Co-operatives UK open data in the Digital Commons "standard" CSV (30 columns, one row per co-op).

The file is published by a third party, so a council cannot fix it: a row is rejected only when it has
no name; any other unreadable value is dropped with a warning and the rest of the row is kept.
See docs/imports.md for the column mapping, the identifier routing and the ownership table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from registry.imports.parsers.common import (
    FieldValueError,
    ImportFormatError,
    ParsedRow,
    RowError,
    clean,
    clean_multiline,
    clean_name,
    compact_identifier,
    count_csv_data_rows,
    decode_text,
    join_address_parts,
    normalise_email,
    normalise_website,
    pad_sic_code,
    parse_coordinate,
    read_csv_records,
    site,
    split_list,
    unique,
    without_empty,
)
from registry.rules.legal_forms import is_known_ownership_wording, map_legal_form, map_ownership

FORMAT = "coops-uk"
SOURCE_KEY_PREFIX = "coops-uk:"
REQUIRED_COLUMNS = ("Identifier", "Name")

# Legal forms registered with the FCA rather than Companies House (LegalForm values).
_SOCIETY_FORMS = frozenset({"registered_society_cooperative", "registered_society_community_benefit", "credit_union"})
# FCA Mutuals Public Register numbers carry a register suffix: 30187R, 2468RS (Scotland), 235C.
_FCA_REGISTER_NUMBER = re.compile(r"^\d{1,6}[A-Z]{1,2}$")
# Jersey, Guernsey and the Isle of Man keep their own company registries.
_CROWN_DEPENDENCY_POSTCODES = ("JE", "GY", "IM")
# Counties and cities the ONS names back to front in the Region column ("Bristol, City of").
_INVERTED_REGION = re.compile(r"^(?P<place>.+), (?P<kind>City|County) of$")


def count_rows(data: bytes) -> int:
    return count_csv_data_rows(data)


def parse(data: bytes) -> Iterator[ParsedRow]:
    records = read_csv_records(decode_text(data))
    header_record = next(records, None)
    if header_record is None:
        return
    header = [cell.strip() for cell in header_record[1]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFormatError(f"not a Co-operatives UK standard CSV: missing column(s) {', '.join(missing)}")
    for row_number, cells in records:
        yield _parse_record(row_number, dict(zip(header, cells, strict=False)))


def _parse_record(row_number: int, record: dict[str, str]) -> ParsedRow:
    code = clean(record.get("Identifier"))
    source_key = f"{SOURCE_KEY_PREFIX}{code}" if code else None
    name = clean_name(record.get("Name"))
    if name is None:
        return ParsedRow(row_number, None, [RowError(row_number, "Name", "a name is required")], source_key)

    warnings: list[RowError] = []
    company_number = clean(record.get("Companies House Number"))
    company_number = compact_identifier(company_number) if company_number else None
    legal_form = _legal_form(record, company_number, row_number, warnings)
    organisation: dict[str, Any] = {
        "name": name,
        "description": clean(record.get("Description")),
        "legal_form": legal_form,
        "identifiers": _identifiers(company_number, legal_form, clean(record.get("Postcode")), row_number, warnings),
        "ownership": _ownership(record, row_number, warnings),
        "sites": _sites(record, row_number, warnings),
        "sic_codes": unique([pad_sic_code(code) for code in split_list(record.get("SIC Code"))]),
        "website": normalise_website(record.get("Website")),
        "email": normalise_email(record.get("Email")),
    }
    return ParsedRow(row_number, without_empty(organisation), warnings, source_key)


def route_company_number(number: str, *, legal_form: str | None, postcode: str | None) -> dict[str, str] | None:
    """Decide which register the "Companies House Number" column really refers to (None: no register).

    - ``30187R``-style numbers (digits + register suffix) are FCA Mutuals Public Register numbers.
    - Purely numeric numbers on a registered society or credit union are FCA numbers too: societies are
      on Companies House only under IP/SP/NP/RS-prefixed numbers, never plain digits.
    - A purely numeric number at a Jersey, Guernsey or Isle of Man address belongs to that island's own
      registry, not Companies House; read as GB-COH it would name an unrelated UK company, so it is dropped.
    - Everything else (8 digits, SC/OC/NI..., and IP/SP/NP/RS society numbers as Companies House prints
      them) is a Companies House number; the API pads short numeric ones to 8 characters.
    """
    if _FCA_REGISTER_NUMBER.match(number) or (number.isdigit() and legal_form in _SOCIETY_FORMS):
        return {"scheme": "GB-MPR", "id": number}
    if number.isdigit() and postcode is not None and postcode.upper().startswith(_CROWN_DEPENDENCY_POSTCODES):
        return None
    return {"scheme": "GB-COH", "id": number}


def _identifiers(
    company_number: str | None,
    legal_form: str | None,
    postcode: str | None,
    row: int,
    warnings: list[RowError],
) -> list[dict[str, str]]:
    if company_number is None:
        return []
    identifier = route_company_number(company_number, legal_form=legal_form, postcode=postcode)
    if identifier is None:
        message = f"{company_number!r} is not a Companies House number (address {postcode}); not imported"
        warnings.append(RowError(row, "Companies House Number", message))
        return []
    return [identifier]


def _legal_form(
    record: dict[str, str], company_number: str | None, row_number: int, warnings: list[RowError]
) -> str | None:
    raw = clean(record.get("Legal Form"))
    if raw is None:
        return None
    legal_form = map_legal_form(raw, company_number=company_number)
    if legal_form is None:
        warnings.append(RowError(row_number, "Legal Form", f"unrecognised legal form {raw!r}; left empty"))
        return None
    return str(legal_form.value)


def _ownership(record: dict[str, str], row_number: int, warnings: list[RowError]) -> list[str]:
    """One overlay per classification, from the shared ownership table (documented in docs/imports.md)."""
    raw = clean(record.get("Ownership Classification"))
    if raw is None:
        return []
    overlay = map_ownership(raw)
    if overlay is None and not is_known_ownership_wording(raw):
        warnings.append(
            RowError(row_number, "Ownership Classification", f"unrecognised classification {raw!r}; ignored")
        )
    return [overlay.value] if overlay else []


def _sites(record: dict[str, str], row_number: int, warnings: list[RowError]) -> list[dict[str, Any]]:
    address = join_address_parts(
        [
            clean_multiline(record.get("Street Address")),
            clean(record.get("Locality")),
            _tidy_region(clean(record.get("Region"))),
        ]
    )
    postcode = clean(record.get("Postcode"))
    lat, lon = _coordinates(record, row_number, warnings)
    if address is None and postcode is None and lat is None:
        return []
    # Co-ops UK lists one address per co-op: where it is registered and, as far as the data says, works.
    return [
        site(
            address=address,
            postcode=postcode,
            lat=lat,
            lon=lon,
            is_registered_office=True,
            is_operating_site=True,
        )
    ]


def _tidy_region(region: str | None) -> str | None:
    if region is None:
        return None
    match = _INVERTED_REGION.match(region)
    return f"{match['kind']} of {match['place']}" if match else region


def _coordinates(
    record: dict[str, str], row_number: int, warnings: list[RowError]
) -> tuple[float | None, float | None]:
    """Own coordinates if given, else the postcode-unit centroid of the "Geo Container"."""
    for lat_column, lon_column in (
        ("Latitude", "Longitude"),
        ("Geo Container Latitude", "Geo Container Longitude"),
    ):
        raw_lat, raw_lon = clean(record.get(lat_column)), clean(record.get(lon_column))
        if raw_lat is None and raw_lon is None:
            continue
        try:
            lat, lon = parse_coordinate(lat_column, raw_lat), parse_coordinate(lon_column, raw_lon)
        except FieldValueError as error:
            warnings.append(RowError(row_number, error.field_name, f"{error.message}; coordinates ignored"))
            continue
        if lat is None or lon is None:
            missing = lat_column if lat is None else lon_column
            warnings.append(RowError(row_number, missing, "latitude and longitude must come together; ignored"))
            continue
        return lat, lon
    return None, None
