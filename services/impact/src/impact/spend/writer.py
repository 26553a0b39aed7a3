"""Accepted payment records → spend lines and suppliers, idempotently.

A line is identified by its natural key — (tenant, transaction number, date, amount, supplier) — hashed into
`line_key`; a record whose key the tenant already has is `unchanged` (or `updated` if a descriptive field
such as the category was corrected), so re-uploading a file, or an overlapping one, never counts a payment
twice. Work is done in bulk per batch: one look-up of existing keys and suppliers, multi-row inserts.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.reference.names import name_key
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import SpendLine, SpendSupplier
from impact.spend.parse import SpendRecord

REDACTED_KEY = "redacted"
# Fields a later file may correct without making it another payment.
DESCRIPTIVE = ("supplier_ref", "body", "service_area", "category", "expenditure_code", "capital_or_revenue")
_SEPARATOR = re.compile(r"[\s\-_/]+")


def pence(amount: Decimal) -> int:
    return int(amount * 100)


def transaction_key(ref: str | None) -> str:
    """'46293406 - 1' and '46293406_1' are the same transaction written by two versions of one ledger."""
    return _SEPARATOR.sub("-", (ref or "").strip()).upper()


def supplier_key(record: SpendRecord) -> str:
    return REDACTED_KEY if record.fields["redacted"] else name_key(record.fields["supplier_name"]) or REDACTED_KEY


def line_key(record: SpendRecord, occurrence: int = 0) -> str:
    """The natural key, hashed. Without a transaction number, identical (date, amount, supplier) lines in one
    file are told apart by their order, so the same file still maps to the same keys."""
    f = record.fields
    ref = transaction_key(f.get("transaction_ref")) or f"#{occurrence}"
    text = "|".join((ref, f["period_date"].isoformat(), str(f["amount"]), supplier_key(record)))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class WriteResult:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("created", "updated", "unchanged"), 0))
    new_supplier_ids: list[str] = field(default_factory=list)


class SpendWriter:
    """Writes one tenant's records batch by batch; remembers keys across batches to spot repeats in a file."""

    def __init__(self, tenant_id: str, source: str) -> None:
        self.tenant_id = tenant_id
        self.source = source
        self.seen: dict[str, int] = {}  # line_key → the row that first carried it
        self._occurrences: dict[tuple[Any, ...], int] = {}

    def keyed(self, records: Sequence[SpendRecord]) -> list[tuple[str, SpendRecord]]:
        """Key each accepted record; a repeat of an earlier row becomes a row error instead."""
        keyed = []
        for record in records:
            if record.errors:
                continue
            f = record.fields
            occurrence = 0
            if not f.get("transaction_ref"):
                signature = (f["period_date"], f["amount"], supplier_key(record))
                occurrence = self._occurrences.get(signature, 0)
                self._occurrences[signature] = occurrence + 1
            key = line_key(record, occurrence)
            if key in self.seen:
                record.errors.append(
                    (
                        "row",
                        f"the same payment as row {self.seen[key]} (transaction, date, amount, supplier); counted once",
                    )
                )
                continue
            self.seen[key] = record.number
            keyed.append((key, record))
        return keyed

    async def write(self, session: AsyncSession, records: Sequence[SpendRecord]) -> WriteResult:
        result = WriteResult()
        keyed = self.keyed(records)
        if not keyed:
            return result
        suppliers = await self._suppliers(session, [r for _, r in keyed], result)
        existing = {
            line.line_key: line
            for line in (
                await session.scalars(
                    select(SpendLine).where(
                        SpendLine.tenant_id == self.tenant_id, SpendLine.line_key.in_([k for k, _ in keyed])
                    )
                )
            ).all()
        }
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        for key, record in keyed:
            f = record.fields
            line = existing.get(key)
            if line is None:
                inserts.append(
                    {
                        "id": str(uuid.uuid4()),
                        "tenant_id": self.tenant_id,
                        "line_key": key,
                        "supplier_id": suppliers[supplier_key(record)],
                        "transaction_ref": f.get("transaction_ref"),
                        "paid_date": f.get("paid_date"),
                        "period_date": f["period_date"],
                        "date_basis": f["date_basis"],
                        "financial_year": f["financial_year"],
                        "quarter": f["quarter"],
                        "amount_pence": pence(f["amount"]),
                        "supplier_name": f["supplier_name"],
                        "source": self.source,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                        **{name: f.get(name) for name in DESCRIPTIVE},
                    }
                )
                result.counts["created"] += 1
            elif any(getattr(line, name) != f.get(name) for name in DESCRIPTIVE):
                for name in DESCRIPTIVE:
                    setattr(line, name, f.get(name))
                line.updated_at, line.version = now, line.version + 1
                result.counts["updated"] += 1
            else:
                result.counts["unchanged"] += 1
        if inserts:
            await session.execute(insert(SpendLine), inserts)
        return result

    async def _suppliers(
        self, session: AsyncSession, records: list[SpendRecord], result: WriteResult
    ) -> dict[str, str]:
        """name key → supplier id, creating the suppliers this batch names for the first time."""
        wanted: dict[str, SpendRecord] = {}
        for record in records:
            wanted.setdefault(supplier_key(record), record)
        found = {
            s.name_key: s
            for s in (
                await session.scalars(
                    select(SpendSupplier).where(
                        SpendSupplier.tenant_id == self.tenant_id, SpendSupplier.name_key.in_(list(wanted))
                    )
                )
            ).all()
        }
        now, ids, inserts = utcnow(), {k: s.id for k, s in found.items()}, []
        for key, record in wanted.items():
            identifier = record.fields.get("identifier")
            if key in found:
                if identifier and not found[key].identifier:  # a later file gave its company number: re-match
                    await session.execute(
                        update(SpendSupplier)
                        .where(SpendSupplier.id == found[key].id)
                        .values(identifier=identifier, updated_at=now)
                    )
                    result.new_supplier_ids.append(found[key].id)
                continue
            redacted = key == REDACTED_KEY
            ids[key] = str(uuid.uuid4())
            inserts.append(
                {
                    "id": ids[key],
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
                result.new_supplier_ids.append(ids[key])
        if inserts:
            await session.execute(insert(SpendSupplier), inserts)
        return ids
