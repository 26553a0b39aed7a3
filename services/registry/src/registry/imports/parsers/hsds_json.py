"""Open Referral HSDS 3.0-style organizations: a JSON array, ``{"organizations": [...]}`` /
``{"data": [...]}`` (a paged API response), or JSON lines. Reads this project's own HSDS export back,
including its ``x_localwealth`` extension, to the same organisation input.

Structured values that cannot be read (coordinates, counts, identifier lists) reject the row, as in the
generic CSV; HSDS ``legal_status`` is free text by design ("non-profit"), so one we cannot map is only a
warning and the legal form is left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from registry.exports.hsds import EXTENSION
from registry.imports.parsers.common import (
    FieldValueError,
    ImportFormatError,
    ParsedRow,
    RowError,
    clean,
    clean_name,
    decode_text,
    normalise_email,
    normalise_website,
    parse_coordinate,
    parse_count,
    site,
    split_org_id,
    unique_identifiers,
    without_empty,
)
from registry.rules.legal_forms import LegalForm, map_legal_form

FORMAT = "hsds-json"
SOURCE_KEY_PREFIX = "hsds:"
_LIST_KEYS = ("organizations", "data")
_ORG_ID_SCHEME = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]+$")
# identifier_type wording seen in UK HSDS feeds, for identifiers that lack an org-id identifier_scheme.
_SCHEME_BY_TYPE_WORDS = (
    ("companies house", "GB-COH"),
    ("company number", "GB-COH"),
    ("charity commission for northern ireland", "GB-NIC"),
    ("charity commission", "GB-CHC"),
    ("oscr", "GB-SC"),
    ("scottish charity", "GB-SC"),
    ("mutuals public register", "GB-MPR"),
)
_ADDRESS_PREFERENCE = {"physical": 0, "postal": 1}
_CERTIFICATION_KEYS = ("scheme", "status", "awarded_on", "expires_on", "evidence_url")


def count_rows(data: bytes) -> int:
    text = decode_text(data).strip()
    if _looks_like_json_lines(text):
        return sum(1 for line in text.splitlines() if line.strip())
    return sum(1 for _ in _items(text))


def parse(data: bytes) -> Iterator[ParsedRow]:
    for row_number, item in _items(decode_text(data).strip()):
        if isinstance(item, RowError):
            yield ParsedRow(row_number, None, [item], None)
        else:
            yield parse_organization(row_number, item)


def _items(text: str) -> Iterator[tuple[int, Any]]:
    """(row, decoded item) pairs; a JSON-lines line that is not JSON yields a RowError for that row."""
    if not text:
        return
    if _looks_like_json_lines(text):
        yield from _json_lines(text)
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(f"not valid JSON: {error}") from None
    yield from enumerate(_organization_list(document), start=1)


def _looks_like_json_lines(text: str) -> bool:
    """Several objects one per line: the first line is a complete object but the whole text is not JSON."""
    if not text.startswith("{"):
        return False
    first_line = text.split("\n", 1)[0]
    if first_line.strip() == text:
        return False
    try:
        return isinstance(json.loads(first_line), dict)
    except json.JSONDecodeError:
        return False


def _json_lines(text: str) -> Iterator[tuple[int, Any]]:
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield line_number, json.loads(line)
        except json.JSONDecodeError as error:
            yield line_number, RowError(line_number, "$", f"not valid JSON: {error.msg}")


def _organization_list(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                return list(document[key])
        if "name" in document:  # a single organization
            return [document]
    raise ImportFormatError(
        "expected a JSON array of organizations, an object with an 'organizations' or 'data' array, or JSON lines"
    )


def parse_organization(row_number: int, item: Any) -> ParsedRow:
    """One HSDS organization object → ParsedRow (public so the JSON-lines push API can reuse it)."""
    if not isinstance(item, dict):
        return ParsedRow(row_number, None, [RowError(row_number, "$", "expected an organization object")], None)
    source_id = clean(item.get("id"))
    source_key = f"{SOURCE_KEY_PREFIX}{source_id}" if source_id else None
    errors: list[RowError] = []
    warnings: list[RowError] = []
    extension = item.get(EXTENSION) if isinstance(item.get(EXTENSION), dict) else {}

    def read(field_name: str, reader: Any, *args: Any) -> Any:
        try:
            return reader(*args)
        except FieldValueError as error:
            errors.append(RowError(row_number, error.field_name or field_name, error.message))
            return None

    name = clean_name(item.get("name"))
    if name is None:
        errors.append(RowError(row_number, "name", "a name is required"))
    organisation: dict[str, Any] = {
        "name": name,
        "description": clean(item.get("description")),
        "legal_form": read("legal_status", _legal_form, item, extension, row_number, warnings),
        "identifiers": read("organization_identifiers", _identifiers, item, row_number, warnings),
        "ownership": read(f"{EXTENSION}.ownership", _string_list, extension, "ownership"),
        "sites": read("locations", _sites, item),
        "sic_codes": read(f"{EXTENSION}.sic_codes", _string_list, extension, "sic_codes"),
        "cpv_codes": read(f"{EXTENSION}.cpv_codes", _string_list, extension, "cpv_codes"),
        "employees": read(f"{EXTENSION}.employees", _count, extension, "employees"),
        "turnover": read(f"{EXTENSION}.turnover", _money, extension, "turnover"),
        "members": read(f"{EXTENSION}.members", _count, extension, "members"),
        # "url" is HSDS 2's name for the website.
        "website": normalise_website(clean(item.get("website")) or clean(item.get("url"))),
        "email": normalise_email(clean(item.get("email"))),
        "certifications": read(f"{EXTENSION}.certifications", _certifications, extension),
    }
    if errors:
        return ParsedRow(row_number, None, errors + warnings, source_key)
    return ParsedRow(row_number, without_empty(organisation), warnings, source_key)


def _legal_form(item: dict[str, Any], extension: dict[str, Any], row: int, warnings: list[RowError]) -> str | None:
    exact = clean(extension.get("legal_form"))
    if exact is not None:
        if exact not in {form.value for form in LegalForm}:
            raise FieldValueError(f"{EXTENSION}.legal_form", f"unknown legal form {exact!r}")
        return exact
    raw = clean(item.get("legal_status"))
    if raw is None:
        return None
    legal_form = map_legal_form(raw)
    if legal_form is None:
        warnings.append(RowError(row, "legal_status", f"unrecognised legal status {raw!r}; left empty"))
        return None
    return str(legal_form.value)


def _identifiers(item: dict[str, Any], row: int, warnings: list[RowError]) -> list[dict[str, str]]:
    entries = _list_of_objects(item, "organization_identifiers")
    identifiers: list[dict[str, str]] = []
    for index, entry in enumerate(entries):
        identifier = _identifier(entry)
        if identifier is None:
            warnings.append(RowError(row, f"organization_identifiers[{index}]", "no org-id identifier_scheme; ignored"))
        else:
            identifiers.append(identifier)
    return unique_identifiers(identifiers)


def _identifier(entry: dict[str, Any]) -> dict[str, str] | None:
    number = clean(entry.get("identifier"))
    if number is None:
        return None
    scheme = clean(entry.get("identifier_scheme"))
    if scheme is not None and _ORG_ID_SCHEME.match(scheme):
        return {"scheme": scheme.upper(), "id": number}
    if scheme is None and (full := split_org_id(number)):  # identifier given as a whole org-id
        return full
    described = f"{scheme or ''} {entry.get('identifier_type') or ''}".casefold()
    for words, scheme_code in _SCHEME_BY_TYPE_WORDS:
        if words in described:
            return {"scheme": scheme_code, "id": number}
    return None


def _sites(item: dict[str, Any]) -> list[dict[str, Any]]:
    locations = [
        location
        for location in _list_of_objects(item, "locations")
        if clean(location.get("location_type")) != "virtual"
    ]
    return [_location_to_site(index, location, len(locations)) for index, location in enumerate(locations)]


def _location_to_site(index: int, location: dict[str, Any], location_count: int) -> dict[str, Any]:
    lat = parse_coordinate(f"locations[{index}].latitude", location.get("latitude"))
    lon = parse_coordinate(f"locations[{index}].longitude", location.get("longitude"))
    if (lat is None) != (lon is None):
        raise FieldValueError(f"locations[{index}]", "latitude and longitude must come together")
    address = _best_address(location.get("addresses"))
    is_registered_office, is_operating_site = _site_roles(location, location_count)
    return site(
        name=clean(location.get("name")),
        address=_address_text(address),
        postcode=clean(address.get("postal_code")),
        lat=lat,
        lon=lon,
        is_registered_office=is_registered_office,
        is_operating_site=is_operating_site,
    )


def _best_address(addresses: Any) -> dict[str, Any]:
    candidates = [
        address
        for address in (addresses if isinstance(addresses, list) else [])
        if isinstance(address, dict) and address.get("address_type") != "virtual"
    ]
    candidates.sort(key=lambda address: _ADDRESS_PREFERENCE.get(str(address.get("address_type")), 2))
    return candidates[0] if candidates else {}


def _address_text(address: dict[str, Any]) -> str | None:
    # Joined without dropping repeats so this project's export (which splits off the town) round-trips.
    parts = (clean(address.get(key)) for key in ("address_1", "address_2", "city", "region", "state_province"))
    return ", ".join(part for part in parts if part) or None


def _site_roles(location: dict[str, Any], location_count: int) -> tuple[bool, bool]:
    """(is_registered_office, is_operating_site): from our extension, else guessed from location_type."""
    extension = location.get(EXTENSION)
    if isinstance(extension, dict) and isinstance(extension.get("is_registered_office"), bool):
        return extension["is_registered_office"], bool(extension.get("is_operating_site"))
    if location_count == 1:  # an organisation's only address is taken to be both, as for Co-ops UK
        return True, True
    if clean(location.get("location_type")) == "postal":
        return True, False
    return False, True


def _list_of_objects(item: dict[str, Any], key: str, field_name: str | None = None) -> list[dict[str, Any]]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise FieldValueError(field_name or key, "expected a list of objects")
    return value


def _string_list(extension: dict[str, Any], key: str) -> list[str]:
    value = extension.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise FieldValueError(f"{EXTENSION}.{key}", "expected a list of strings")
    return [entry.strip() for entry in value if entry.strip()]


def _count(extension: dict[str, Any], key: str) -> int | None:
    value = extension.get(key)
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    return parse_count(f"{EXTENSION}.{key}", value if isinstance(value, str) else repr(value))


def _money(extension: dict[str, Any], key: str) -> dict[str, str] | None:
    value = extension.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or clean(value.get("amount")) is None:
        raise FieldValueError(f"{EXTENSION}.{key}", 'expected {"amount": "1234.56", "currency": "GBP"}')
    return {"amount": str(clean(value["amount"])), "currency": clean(value.get("currency")) or "GBP"}


def _certifications(extension: dict[str, Any]) -> list[dict[str, Any]]:
    entries = _list_of_objects(extension, "certifications", f"{EXTENSION}.certifications")
    return [{key: entry.get(key) for key in _CERTIFICATION_KEYS} for entry in entries]
