"""Local spend and spend with the social economy (CLES): how much of a council's spend goes to suppliers based
or with a branch in its area, and to SMEs, VCSEs, the social economy and Real Living Wage employers.

What a supplier is comes from the registry (its sites, flags, certifications) through reconciliation, so a
supplier that is not reconciled counts in the total but in no class: every share is a lower bound, and
`coverage` says how much of the spend could be classified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from localwealth_shared.http.money import money
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import KnownOrganisation, SpendLine, SpendSupplier
from impact.spend.repository import UNCATEGORISED, PeriodFilter, scoped, to_pounds

CLASSES = ("local", "sme", "vcse", "social_economy", "real_living_wage")
GroupBy = Literal["financial_year", "quarter", "category", "service_area"]


@dataclass
class SpendClasses:
    """Pence by supplier class for one group (a year, a quarter, a category, or everything)."""

    total: int = 0
    matched: int = 0
    redacted: int = 0
    classes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))

    def share(self, name: str) -> Decimal | None:
        """The class's share of all spend (None when the total is not positive)."""
        if self.total <= 0:
            return None
        return (Decimal(self.classes[name]) / Decimal(self.total)).quantize(Decimal("0.0001"))

    def coverage(self) -> dict[str, str | None]:
        if self.total <= 0:
            return {"reconciled_share": None, "redacted_share": None}
        return {
            "reconciled_share": str((Decimal(self.matched) / self.total).quantize(Decimal("0.0001"))),
            "redacted_share": str((Decimal(self.redacted) / self.total).quantize(Decimal("0.0001"))),
        }

    def api(self, group: str) -> dict[str, Any]:
        """As the local-spend endpoint shows one group: money as {amount, currency}, shares as strings."""
        shares = {name: self.share(name) for name in CLASSES}
        return {
            "group": group,
            "total": money(to_pounds(self.total)),
            "by_class": {name: money(to_pounds(self.classes[name])) for name in CLASSES},
            "shares": {name: None if v is None else str(v) for name, v in shares.items()},
            "coverage": self.coverage(),
        }


def classes_of(org: KnownOrganisation, area: set[str]) -> list[str]:
    found = []
    if area & set(org.operating_lad_codes or ()):
        found.append("local")
    for name, flag in (("sme", org.is_sme), ("vcse", org.is_vcse), ("social_economy", org.is_social_economy),
                       ("real_living_wage", org.real_living_wage)):  # fmt: skip
        if flag:
            found.append(name)
    return found


def _group_columns(group_by: GroupBy | None) -> list[Any]:
    if group_by == "financial_year":
        return [SpendLine.financial_year]
    if group_by == "quarter":
        return [SpendLine.financial_year, SpendLine.quarter]
    if group_by == "category":
        return [func.coalesce(SpendLine.category, UNCATEGORISED)]
    if group_by == "service_area":
        return [func.coalesce(SpendLine.service_area, UNCATEGORISED)]
    return []


def _label(values: Sequence[Any], group_by: GroupBy | None) -> str:
    if group_by is None:
        return "all"
    if group_by == "quarter":
        return f"{values[0]}-Q{values[1]}"
    return str(values[0])


async def spend_classes(
    session: AsyncSession,
    tenant_id: str,
    period: PeriodFilter,
    area: Sequence[str],
    group_by: GroupBy | None = None,
) -> dict[str, SpendClasses]:
    """Spend classes per group ("all" when not grouped). One aggregate query, then the organisations paid."""
    groups = [column.label(f"g{i}") for i, column in enumerate(_group_columns(group_by))]
    # Lines are summed per supplier first, and only those sums joined to the suppliers: a million lines
    # name a few thousand suppliers, and the join per line was most of the query's time.
    per_supplier = (
        select(*groups, SpendLine.supplier_id, func.sum(SpendLine.amount_pence).label("pence"))
        .where(*scoped(tenant_id, period))
        .group_by(*(group.element for group in groups), SpendLine.supplier_id)
        .subquery()
    )
    keys = [*(per_supplier.c[group.name] for group in groups), SpendSupplier.status, SpendSupplier.organisation_id]
    stmt = (
        select(*keys, func.sum(per_supplier.c.pence))
        .join(SpendSupplier, SpendSupplier.id == per_supplier.c.supplier_id)
        .group_by(*keys)
    )
    rows = (await session.execute(stmt)).all()
    orgs = await organisations(session, {row[-2] for row in rows if row[-2]})
    area_set = set(area)
    result: dict[str, SpendClasses] = defaultdict(SpendClasses)
    for row in rows:
        status, org_id, pence = row[-3], row[-2], int(row[-1] or 0)
        bucket = result[_label(row[: len(groups)], group_by)]
        bucket.total += pence
        if status == "redacted":
            bucket.redacted += pence
        org = orgs.get(org_id) if status == "matched" and org_id else None
        if org is not None:
            bucket.matched += pence
            for name in classes_of(org, area_set):
                bucket.classes[name] += pence
    return dict(sorted(result.items()))


async def organisations(session: AsyncSession, ids: set[str]) -> dict[str, KnownOrganisation]:
    found: dict[str, KnownOrganisation] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        stmt = select(KnownOrganisation).where(KnownOrganisation.id.in_(ordered[start : start + 500]))
        found.update({o.id: o for o in (await session.scalars(stmt)).all()})
    return found
