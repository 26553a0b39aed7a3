"""A spend file (Local Government Transparency Code "spend over £500") → payment records with row errors.

Bytes are decoded as UTF-8 (with or without BOM), else Windows-1252/latin-1, as councils export from Excel;
the delimiter is sniffed; a title block above the header is skipped; columns are mapped by `columns`.
Rows are numbered as a spreadsheet shows them (the header is row 1), so errors point at the right line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from localwealth_shared.reference.identifiers import IdentifierError, normalise_identifier

from impact.spend.columns import ColumnMap, find_header, map_columns
from impact.spend.values import (
    MONTH_ABBREVIATIONS,
    MONTHS,
    MissingDate,
    clean_text,
    is_redacted,
    parse_amount,
    parse_date,
)

csv.field_size_limit(1_000_000)
NOT_NAMED = "(NOT NAMED)"
DELIMITERS = (",", ";", "\t", "|")


class SpendFileError(ValueError):
    """The file as a whole cannot be read (encoding, no spend columns)."""


@dataclass(frozen=True)
class Period:
    """The span a file covers, e.g. from a name like `expenditure-over-500-apr-jun-2014.csv`."""

    start: date
    end: date

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2014-04-01/2014-06-30`, as the upload's `period` option."""
        try:
            start_text, end_text = text.split("/")
            start, end = date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip())
        except ValueError:
            raise ValueError("a period is two ISO dates, e.g. 2014-04-01/2014-06-30") from None
        if end < start:
            raise ValueError("a period ends on or after its start")
        return cls(start, end)


_MONTH = "(" + "|".join(MONTH_ABBREVIATIONS) + ")[a-z]*"
_RANGE_NAME = re.compile(_MONTH + r"[\s_\-]+(?:to[\s_\-]+)?" + _MONTH + r"[\s_\-]*(\d{4})", re.IGNORECASE)
_MONTH_NAME = re.compile(_MONTH + r"[\s_\-]*(\d{4})", re.IGNORECASE)


def period_from_filename(filename: str | None) -> Period | None:
    """The months a file's name says it covers ("apr-jun-2014", "March 2017"), or None."""
    if not filename:
        return None
    if match := _RANGE_NAME.search(filename):
        first, last, year = MONTHS[match.group(1)[:3].lower()], MONTHS[match.group(2)[:3].lower()], int(match.group(3))
        start = date(year if first <= last else year - 1, first, 1)
        return Period(start, date(year, last, 1) + relativedelta(months=1, days=-1))
    if match := _MONTH_NAME.search(filename):
        start = date(int(match.group(2)), MONTHS[match.group(1)[:3].lower()], 1)
        return Period(start, start + relativedelta(months=1, days=-1))
    return None


def decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")  # never fails: every byte is a character


def financial_year(day: date) -> tuple[str, int]:
    """The UK local-government financial year (April–March) and quarter: 2018-01-09 → ("2017-18", 4)."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}", (day.month - 4) % 12 // 3 + 1


@dataclass
class SpendRecord:
    """One payment line, its fields normalised, or the errors that stop it being accepted."""

    number: int
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SpendFile:
    mapping: ColumnMap
    records: list[SpendRecord]
    notes: list[str]


def read_spend_file(content: bytes, *, filename: str | None = None, period: Period | None = None) -> SpendFile:
    text = decode(content)
    numbered = _numbered_rows(text, delimiter(text))
    if not numbered:
        raise SpendFileError("the file has no rows")
    rows = [row for _, row in numbered]
    header_index = find_header(rows)
    header = rows[header_index] if header_index is not None else None
    start = header_index + 1 if header_index is not None else 0
    try:
        mapping = map_columns(header, rows[start:])
    except ValueError as exc:
        raise SpendFileError(str(exc)) from exc
    period = period or period_from_filename(filename)
    notes = list(mapping.notes)
    if period:
        notes.append(f"file period {period.start.isoformat()} to {period.end.isoformat()}")
    records = [_record(number, row, mapping, period) for number, row in numbered[start:]]
    return SpendFile(mapping, records, notes)


def delimiter(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (> 1) of cells; a title
    block above the header ("Westshire District Council;;;;") does not fool it."""
    sample = text[:50_000].splitlines()[:60]
    best, best_score = ",", 0
    for candidate in DELIMITERS:
        widths = [len(row) for row in csv.reader(sample, delimiter=candidate) if any(c.strip() for c in row)]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        score = widths.count(modal) if modal > 1 else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


def _numbered_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every non-blank CSV record with the spreadsheet row it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, line = [], 1
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append((line, row))
        line = reader.line_num + 1
    return rows


def _record(number: int, row: list[str], mapping: ColumnMap, period: Period | None) -> SpendRecord:
    record = SpendRecord(number)
    f = record.fields
    raw_date, raw_amount = mapping.get(row, "paid_date") or "", mapping.get(row, "amount") or ""
    supplier = clean_text(mapping.get(row, "supplier_name"))
    if not raw_date.strip() and not raw_amount.strip() and not supplier:
        record.errors.append(("row", "not a payment line: no date, amount or supplier"))
        return record
    try:
        f["paid_date"] = parse_date(raw_date, day_first=mapping.day_first)
        f["period_date"], f["date_basis"] = f["paid_date"], "paid_date"
    except MissingDate as exc:
        if period is None:
            record.errors.append(("paid_date", f"{exc}; give the file's period (e.g. 2014-04-01/2014-06-30)"))
        else:
            f["paid_date"], f["period_date"], f["date_basis"] = None, period.start, "file_period"
    except ValueError as exc:
        record.errors.append(("paid_date", str(exc)))
    try:
        f["amount"] = parse_amount(raw_amount)
    except ValueError as exc:
        record.errors.append(("amount", str(exc)))
    # A blank supplier is how some ledgers publish journals and withheld payees: the money is real, the
    # name is not known, so the line counts and is treated like a redacted one.
    f["supplier_name"] = supplier[:500] if supplier else NOT_NAMED
    f["redacted"] = not supplier or is_redacted(supplier)
    for name in ("transaction_ref", "supplier_ref", "body", "service_area", "category", "expenditure_code"):
        value = clean_text(mapping.get(row, name))
        f[name] = value[:200] if value else None
    f["capital_or_revenue"] = _capital_or_revenue(mapping.get(row, "capital_or_revenue"))
    f["identifier"] = None if f.get("redacted") else _identifier(record, mapping, row)
    if "period_date" in f:
        f["financial_year"], f["quarter"] = financial_year(f["period_date"])
    return record


def _capital_or_revenue(text: str | None) -> str | None:
    value = (clean_text(text) or "").casefold()
    if value.startswith("c"):
        return "capital"
    if value.startswith("r"):
        return "revenue"
    return None


def _identifier(record: SpendRecord, mapping: ColumnMap, row: list[str]) -> str | None:
    """A company or charity number the council published with the line, as an org-id."""
    for column, scheme in (("supplier_company_number", "GB-COH"), ("supplier_charity_number", "GB-CHC")):
        value = clean_text(mapping.get(row, column))
        if not value:
            continue
        try:
            return normalise_identifier(scheme, value).org_id
        except IdentifierError as exc:
            record.errors.append((column, str(exc)))
    return None
