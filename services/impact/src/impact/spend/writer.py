"""Accepted payment records → spend lines and suppliers, idempotently.

A line is identified by its natural key — (tenant, transaction number, date, amount, supplier) — hashed into
`line_key`; a record whose key the tenant already has is `unchanged` (or `updated` if a descriptive field
such as the category was corrected), so re-uploading a file, or an overlapping one, never counts a payment
twice. Work is done in bulk per batch: one driver-level insert that skips the keys the tenant has
(`localwealth_shared.bulk`), a look-up of those only when there are any, multi-row statements; suppliers
already seen by the writer are not looked up again.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from localwealth_shared.bulk import bind_rows, insert_new
from localwealth_shared.clock import utcnow
from localwealth_shared.ids import uuid7s
from localwealth_shared.reference.names import name_key
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import SpendLine, SpendSupplier
from impact.spend.parse import SpendRecord

REDACTED_KEY = "redacted"
# Fields a later file may correct without making it another payment.
DESCRIPTIVE = ("supplier_ref", "body", "service_area", "category", "expenditure_code", "capital_or_revenue")
_SEPARATOR = re.compile(r"[\s\-_/]+")
LINES, SUPPLIERS = cast(Table, SpendLine.__table__), cast(Table, SpendSupplier.__table__)
# Set what each parameter row names (the descriptive fields, updated_at, version) on the line `line_id`.
UPDATE_LINE = update(LINES).where(LINES.c.id == bindparam("line_id"))
# The columns a new line is written with, in the order `SpendWriter._new_row` gives them.
LINE_COLUMNS = (
    "id", "tenant_id", "line_key", "supplier_id", "transaction_ref", "paid_date", "period_date", "date_basis",
    "financial_year", "quarter", "amount_pence", "supplier_name", "source", "created_at", "updated_at", "version",
    *DESCRIPTIVE,
)  # fmt: skip


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


# A record to store: its line key, its supplier's name key, the record.
Keyed = tuple[str, str, SpendRecord]
SUPPLIER_AT = LINE_COLUMNS.index("supplier_id")  # a string column: binding leaves it as it is


@dataclass
class Prepared:
    """A batch ready to store: its keyed records and their new lines' rows, bound for the database, each
    with its supplier's key where the supplier's id goes (ids are known only when the batch is written)."""

    keyed: list[Keyed]
    rows: list[Sequence[Any]]
    ids: list[str]
    now: datetime


@dataclass
class WriteResult:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("created", "updated", "unchanged"), 0))
    new_supplier_ids: list[str] = field(default_factory=list)


@dataclass
class _Known:
    """A supplier this writer has already found or created: its id, and whether it has an identifier."""

    id: str
    identified: bool


class SpendWriter:
    """Writes one tenant's records batch by batch; remembers keys across batches to spot repeats in a file,
    and the suppliers it has already found or created (a file names the same few thousand on every batch).
    One writer serves one import or push: after a failed batch it is discarded with its transaction."""

    def __init__(self, tenant_id: str, source: str) -> None:
        self.tenant_id = tenant_id
        self.source = source
        self.seen: dict[str, int] = {}  # line_key → the row that first carried it
        self._occurrences: dict[tuple[Any, ...], int] = {}
        self._name_keys: dict[str, str] = {}  # supplier name → name key
        self._known: dict[str, _Known] = {}  # name key → the stored supplier

    def supplier_key(self, record: SpendRecord) -> str:
        """`supplier_key`, each distinct name normalised once."""
        f = record.fields
        if f["redacted"]:
            return REDACTED_KEY
        key = self._name_keys.get(f["supplier_name"])
        if key is None:
            key = self._name_keys[f["supplier_name"]] = supplier_key(record)
        return key

    def keyed(self, records: Sequence[SpendRecord]) -> list[Keyed]:
        """Key each accepted record; a repeat of an earlier row becomes a row error instead."""
        keyed = []
        for record in records:
            if record.errors:
                continue
            f = record.fields
            supplier = self.supplier_key(record)
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

    async def write(self, session: AsyncSession, records: Sequence[SpendRecord]) -> WriteResult:
        """Store a batch's accepted records: new lines created, known ones updated or unchanged."""
        return await self.write_prepared(session, self.prepare(records, session.get_bind().dialect))

    def prepare(self, records: Sequence[SpendRecord], dialect: Dialect) -> Prepared:
        """The batch keyed, and its rows built and converted for `dialect`: the Python half of `write`, which an
        import runs in its parser thread while the database stores the batch before. Touches only the key
        state, never the suppliers `write_prepared` keeps."""
        keyed = self.keyed(records)
        now = utcnow()
        ids = uuid7s(len(keyed))  # time-ordered: new lines append to the primary key index
        rows = [
            self._new_row(line_id, key, record, supplier, now)  # the supplier's key until its id is known
            for line_id, (key, supplier, record) in zip(ids, keyed, strict=True)
        ]
        return Prepared(keyed, bind_rows(LINES, LINE_COLUMNS, rows, dialect), ids, now)

    async def write_prepared(self, session: AsyncSession, prepared: Prepared) -> WriteResult:
        """Store a `prepare`d batch, in order."""
        result = WriteResult()
        keyed = prepared.keyed
        if not keyed:
            return result
        suppliers = await self._suppliers(session, keyed, result)
        rows = [(*row[:SUPPLIER_AT], suppliers[row[SUPPLIER_AT]], *row[SUPPLIER_AT + 1 :]) for row in prepared.rows]
        # New lines are inserted and the keys the tenant already has are skipped in one statement, so a file of
        # new payments needs no look-up, and a line written meanwhile by another import is not an error.
        created = await insert_new(session, LINES, LINE_COLUMNS, rows, conflict=("tenant_id", "line_key"), bound=True)
        result.counts["created"] = created
        if created < len(keyed):
            ids = dict(zip((k for k, _, _ in keyed), prepared.ids, strict=True))
            await self._update(session, keyed, ids, prepared.now, result)
        return result

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

    async def _update(
        self,
        session: AsyncSession,
        keyed: list[Keyed],
        ids: dict[str, str],
        now: datetime,
        result: WriteResult,
    ) -> None:
        """Lines the tenant already had (stored under another id than the one just tried): `updated` if a
        descriptive field was corrected, else `unchanged`."""
        columns = (LINES.c.id, LINES.c.line_key, LINES.c.version, *(LINES.c[name] for name in DESCRIPTIVE))
        existing: dict[str, Any] = {}
        for start in range(0, len(keyed), 1_000):
            keys = [k for k, _, _ in keyed[start : start + 1_000]]
            found = await session.execute(
                select(*columns).where(LINES.c.tenant_id == self.tenant_id, LINES.c.line_key.in_(keys))
            )
            existing.update((row.line_key, row) for row in found.all() if row.id != ids[row.line_key])
        updates = []
        for key, _, record in keyed:
            line = existing.get(key)
            if line is None:
                continue  # created just now
            if any(getattr(line, name) != record.fields.get(name) for name in DESCRIPTIVE):
                updates.append(
                    {"line_id": line.id, "updated_at": now, "version": line.version + 1,
                     **{name: record.fields.get(name) for name in DESCRIPTIVE}}
                )  # fmt: skip
                result.counts["updated"] += 1
            else:
                result.counts["unchanged"] += 1
        if updates:
            await session.execute(UPDATE_LINE, updates)

    async def _suppliers(self, session: AsyncSession, keyed: list[Keyed], result: WriteResult) -> dict[str, str]:
        """name key → supplier id, creating the suppliers this batch names for the first time."""
        wanted: dict[str, SpendRecord] = {}
        for _, supplier, record in keyed:
            if supplier not in wanted:
                wanted[supplier] = record
        unknown = [key for key in wanted if key not in self._known]
        for start in range(0, len(unknown), 1_000):
            rows = await session.execute(
                select(SUPPLIERS.c.id, SUPPLIERS.c.name_key, SUPPLIERS.c.identifier).where(
                    SUPPLIERS.c.tenant_id == self.tenant_id, SUPPLIERS.c.name_key.in_(unknown[start : start + 1_000])
                )
            )
            for supplier_id, key, identifier in rows.all():
                self._known[key] = _Known(supplier_id, bool(identifier))
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        for key, record in wanted.items():
            identifier = record.fields.get("identifier")
            known = self._known.get(key)
            if known is not None:
                if identifier and not known.identified:  # a later file gave its company number: re-match
                    await session.execute(
                        update(SpendSupplier)
                        .where(SpendSupplier.id == known.id)
                        .values(identifier=identifier, updated_at=now)
                    )
                    known.identified = True
                    result.new_supplier_ids.append(known.id)
                continue
            redacted = key == REDACTED_KEY
            self._known[key] = _Known(str(uuid.uuid4()), bool(identifier))
            inserts.append(
                {
                    "id": self._known[key].id,
                    "tenant_id": self.tenant_id,
                    "name": "REDACTED" if redacted else record.fields["supplier_name"],
                    "name_key": key,
                    "identifier": identifier,
                    "redacted": redacted,
                    "status": "redacted" if redacted else "unmatched",
                    "candidates": [],
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
            if not redacted:
                result.new_supplier_ids.append(self._known[key].id)
        if inserts:
            await session.execute(insert(SUPPLIERS), inserts)
        return {key: self._known[key].id for key in wanted}
