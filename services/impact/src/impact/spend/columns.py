"""Which column holds what, in a spend file whose layout we have never seen.

Councils name the same column a dozen ways ("Organisatonal Unit", "Expenditure Catergory", "caporrev",
"Supplier Name " with a trailing space), drop columns between quarters, and some files have no header row
at all. Each header is scored against the synonyms of every field (exact, then typo-tolerant), each column's
content is profiled (dates, amounts, Capital/Revenue, free text), and a field is only given a column whose
content fits it. Required fields a header did not name are then found by content alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from impact.spend.values import (
    MissingDate,
    is_redacted,
    looks_like_amount,
    looks_like_date,
    numeric_date_order,
    parse_date,
)

SYNONYMS: dict[str, tuple[str, ...]] = {
    "body": ("body name", "body", "organisation", "organisation name", "client", "council", "authority",
             "local authority", "public body"),
    "service_area": ("organisational unit", "service area", "service", "department", "directorate",
                     "division", "service division", "cost centre name", "portfolio", "business unit"),
    "category": ("expenditure category", "expenditure unit", "category", "expense type", "expense area",
                 "purpose", "purpose of expenditure", "subjective description", "account description",
                 "description", "cost category", "spend category", "expenditure description", "proclass"),
    "expenditure_code": ("expenditure code", "account code", "cost code", "subjective code", "gl code",
                         "nominal code", "expense code", "ledger code", "cost centre", "cost center"),
    "paid_date": ("paid date", "payment date", "date paid", "date", "transaction date", "posting date",
                  "date of payment", "invoice date", "effective date", "pay date"),
    "transaction_ref": ("trans no", "transaction number", "transaction no", "transaction id",
                        "transaction reference", "transaction ref", "reference", "payment reference",
                        "payment ref", "payment number", "invoice number", "invoice no", "document number",
                        "voucher number", "doc no", "ref"),
    "amount": ("amount", "net amount", "amount gbp", "value", "total", "gross amount", "amount paid",
               "payment amount", "line amount", "amount excluding vat", "net", "spend", "amount ex vat",
               "net value", "total amount", "sum"),
    "capital_or_revenue": ("type", "caporrev", "capital or revenue", "type of expenditure", "capital revenue",
                           "cap rev", "capital revenue indicator", "expenditure type", "revenue capital"),
    "supplier_ref": ("supplier id", "supplier number", "supplier code", "vendor id", "vendor number",
                     "creditor number", "creditor id", "supplier reference", "payee id", "supplier no"),
    "supplier_name": ("supplier name", "supplier", "vendor", "vendor name", "payee", "payee name",
                      "beneficiary", "merchant name", "merchant", "creditor name", "creditor", "recipient",
                      "name of supplier", "supplier details"),
    "supplier_company_number": ("company number", "companies house number", "company registration number",
                                "supplier company number", "registered company number", "company reg no",
                                "crn"),
    "supplier_charity_number": ("charity number", "registered charity number", "charity registration number",
                                "charity no", "supplier charity number"),
}  # fmt: skip
REQUIRED = ("paid_date", "amount", "supplier_name")
TYPO_SCORE = 88  # "organisatonal unit" ~ "organisational unit" scores 97; "supplier id" ~ "supplier" 84
CONTAINS_SCORE, MIN_SCORE = 86.0, 80.0
_CAPREV = {"capital", "revenue", "cap", "rev", "c", "r", "capital expenditure", "revenue expenditure"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\d")


class LayoutError(ValueError):
    """The file does not hold a recognisable spend layout (no amount, date or supplier column)."""


def normalise_header(header: str) -> str:
    text = header.casefold().replace("£", " gbp ").replace("&", " and ")
    return " ".join(_NON_ALNUM.sub(" ", text).split())


@dataclass(frozen=True)
class Profile:
    """What a column's sampled cells look like, as shares of its non-empty cells."""

    filled: int
    dates: float
    missing_dates: float
    amounts: float
    decimals: float
    caprev: float
    text: float
    distinct: float
    sample: tuple[str, ...]

    @classmethod
    def of(cls, cells: Sequence[str]) -> Profile:
        values = [c.strip() for c in cells if c.strip()]
        n = len(values) or 1

        def share(test) -> float:  # type: ignore[no-untyped-def]
            return sum(1 for v in values if test(v)) / n

        return cls(
            filled=len(values),
            dates=share(looks_like_date),
            missing_dates=share(_is_missing_date),
            amounts=share(looks_like_amount),
            decimals=share(lambda v: "." in v and looks_like_amount(v)),
            caprev=share(lambda v: v.casefold() in _CAPREV),
            text=share(_is_words),
            distinct=len(set(values)) / n,
            sample=tuple(values[:200]),
        )


def _is_words(value: str) -> bool:
    """Mostly letters: a name or a description, not a reference like INV-1001 or a date like 07-Apr-2015."""
    letters = sum(c.isalpha() for c in value)
    return letters >= 2 and letters * 2 >= len(value.replace(" ", "")) and not looks_like_date(value)


def _is_missing_date(value: str) -> bool:
    try:
        parse_date(value)
    except MissingDate:
        return True
    except ValueError:
        return False
    return False


def fits(field_name: str, p: Profile, *, named: bool = True) -> bool:
    """Whether a column's content can be the field. A header naming the field is strong evidence, so its
    content need only mostly agree (bad rows are reported one by one); a column found by content alone must
    agree almost everywhere. An empty column fits nothing required."""
    if p.filled == 0:
        return field_name not in REQUIRED
    most = 0.5 if named else 0.9
    if field_name == "paid_date":
        return p.dates + p.missing_dates >= most
    if field_name == "amount":
        return p.amounts >= (most if named else 0.95) and p.dates < 0.5
    if field_name == "capital_or_revenue":
        return p.caprev >= 0.9
    if field_name == "supplier_name":
        return p.text >= (most if named else 0.8) or sum(map(is_redacted, p.sample)) / max(len(p.sample), 1) >= 0.5
    if field_name in ("body", "service_area", "category"):
        return p.text >= 0.5
    return True


@dataclass
class ColumnMap:
    """Field → column index, with how each was found (shown on the import job)."""

    columns: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    has_header: bool = True
    day_first: bool = True

    def get(self, row: Sequence[str], name: str) -> str | None:
        index = self.columns.get(name)
        if index is None or index >= len(row):
            return None
        return row[index]


def header_score(header: str, field_name: str) -> float:
    norm = normalise_header(header)
    if not norm:
        return 0.0
    best, words = 0.0, norm.split()
    for synonym in SYNONYMS[field_name]:
        if norm == synonym:
            return 100.0
        score = fuzz.ratio(norm, synonym)
        if score >= TYPO_SCORE:
            best = max(best, score)
        elif f" {synonym} " in f" {norm} ":  # "Net Amount (£)" holds "net amount": below any exact or typo match
            best = max(best, CONTAINS_SCORE - 2 * (len(words) - len(synonym.split())))
    return best if best >= MIN_SCORE else 0.0


def map_columns(header: Sequence[str] | None, body: Sequence[Sequence[str]]) -> ColumnMap:
    """Map a file's columns to spend fields. `header` is None for a file without a header row."""
    width = max([len(header or [])] + [len(r) for r in body[:500]])
    profiles = [Profile.of([r[i] if i < len(r) else "" for r in body[:500]]) for i in range(width)]
    mapping = ColumnMap(has_header=header is not None)
    if header is not None:
        scored = sorted(
            ((header_score(h, name), i, name) for i, h in enumerate(header) for name in SYNONYMS),
            reverse=True,
        )
        for score, index, name in scored:
            if score == 0 or name in mapping.columns or index in mapping.columns.values():
                continue
            if not fits(name, profiles[index]):
                mapping.notes.append(f"column '{header[index].strip()}' is named like {name} but its content is not")
                continue
            mapping.columns[name] = index
            how = "" if score == 100 else f" (close match, {score:.0f}%)"
            mapping.notes.append(f"column '{header[index].strip()}' → {name}{how}")
    _by_content(mapping, profiles, header)
    missing = [name for name in REQUIRED if name not in mapping.columns]
    if missing:
        seen = ", ".join(f"'{h.strip()}'" for h in header) if header else "no header row"
        raise LayoutError(f"no column could be read as {' or '.join(missing)} (columns: {seen})")
    date_cells = [r[mapping.columns["paid_date"]] for r in body if mapping.columns["paid_date"] < len(r)]
    mapping.day_first = _day_first(date_cells, mapping)
    return mapping


def _by_content(mapping: ColumnMap, profiles: list[Profile], header: Sequence[str] | None) -> None:
    """Find required fields (and the transaction reference) among the columns no header claimed."""

    def free() -> list[int]:
        return [i for i in range(len(profiles)) if i not in mapping.columns.values() and profiles[i].filled]

    def take(name: str, index: int, why: str) -> None:
        mapping.columns[name] = index
        label = f"'{header[index].strip()}'" if header and index < len(header) else f"{index + 1}"
        mapping.notes.append(f"column {label} → {name} (by content: {why})")

    if "paid_date" not in mapping.columns:
        candidates = [i for i in free() if profiles[i].dates >= 0.9]
        if candidates:
            take("paid_date", max(candidates, key=lambda i: profiles[i].dates), "dates")
    if "amount" not in mapping.columns:
        # Amounts carry pence or signs; identifiers that happen to be numeric usually do not.
        candidates = [i for i in free() if fits("amount", profiles[i], named=False)]
        if candidates:
            take("amount", max(candidates, key=lambda i: (profiles[i].decimals, -i)), "money values")
    if "supplier_name" not in mapping.columns:
        # The supplier is the free-text column with the most distinct values (body and service area repeat).
        candidates = [i for i in free() if profiles[i].text >= 0.8]
        if candidates:
            take("supplier_name", max(candidates, key=lambda i: (profiles[i].distinct, i)), "names")
    if "transaction_ref" not in mapping.columns:
        candidates = [
            i for i in free() if profiles[i].distinct >= 0.5 and all(_DIGITS.search(v) for v in profiles[i].sample)
        ]
        if candidates and header is None:
            take("transaction_ref", max(candidates, key=lambda i: profiles[i].distinct), "unique references")


def _day_first(cells: list[str], mapping: ColumnMap) -> bool:
    order = numeric_date_order(cells)
    if order is False:
        mapping.notes.append("dates are month-first (a second part above 12 was seen)")
        return False
    return True


def find_header(rows: Sequence[Sequence[str]]) -> int | None:
    """The index of the header row among the first rows (titles may sit above it), or None if none names
    at least two spend fields."""
    for index, row in enumerate(rows[:10]):
        named = {name for cell in row for name in SYNONYMS if header_score(cell, name)}
        if len(named) >= 2 and ({"amount", "supplier_name", "paid_date"} & named):
            return index
    return None
