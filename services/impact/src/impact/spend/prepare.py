"""Payment records → rows ready to store: the Python half of writing spend, which needs no database.

A line is identified by its natural key — (tenant, transaction number, date, amount, supplier) — hashed into
`line_key`, so re-uploading a file, or an overlapping one, never counts a payment twice. `SpendPreparer`
keys each batch, spots repeats within the file, and builds the new lines' rows bound for the database's
driver (`localwealth_shared.bulk.bind_rows`), with each supplier's key where its id will go. A `Prepared`
batch is small and picklable, so a large import prepares its batches in another process
(`impact.spend.prepared_file`) while `SpendWriter` stores the ones before.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from localwealth_shared.bulk import bind_rows
from localwealth_shared.clock import utcnow
from localwealth_shared.ids import uuid7s
from localwealth_shared.reference.names import name_key
from sqlalchemy import Table
from sqlalchemy.engine import Dialect

from impact.db import SpendLine
from impact.spend.parse import SpendRecord

REDACTED_KEY = "redacted"
# Fields a later file may correct without making it another payment.
DESCRIPTIVE = ("supplier_ref", "body", "service_area", "category", "expenditure_code", "capital_or_revenue")
_SEPARATOR = re.compile(r"[\s\-_/]+")
LINES = cast(Table, SpendLine.__table__)
# The columns a new line is written with, in the order `SpendPreparer._new_row` gives them.
LINE_COLUMNS = (
    "id", "tenant_id", "line_key", "supplier_id", "transaction_ref", "paid_date", "period_date", "date_basis",
    "financial_year", "quarter", "amount_pence", "supplier_name", "source", "created_at", "updated_at", "version",
    *DESCRIPTIVE,
)  # fmt: skip
KEY_AT = LINE_COLUMNS.index("line_key")
SUPPLIER_AT = LINE_COLUMNS.index("supplier_id")  # a string column: binding leaves the key there as it is
DESCRIPTIVE_AT = LINE_COLUMNS.index(DESCRIPTIVE[0])  # strings too: the rows hold them as the records do


def pence(amount: Decimal) -> int:
    return int(amount * 100)


def transaction_key(ref: str | None) -> str:
    """'46293406 - 1' and '46293406_1' are the same transaction written by two versions of one ledger."""
    return _SEPARATOR.sub("-", (ref or "").strip()).upper()


def supplier_key(record: SpendRecord) -> str:
    return REDACTED_KEY if record.fields["redacted"] else name_key(record.fields["supplier_name"]) or REDACTED_KEY


def line_key(record: SpendRecord, occurrence: int = 0, supplier: str | None = None) -> str:
    """The natural key, hashed. Without a transaction number, identical (date, amount, supplier) lines in one
    file are told apart by their order, so the same file still maps to the same keys. `supplier`: the
    record's supplier key, if already known."""
    f = record.fields
    ref = transaction_key(f.get("transaction_ref")) or f"#{occurrence}"
    supplier = supplier if supplier is not None else supplier_key(record)
    text = "|".join((ref, f["period_date"].isoformat(), str(f["amount"]), supplier))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class SupplierSeen:
    """A supplier as the file names it where it first appears (or first with an identifier)."""

    key: str
    name: str
    identifier: str | None


@dataclass
class Prepared:
    """A batch ready to store. `rows`: its new lines, bound, each with its supplier's key in the supplier id's
    place. `suppliers`: those this preparer had not yet passed on, or now passes on with an identifier.
    `errors`: (row, field, message) of the records not stored; `records`: how many the batch had."""

    rows: list[Sequence[Any]]
    suppliers: list[SupplierSeen]
    errors: list[tuple[int, str, str]]
    records: int
    rejected: int
    now: datetime


class SpendPreparer:
    """Prepares one tenant's records batch by batch, for one import or push; remembers the keys across
    batches to spot repeats in a file, and which suppliers it has passed on."""

    def __init__(self, tenant_id: str, source: str, dialect: Dialect) -> None:
        self.tenant_id, self.source, self.dialect = tenant_id, source, dialect
        self.seen: dict[str, int] = {}  # line_key → the row that first carried it
        self._occurrences: dict[tuple[Any, ...], int] = {}
        self._name_keys: dict[str, str] = {}  # supplier name → name key
        self._passed_on: dict[str, bool] = {}  # supplier key → passed on with an identifier?

    def prepare(self, records: Sequence[SpendRecord]) -> Prepared:
        now = utcnow()
        keyed = self._keyed(records)
        ids = uuid7s(len(keyed))  # time-ordered: new lines append to the primary key index
        rows = [
            self._new_row(line_id, key, record, supplier, now)
            for line_id, (key, supplier, record) in zip(ids, keyed, strict=True)
        ]
        rejected = [record for record in records if record.errors]
        return Prepared(
            rows=bind_rows(LINES, LINE_COLUMNS, rows, self.dialect),
            suppliers=self._suppliers(keyed),
            errors=[(record.number, name, message) for record in rejected for name, message in record.errors],
            records=len(records),
            rejected=len(rejected),
            now=now,
        )

    def _supplier_key(self, record: SpendRecord) -> str:
        """`supplier_key`, each distinct name normalised once."""
        f = record.fields
        if f["redacted"]:
            return REDACTED_KEY
        key = self._name_keys.get(f["supplier_name"])
        if key is None:
            key = self._name_keys[f["supplier_name"]] = supplier_key(record)
        return key

    def _keyed(self, records: Sequence[SpendRecord]) -> list[tuple[str, str, SpendRecord]]:
        """(line key, supplier key, record) of each accepted record; a repeat of an earlier row becomes a row
        error instead."""
        keyed = []
        for record in records:
            if record.errors:
                continue
            f = record.fields
            supplier = self._supplier_key(record)
            occurrence = 0
            if not f.get("transaction_ref"):
                signature = (f["period_date"], f["amount"], supplier)
                occurrence = self._occurrences.get(signature, 0)
                self._occurrences[signature] = occurrence + 1
            key = line_key(record, occurrence, supplier)
            if key in self.seen:
                record.errors.append(
                    (
                        "row",
                        f"the same payment as row {self.seen[key]} (transaction, date, amount, supplier); counted once",
                    )
                )
                continue
            self.seen[key] = record.number
            keyed.append((key, supplier, record))
        return keyed

    def _suppliers(self, keyed: list[tuple[str, str, SpendRecord]]) -> list[SupplierSeen]:
        found: list[SupplierSeen] = []
        passed_on = self._passed_on
        for _, key, record in keyed:
            identified = passed_on.get(key)
            if identified is None or (not identified and record.fields.get("identifier")):
                identifier = record.fields.get("identifier")
                passed_on[key] = bool(identifier)
                found.append(SupplierSeen(key, record.fields["supplier_name"], identifier))
        return found

    def _new_row(self, line_id: str, key: str, record: SpendRecord, supplier: str, now: datetime) -> tuple[Any, ...]:
        f = record.fields
        return (
            line_id, self.tenant_id, key, supplier, f.get("transaction_ref"), f.get("paid_date"),
            f["period_date"], f["date_basis"], f["financial_year"], f["quarter"], pence(f["amount"]),
            f["supplier_name"], self.source, now, now, 1,
            # DESCRIPTIVE, spelt out: a generator here costs more than the rest of the row
            f.get("supplier_ref"), f.get("body"), f.get("service_area"), f.get("category"),
            f.get("expenditure_code"), f.get("capital_or_revenue"),
        )  # fmt: skip
