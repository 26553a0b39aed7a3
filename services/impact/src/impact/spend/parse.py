"""A spend file (Local Government Transparency Code "spend over £500") → payment records with row errors.

Bytes are decoded as UTF-8 (with or without BOM), else Windows-1252/latin-1, as councils export from Excel;
the delimiter is sniffed; a title block above the header is skipped; columns are mapped by `columns`.
Rows are numbered as a spreadsheet shows them (the header is row 1), so errors point at the right line.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, TypeVar, overload

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


class _Text:
    """The file's bytes read as text line by line, so the decoded file is never held whole (a single
    character outside Latin-1 makes a Python string of a 136 MB file take 272 MB). UTF-8 (with or without
    a BOM) if the bytes are valid UTF-8, else Windows-1252, else Latin-1, which every byte string is."""

    CHUNK = 1 << 20

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.encoding = next((e for e in ("utf-8", "cp1252") if self._decodes_as(e)), "latin-1")
        self.start = len(codecs.BOM_UTF8) if self.encoding == "utf-8" and content.startswith(codecs.BOM_UTF8) else 0

    def _decodes_as(self, encoding: str) -> bool:
        decoder, view = codecs.getincrementaldecoder(encoding)(), memoryview(self.content)
        try:
            for start in range(0, len(view), self.CHUNK):
                decoder.decode(view[start : start + self.CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    def sample(self, size: int) -> str:
        """About the first `size` bytes as text (a character cut in two at the end is dropped)."""
        return self.content[self.start : self.start + size].decode(self.encoding, errors="ignore")

    def lines(self) -> Iterator[str]:
        """The lines, each ending with its newline (a newline byte is never part of another character in
        these encodings, so each line decodes on its own)."""
        content, encoding, start, find = self.content, self.encoding, self.start, self.content.find
        while (end := find(b"\n", start) + 1) > 0:
            yield content[start:end].decode(encoding)
            start = end
        if start < len(content):
            yield content[start:].decode(encoding)


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
    stream = open_spend_file(content, filename=filename, period=period)
    return SpendFile(stream.mapping, list(stream.records()), stream.notes)


@dataclass
class SpendStream:
    """A spend file whose layout is known and whose records are read on demand, so an import of a million
    lines holds one batch of records at a time (`read_spend_file` is this read to the end)."""

    mapping: ColumnMap
    notes: list[str]
    total: int  # how many records `records()` yields: every non-blank row below the header
    period: Period | None
    body: _Body

    def records(self) -> Iterator[SpendRecord]:
        read = _RecordReader(self.mapping, self.period)
        return (read(number, row) for number, row in self.body.numbered())

    def batches(self, size: int) -> Iterator[list[SpendRecord]]:
        records = self.records()
        while batch := list(islice(records, size)):
            yield batch


HEAD_ROWS = 510  # the header is looked for in the first 10 rows, columns are profiled on the 500 below it


def open_spend_file(content: bytes, *, filename: str | None = None, period: Period | None = None) -> SpendStream:
    text = _Text(content)
    separator = delimiter(text.sample(50_000))
    head = [row for _, row in islice(_numbered_rows(text, separator), HEAD_ROWS)]
    if not head:
        raise SpendFileError("the file has no rows")
    header_index = find_header(head)
    header = head[header_index] if header_index is not None else None
    start = header_index + 1 if header_index is not None else 0
    body = _Body(text, separator, start, head[start:], complete=len(head) < HEAD_ROWS)
    try:
        mapping = map_columns(header, body)
    except ValueError as exc:
        raise SpendFileError(str(exc)) from exc
    period = period or period_from_filename(filename)
    notes = list(mapping.notes)
    if period:
        notes.append(f"file period {period.start.isoformat()} to {period.end.isoformat()}")
    return SpendStream(mapping, notes, len(body), period, body)


def delimiter(sample_text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number (> 1) of cells; a title
    block above the header ("Westshire District Council;;;;") does not fool it."""
    sample = sample_text.splitlines()[:60]
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


def _numbered_rows(text: _Text, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Every non-blank CSV record with the spreadsheet row it starts on (a quoted cell may span lines)."""
    reader = csv.reader(text.lines(), delimiter=delimiter)
    line = 1
    for row in reader:
        if "".join(row).strip():
            yield line, row
        line = reader.line_num + 1


class _Body(Sequence[list[str]]):
    """The rows below the header, for `map_columns`, without holding them all: the first ones (all it
    profiles) are kept; the rest are read again from the text each time the rows are iterated."""

    def __init__(self, text: _Text, delimiter: str, skip: int, head: list[list[str]], *, complete: bool) -> None:
        self._text, self._delimiter, self._skip = text, delimiter, skip
        self._head, self._complete = head, complete
        self._length: int | None = len(head) if complete else None

    def numbered(self) -> Iterator[tuple[int, list[str]]]:
        return islice(_numbered_rows(self._text, self._delimiter), self._skip, None)

    def __iter__(self) -> Iterator[list[str]]:
        count = 0
        for _, row in self.numbered():
            count += 1
            yield row
        self._length = count

    def __len__(self) -> int:
        if self._length is None:
            self._length = sum(1 for _ in self.numbered())
        return self._length

    @overload
    def __getitem__(self, index: int) -> list[str]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...
    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        in_head = isinstance(index, slice) and not index.start and index.step is None and index.stop is not None
        if self._complete or (in_head and 0 <= index.stop <= len(self._head)):  # type: ignore[union-attr]
            return self._head[index]
        return list(self)[index]


T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
_MISSING: Any = object()
CACHE_LIMIT = 50_000  # distinct cells remembered per column and file


def _memo(function: Callable[[K], T]) -> Callable[[K], T]:
    """`function` remembering its results: a file repeats the same dates, amounts, names and categories on
    thousands of lines, so each distinct cell is read once (up to `CACHE_LIMIT` of them)."""
    cache: dict[K, T] = {}

    def cached(cell: K) -> T:
        value = cache.get(cell, _MISSING)
        if value is _MISSING:
            value = function(cell)
            if len(cache) < CACHE_LIMIT:
                cache[cell] = value
        return value

    return cached


def _outcome(parse: Callable[[str], T]) -> Callable[[str], T | ValueError]:
    """`parse` returning its ValueError instead of raising it, so the error can be remembered too."""

    def run(cell: str) -> T | ValueError:
        try:
            return parse(cell)
        except ValueError as exc:
            return exc.with_traceback(None)

    return run


def _supplier(cell: str | None) -> tuple[str | None, str, bool]:
    """(the cleaned name, the name stored, redacted?)"""
    supplier = clean_text(cell)
    # A blank supplier is how some ledgers publish journals and withheld payees: the money is real, the
    # name is not known, so the line counts and is treated like a redacted one.
    return supplier, supplier[:500] if supplier else NOT_NAMED, not supplier or is_redacted(supplier)


def _short_text(cell: str | None) -> str | None:
    value = clean_text(cell)
    return value[:200] if value else None


def _at(row: list[str], index: int | None) -> str | None:
    return row[index] if index is not None and index < len(row) else None


TEXT_FIELDS = ("transaction_ref", "supplier_ref", "body", "service_area", "category", "expenditure_code")
IDENTIFIER_FIELDS = ("supplier_company_number", "supplier_charity_number")


class _RecordReader:
    """Rows → records for one file's column map."""

    def __init__(self, mapping: ColumnMap, period: Period | None) -> None:
        self.mapping, self.period = mapping, period
        column = mapping.columns.get
        self.date_at, self.amount_at, self.supplier_at = column("paid_date"), column("amount"), column("supplier_name")
        self.caprev_at = column("capital_or_revenue")
        self.has_identifiers = any(column(name) is not None for name in IDENTIFIER_FIELDS)
        day_first = mapping.day_first
        self.date = _memo(_outcome(lambda cell: parse_date(cell, day_first=day_first)))
        self.amount = _memo(_outcome(parse_amount))
        self.supplier = _memo(_supplier)
        self.financial_year = _memo(financial_year)
        self.caprev = _memo(_capital_or_revenue)
        # Transaction numbers are unique per line: nothing to remember.
        self.texts = [(name, column(name), _short_text if name == "transaction_ref" else _memo(_short_text))
                      for name in TEXT_FIELDS]  # fmt: skip

    def __call__(self, number: int, row: list[str]) -> SpendRecord:
        record = SpendRecord(number)
        f = record.fields
        raw_date, raw_amount = _at(row, self.date_at) or "", _at(row, self.amount_at) or ""
        supplier, name, redacted = self.supplier(_at(row, self.supplier_at))
        if not raw_date.strip() and not raw_amount.strip() and not supplier:
            record.errors.append(("row", "not a payment line: no date, amount or supplier"))
            return record
        paid = self.date(raw_date)
        if isinstance(paid, MissingDate):
            if self.period is None:
                record.errors.append(("paid_date", f"{paid}; give the file's period (e.g. 2014-04-01/2014-06-30)"))
            else:
                f["paid_date"], f["period_date"], f["date_basis"] = None, self.period.start, "file_period"
        elif isinstance(paid, ValueError):
            record.errors.append(("paid_date", str(paid)))
        else:
            f["paid_date"] = paid
            f["period_date"], f["date_basis"] = paid, "paid_date"
        amount = self.amount(raw_amount)
        if isinstance(amount, ValueError):
            record.errors.append(("amount", str(amount)))
        else:
            f["amount"] = amount
        f["supplier_name"], f["redacted"] = name, redacted
        for field_name, index, clean in self.texts:
            f[field_name] = clean(_at(row, index))
        f["capital_or_revenue"] = self.caprev(_at(row, self.caprev_at))
        f["identifier"] = None if redacted or not self.has_identifiers else _identifier(record, self.mapping, row)
        if "period_date" in f:
            f["financial_year"], f["quarter"] = self.financial_year(f["period_date"])
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
