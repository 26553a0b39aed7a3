"""The contract shared by every import parser, plus the format-level helpers they have in common.

Parsers only read files: they decode bytes, split CSV/JSON into rows, trim values, split lists and map
source vocabularies to this project's. Domain validation (identifier formats, postcodes, SIC/CPV codes)
happens afterwards in the service, with the same rules as the API, so values are passed through in API
shape and mostly unvalidated.

Organisation dicts only carry the keys the source actually states (``name`` always): a key that is absent
means "this source says nothing", so an import that updates an existing organisation must merge the
provided keys rather than blank the others.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# csv's default limit (128 KiB) is too small for long descriptions pasted from web pages.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ParsedRow:
    row: int  # 1-based as a user sees it: CSV header is row 1, first data row 2; JSON index + 1
    organisation: dict[str, Any] | None  # None when the row is unusable (rejected)
    errors: list[RowError] = field(default_factory=list)  # with an organisation these are warnings
    source_key: str | None = None  # stable key of the row in its source, e.g. "coops-uk:R000001"

    @property
    def rejected(self) -> bool:
        return self.organisation is None


class ImportFormatError(ValueError):
    """The file as a whole cannot be read (e.g. malformed JSON): the import job fails, no rows at all."""


class FieldValueError(ValueError):
    """A single value cannot be read; carries the field name for the RowError."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


# ---------------------------------------------------------------------------------------------- decoding

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"), else Windows-1252/latin-1.

    Windows-1252 before latin-1 because spreadsheets saved on Windows use its curly quotes and en dashes
    (0x80-0x9F); latin-1 is the last resort because it decodes any byte sequence.
    """
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# ---------------------------------------------------------------------------------------------- CSV

_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")


def detect_delimiter(text: str) -> str:
    """Pick the delimiter from the header line: the candidate it contains most often (comma on ties)."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in _CANDIDATE_DELIMITERS}
    best = max(_CANDIDATE_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","


def read_csv_records(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Yield ``(row_number, cells)`` per CSV record, header included, skipping blank records.

    Row numbers count records, not physical lines, so a quoted multi-line address still occupies one row,
    as it does when the file is opened in a spreadsheet.
    """
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=False)
    for row_number, cells in enumerate(reader, start=1):
        if any(cell.strip() for cell in cells):
            yield row_number, cells


def count_csv_data_rows(data: bytes) -> int:
    text = decode_text(data)
    return max(sum(1 for _ in read_csv_records(text, detect_delimiter(text))) - 1, 0)


# ---------------------------------------------------------------------------------------------- values


def clean(value: object) -> str | None:
    """Trim a cell; empty (or non-string JSON null) becomes None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def clean_name(value: object) -> str | None:
    """Names are single-line: collapse runs of whitespace, including line breaks inside quoted cells."""
    text = clean(value)
    return " ".join(text.split()) if text else None


def clean_multiline(value: str | None) -> str | None:
    """Join the lines of a multi-line cell with ", " (addresses typed with line breaks)."""
    if value is None:
        return None
    return clean(", ".join(line.strip() for line in value.splitlines() if line.strip()))


_LIST_SEPARATORS = re.compile(r"[;,\n]")


def split_list(value: str | None, separators: re.Pattern[str] = _LIST_SEPARATORS) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in separators.split(value) if part.strip()]


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def join_address_parts(parts: list[str | None]) -> str | None:
    """Join address parts with ", ", dropping empties and a part repeating the one before it."""
    joined: list[str] = []
    for part in parts:
        if part and (not joined or joined[-1].casefold() != part.casefold()):
            joined.append(part)
    return ", ".join(joined) or None


_HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def normalise_website(value: str | None) -> str | None:
    """Add https:// to bare domains ("www.example.coop"); the API validates the URL itself."""
    value = clean(value)
    if value is None:
        return None
    return value if _HAS_SCHEME.match(value) else f"https://{value}"


def normalise_email(value: str | None) -> str | None:
    value = clean(value)
    if value is not None and value.lower().startswith("mailto:"):
        value = clean(value[len("mailto:") :])
    return value


def pad_sic_code(code: str) -> str:
    """Spreadsheets drop leading zeros ("0111" -> "111"); pad numeric codes to at least 4 digits.

    A 4-digit code stays 4 digits: it may be a legacy SIC 2003 code, which the API accepts and flags.
    """
    return code.zfill(4) if code.isdigit() else code


_CPV = re.compile(r"^(\d{1,8})(-\d)?$")


def pad_cpv_code(code: str) -> str:
    """CPV codes are 8 digits (+ optional "-N" check digit); restore a leading zero a spreadsheet lost."""
    match = _CPV.match(code)
    if match is None:
        return code
    return match.group(1).zfill(8) + (match.group(2) or "")


def parse_count(field_name: str, value: str | None) -> int | None:
    """A whole non-negative number such as employees or members; "1,234" allowed."""
    if value is None:
        return None
    text = value.replace(",", "").replace(" ", "")
    if text.endswith(".0"):  # spreadsheets export whole numbers as floats
        text = text[:-2]
    if not text.isdigit():
        raise FieldValueError(field_name, f"expected a whole number, got {value!r}")
    return int(text)


def parse_coordinate(field_name: str, value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldValueError(field_name, f"expected a decimal number, got {value!r}")
    try:
        number = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except ValueError:
        raise FieldValueError(field_name, f"expected a decimal number, got {value!r}") from None
    if not math.isfinite(number):
        raise FieldValueError(field_name, f"expected a decimal number, got {value!r}")
    return number


# "Â£" is a £ that was UTF-8 encoded and then decoded as latin-1 somewhere upstream.
_CURRENCY_NOISE = re.compile(r"^(?:Â?£|GBP)\s*|\s*(?:GBP)$", re.IGNORECASE)


def parse_gbp_amount(field_name: str, value: str | None) -> dict[str, str] | None:
    """Read "£1,234.56", "1234.56" or "GBP 1234" as API money ``{"amount": "1234.56", "currency": "GBP"}``."""
    if value is None:
        return None
    text = _CURRENCY_NOISE.sub("", value.strip()).replace(",", "").replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldValueError(field_name, f"expected an amount in pounds such as £1,234.56, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise FieldValueError(field_name, f"expected an amount in pounds such as £1,234.56, got {value!r}")
    return {"amount": format(amount, "f"), "currency": "GBP"}


_ORG_ID = re.compile(r"^([A-Za-z]{2}-[A-Za-z0-9]+)-(.+)$")


def split_org_id(value: str) -> dict[str, str] | None:
    """Split "GB-COH-03416658" into {"scheme": "GB-COH", "id": "03416658"}; org-id prefixes are two tokens."""
    match = _ORG_ID.match(value.strip())
    if match is None or not match.group(2).strip():
        return None
    return {"scheme": match.group(1).upper(), "id": match.group(2).strip()}


def compact_identifier(value: str) -> str:
    """Registers print numbers with spaces ("SC 123456"); the API normalises further (padding)."""
    return re.sub(r"\s+", "", value).upper()


def unique_identifiers(identifiers: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, str]] = set()
    result: list[dict[str, str]] = []
    for identifier in identifiers:
        key = (identifier["scheme"].upper(), identifier["id"].upper())
        if key not in seen:
            seen.add(key)
            result.append(identifier)
    return result


def site(
    *,
    name: str | None = None,
    address: str | None = None,
    postcode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    is_registered_office: bool,
    is_operating_site: bool,
) -> dict[str, Any]:
    return {
        "name": name,
        "address": address,
        "postcode": postcode,
        "lat": lat,
        "lon": lon,
        "is_registered_office": is_registered_office,
        "is_operating_site": is_operating_site,
    }


def without_empty(organisation: dict[str, Any]) -> dict[str, Any]:
    """Drop keys the source did not state (None or empty list), keeping ``name``."""
    return {key: value for key, value in organisation.items() if key == "name" or value not in (None, [])}
