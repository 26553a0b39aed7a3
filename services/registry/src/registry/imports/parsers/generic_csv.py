"""A documented CSV a council can produce from any spreadsheet (columns in docs/imports.md).

The council owns this file, so a value that cannot be read rejects the whole row (organisation None,
one RowError per bad field): fixing the file beats silently losing an employee count or a postcode.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
    detect_delimiter,
    normalise_email,
    normalise_website,
    pad_cpv_code,
    pad_sic_code,
    parse_coordinate,
    parse_count,
    parse_gbp_amount,
    read_csv_records,
    site,
    split_list,
    split_org_id,
    unique,
    unique_identifiers,
    without_empty,
)
from registry.rules.legal_forms import Ownership, is_known_ownership_wording, map_legal_form, map_ownership

FORMAT = "csv"

COLUMNS = (
    "name",
    "description",
    "legal_form",
    "companies_house_number",
    "charity_number",
    "oscr_number",
    "mutuals_register_number",
    "identifiers",
    "address",
    "postcode",
    "lat",
    "lon",
    "operating_sites",
    "sic_codes",
    "cpv_codes",
    "employees",
    "turnover",
    "members",
    "website",
    "email",
    "ownership",
)
# Other spellings spreadsheets commonly use, keyed by the matching form of the header (see _header_key).
ALIASES = {
    "organisationname": "name",
    "organizationname": "name",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "companynumber": "companies_house_number",
    "companyregistrationnumber": "companies_house_number",
    "registeredcharitynumber": "charity_number",
    "postalcode": "postcode",
}
_SEMICOLON_LIST = re.compile(r"[;\n]")
_CODE_LIST = re.compile(r"[;,\s]+")


def _header_key(header: str) -> str:
    """Ignore case, spaces, underscores and hyphens: "Companies House Number" = "companies_house_number"."""
    return re.sub(r"[\s_-]+", "", header).casefold()


_COLUMN_BY_KEY = {_header_key(column): column for column in COLUMNS} | ALIASES


def count_rows(data: bytes) -> int:
    return count_csv_data_rows(data)


def header_warnings(data: bytes) -> list[RowError]:
    """Unknown and repeated columns, reported once against row 1; they are ignored when parsing."""
    text = decode_text(data)
    header = next(read_csv_records(text, detect_delimiter(text)), None)
    if header is None:
        return []
    warnings: list[RowError] = []
    seen: set[str] = set()
    for raw in header[1]:
        column = _COLUMN_BY_KEY.get(_header_key(raw))
        if column is None:
            warnings.append(RowError(1, raw.strip(), "unknown column; ignored"))
        elif column in seen:
            warnings.append(RowError(1, raw.strip(), f"column {column!r} appears more than once; the first is used"))
        seen.add(column or "")
    return warnings


def parse(data: bytes) -> Iterator[ParsedRow]:
    text = decode_text(data)
    records = read_csv_records(text, detect_delimiter(text))
    header = next(records, None)
    if header is None:
        return
    positions = _column_positions(header[1])
    if "name" not in positions:
        raise ImportFormatError("the CSV has no 'name' column (see the documented columns)")
    for row_number, cells in records:
        values = {column: clean(cells[index]) if index < len(cells) else None for column, index in positions.items()}
        yield _parse_values(row_number, values)


def _column_positions(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        column = _COLUMN_BY_KEY.get(_header_key(raw))
        if column is not None and column not in positions:
            positions[column] = index
    return positions


def _parse_values(row_number: int, values: dict[str, str | None]) -> ParsedRow:
    errors: list[RowError] = []

    def read(column: str, reader: Callable[[str, str | None], Any]) -> Any:
        try:
            return reader(column, values.get(column))
        except FieldValueError as error:
            errors.append(RowError(row_number, error.field_name, error.message))
            return None

    name = clean_name(values.get("name"))
    if name is None:
        errors.append(RowError(row_number, "name", "a name is required"))
    organisation: dict[str, Any] = {
        "name": name,
        "description": values.get("description"),
        "legal_form": read(
            "legal_form",
            lambda column, value: _legal_form(column, value, values.get("companies_house_number")),
        ),
        "identifiers": read("identifiers", lambda _column, _value: _identifiers(values)),
        "ownership": read("ownership", _ownership),
        "sites": read("address", lambda _column, _value: _sites(values)),
        "sic_codes": unique([pad_sic_code(code) for code in split_list(values.get("sic_codes"), _CODE_LIST)]),
        "cpv_codes": unique([pad_cpv_code(code) for code in split_list(values.get("cpv_codes"), _CODE_LIST)]),
        "employees": read("employees", parse_count),
        "turnover": read("turnover", parse_gbp_amount),
        "members": read("members", parse_count),
        "website": normalise_website(values.get("website")),
        "email": normalise_email(values.get("email")),
    }
    if errors:
        return ParsedRow(row_number, None, errors, None)
    return ParsedRow(row_number, without_empty(organisation), [], None)


def _legal_form(column: str, value: str | None, company_number: str | None) -> str | None:
    if value is None:
        return None
    # API values map to themselves; the number's prefix refines a vague "Company" (OC... is an LLP).
    legal_form = map_legal_form(value, company_number=company_number)
    if legal_form is None:
        raise FieldValueError(column, f"unrecognised legal form {value!r}; use one of the API's legal_form values")
    return str(legal_form.value)


def _identifiers(values: dict[str, str | None]) -> list[dict[str, str]]:
    identifiers: list[dict[str, str]] = []
    if number := values.get("companies_house_number"):
        identifiers.append({"scheme": "GB-COH", "id": compact_identifier(number)})
    if number := values.get("charity_number"):
        identifiers.append(_charity_identifier(compact_identifier(number)))
    if number := values.get("oscr_number"):
        number = compact_identifier(number)
        identifiers.append({"scheme": "GB-SC", "id": f"SC{number}" if number.isdigit() else number})
    if number := values.get("mutuals_register_number"):
        identifiers.append({"scheme": "GB-MPR", "id": compact_identifier(number)})
    for org_id in split_list(values.get("identifiers"), _SEMICOLON_LIST):
        identifier = split_org_id(org_id)
        if identifier is None:
            raise FieldValueError("identifiers", f"{org_id!r} is not an org-id such as GB-COH-03416658")
        identifiers.append(identifier)
    return unique_identifiers(identifiers)


def _charity_identifier(number: str) -> dict[str, str]:
    """One charity column for the three UK regulators, told apart by the prefix each prints."""
    if number.startswith("SC"):
        return {"scheme": "GB-SC", "id": number}
    if number.startswith("NIC"):
        return {"scheme": "GB-NIC", "id": number.removeprefix("NIC")}
    return {"scheme": "GB-CHC", "id": number}


def _ownership(column: str, value: str | None) -> list[str]:
    """Overlay values or wording the shared table knows ("Worker co-operative", "EOT"); wording it knows
    to have no overlay ("Self-employed") is skipped, anything else rejects the row."""
    overlays: list[str] = []
    for raw in split_list(value, _SEMICOLON_LIST):
        overlay = map_ownership(raw)
        if overlay is not None:
            overlays.append(overlay.value)
        elif not is_known_ownership_wording(raw):
            allowed = ", ".join(overlay.value for overlay in Ownership)
            raise FieldValueError(column, f"unknown ownership {raw!r}; use {allowed}")
    return unique(overlays)


def _sites(values: dict[str, str | None]) -> list[dict[str, Any]]:
    """The address columns are the registered office (also operating); operating_sites adds postcodes."""
    lat = parse_coordinate("lat", values.get("lat"))
    lon = parse_coordinate("lon", values.get("lon"))
    if (lat is None) != (lon is None):
        raise FieldValueError("lat" if lat is None else "lon", "lat and lon must be given together")
    address, postcode = clean_multiline(values.get("address")), values.get("postcode")
    sites: list[dict[str, Any]] = []
    if address is not None or postcode is not None or lat is not None:
        sites.append(
            site(
                address=address,
                postcode=postcode,
                lat=lat,
                lon=lon,
                is_registered_office=True,
                is_operating_site=True,
            )
        )
    for extra_postcode in unique(split_list(values.get("operating_sites"))):
        sites.append(site(postcode=extra_postcode, is_registered_office=False, is_operating_site=True))
    return sites
