"""`Prepared` batches → spend lines and suppliers, idempotently (the database half of writing spend).

A record whose natural key the tenant already has is `unchanged` (or `updated` if a descriptive field such
as the category was corrected). Work is done in bulk per batch: one driver-level insert that skips the keys
the tenant has (`localwealth_shared.bulk`), a look-up of those only when there are any, multi-row statements;
suppliers already seen by the writer are not looked up again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from localwealth_shared.bulk import insert_new
from localwealth_shared.clock import utcnow
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import SpendSupplier
from impact.spend.prepare import (
    DESCRIPTIVE,
    DESCRIPTIVE_AT,
    KEY_AT,
    LINE_COLUMNS,
    LINES,
    REDACTED_KEY,
    SUPPLIER_AT,
    Prepared,
    SupplierSeen,
)

SUPPLIERS = cast(Table, SpendSupplier.__table__)
# Set what each parameter row names (the descriptive fields, updated_at, version) on the line `line_id`.
UPDATE_LINE = update(LINES).where(LINES.c.id == bindparam("line_id"))
# What a re-sent line is compared with: the stored line's id, key, version and descriptive fields.
EXISTING = ("id", "line_key", "version", *DESCRIPTIVE)


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
    """Stores one tenant's prepared batches in order; remembers the suppliers it has already found or created
    (a file names the same few thousand on every batch). One writer serves one import or push, with the
    `SpendPreparer` that prepared its batches: after a failed batch both are discarded with the transaction."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self._known: dict[str, _Known] = {}  # name key → the stored supplier

    async def write(self, session: AsyncSession, prepared: Prepared) -> WriteResult:
        """Store a batch: new lines created, known ones updated or unchanged."""
        result = WriteResult()
        await self._suppliers(session, prepared.suppliers, result)
        if not prepared.rows:
            return result
        known = self._known
        rows = [(*row[:SUPPLIER_AT], known[row[SUPPLIER_AT]].id, *row[SUPPLIER_AT + 1 :]) for row in prepared.rows]
        # New lines are inserted and the keys the tenant already has are skipped in one statement, so a file of
        # new payments needs no look-up, and a line written meanwhile by another import is not an error.
        inserted = await insert_new(
            session, LINES, LINE_COLUMNS, rows, conflict=("tenant_id", "line_key"), bound=True, existing=EXISTING
        )
        result.counts["created"] = inserted.count
        if inserted.existing:
            await self._update(session, prepared, inserted.existing, result)
        return result

    async def _update(
        self, session: AsyncSession, prepared: Prepared, existing: list[Sequence[Any]], result: WriteResult
    ) -> None:
        """Lines the tenant already had (`EXISTING` of each): `updated` if a descriptive field was corrected,
        else `unchanged`."""
        stored = {key: (line_id, version, tuple(fields)) for line_id, key, version, *fields in existing}
        updates = []
        for row in prepared.rows:
            line = stored.get(row[KEY_AT])
            if line is None:
                continue  # created just now
            line_id, version, fields = line
            corrected = tuple(row[DESCRIPTIVE_AT:])
            if fields != corrected:
                updates.append(
                    {"line_id": line_id, "updated_at": prepared.now, "version": version + 1,
                     **dict(zip(DESCRIPTIVE, corrected, strict=True))}
                )  # fmt: skip
                result.counts["updated"] += 1
            else:
                result.counts["unchanged"] += 1
        if updates:
            await session.execute(UPDATE_LINE, updates)

    async def _suppliers(self, session: AsyncSession, seen: list[SupplierSeen], result: WriteResult) -> None:
        """Find or create the suppliers the batch passes on; a known one given an identifier for the first time
        is updated, to be matched again."""
        unknown = [supplier.key for supplier in seen if supplier.key not in self._known]
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
        for supplier in seen:
            known = self._known.get(supplier.key)
            if known is not None:
                if supplier.identifier and not known.identified:  # a later file gave its company number
                    await session.execute(
                        update(SpendSupplier)
                        .where(SpendSupplier.id == known.id)
                        .values(identifier=supplier.identifier, updated_at=now)
                    )
                    known.identified = True
                    result.new_supplier_ids.append(known.id)
                continue
            inserts.append(self._new_supplier(supplier, now))
            if supplier.key != REDACTED_KEY:
                result.new_supplier_ids.append(self._known[supplier.key].id)
        if inserts:
            await session.execute(insert(SUPPLIERS), inserts)

    def _new_supplier(self, supplier: SupplierSeen, now: datetime) -> dict[str, Any]:
        redacted = supplier.key == REDACTED_KEY
        known = self._known[supplier.key] = _Known(str(uuid.uuid4()), bool(supplier.identifier))
        return {
            "id": known.id,
            "tenant_id": self.tenant_id,
            "name": "REDACTED" if redacted else supplier.name,
            "name_key": supplier.key,
            "identifier": supplier.identifier,
            "redacted": redacted,
            "status": "redacted" if redacted else "unmatched",
            "candidates": [],
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
