"""The in-memory supplier index the engine ranks from, kept in step with the `suppliers` read model.

The database is the source of truth: the index loads it whole on first use and then, before each query,
reads only rows changed since its watermark (minus an overlap for transactions that committed late), so
an organisation the consumer has just applied is matchable at once. Suppliers are inverted by CPV
division so a tender only scores suppliers that share at least a division with it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, timedelta

from localwealth_shared.clock import today
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import Supplier, SupplierScore
from procurement.matching.model import Site, SupplierFacts

OVERLAP = timedelta(seconds=5)
CURRENT_CERTIFICATION = "active"  # the registry's status for a certification that counts today


def facts_of(row: Supplier, impact_score: float | None) -> SupplierFacts:
    day = today().isoformat()
    return SupplierFacts(
        id=row.id,
        name=row.name,
        cpv_codes=tuple(row.cpv_codes),
        sites=tuple(
            Site(s.get("lat"), s.get("lon"), s.get("lad_code"), bool(s.get("is_operating_site", True)))
            for s in row.sites
        ),
        turnover=row.turnover_amount,
        employees=row.employees,
        is_vcse=row.is_vcse,
        is_sme=row.is_sme,
        is_social_economy=row.is_social_economy,
        legal_form=row.legal_form,
        ownership=tuple(row.ownership),
        certifications=tuple(
            c["scheme"]
            for c in row.certifications
            if (c.get("status") or CURRENT_CERTIFICATION).casefold() == CURRENT_CERTIFICATION
            and not (c.get("expires_on") and c["expires_on"] < day)
        ),
    )


class SupplierIndex:
    def __init__(self) -> None:
        self.suppliers: dict[str, SupplierFacts] = {}
        self.by_division: dict[str, set[str]] = defaultdict(set)
        self.scores: dict[str, float] = {}
        self._supplier_mark: datetime | None = None
        self._score_mark: datetime | None = None
        self._lock = asyncio.Lock()

    def put(self, facts: SupplierFacts) -> None:
        self.remove(facts.id)
        facts.impact_score = self.scores.get(facts.id)
        self.suppliers[facts.id] = facts
        for code in facts.cpv_codes:
            self.by_division[code[:2]].add(facts.id)

    def remove(self, supplier_id: str) -> None:
        old = self.suppliers.pop(supplier_id, None)
        if old is not None:
            for code in old.cpv_codes:
                self.by_division[code[:2]].discard(supplier_id)

    def set_score(self, supplier_id: str, score: float) -> None:
        self.scores[supplier_id] = score
        if supplier_id in self.suppliers:
            self.suppliers[supplier_id].impact_score = score

    def candidates(self, cpv_codes: tuple[str, ...]) -> list[SupplierFacts]:
        """Suppliers sharing a CPV division with any of the codes; every supplier when there are none."""
        if not cpv_codes:
            return list(self.suppliers.values())
        ids: set[str] = set()
        for code in cpv_codes:
            ids |= self.by_division.get(code[:2], set())
        return [self.suppliers[i] for i in ids]

    async def refresh(self, session: AsyncSession) -> None:
        async with self._lock:
            await self._refresh_scores(session)
            await self._refresh_suppliers(session)

    async def _refresh_scores(self, session: AsyncSession) -> None:
        query = select(SupplierScore)
        if self._score_mark is not None:
            query = query.where(SupplierScore.updated_at >= self._score_mark - OVERLAP)
        for row in (await session.execute(query)).scalars():
            self.set_score(row.organisation_id, row.score)
            self._score_mark = max(self._score_mark or row.updated_at, row.updated_at)

    async def _refresh_suppliers(self, session: AsyncSession) -> None:
        query = select(Supplier)
        if self._supplier_mark is not None:
            query = query.where(Supplier.updated_at >= self._supplier_mark - OVERLAP)
        for row in (await session.execute(query)).scalars():
            if row.deregistered:
                self.remove(row.id)
            else:
                self.put(facts_of(row, None))
            self._supplier_mark = max(self._supplier_mark or row.updated_at, row.updated_at)
