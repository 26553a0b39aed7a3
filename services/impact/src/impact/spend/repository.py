"""Queries over one tenant's spend lines. Every query is scoped by tenant first: a council's spend is its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import SpendLine

UNCATEGORISED = "(uncategorised)"


@dataclass(frozen=True)
class PeriodFilter:
    """A financial year ("2017-18"), one quarter of it, or a date range — on the line's `period_date`."""

    financial_year: str | None = None
    quarter: int | None = None
    start: date | None = None
    end: date | None = None

    def days(self) -> tuple[date | None, date | None]:
        """The first and last day covered (None: open-ended). A financial year runs April to March."""
        if self.financial_year:
            first = int(self.financial_year[:4])
            start, end = date(first, 4, 1), date(first + 1, 3, 31)
            if self.quarter:
                start = start + relativedelta(months=3 * (self.quarter - 1))
                end = start + relativedelta(months=3, days=-1)
            return start, end
        return self.start, self.end

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.financial_year:
            conditions.append(SpendLine.financial_year == self.financial_year)
        if self.quarter:
            conditions.append(SpendLine.quarter == self.quarter)
        # Years and quarters as days too (the same lines: both are derived from period_date), so every period
        # is a range of the (tenant, period_date, …) index.
        start, end = self.days()
        if start:
            conditions.append(SpendLine.period_date >= start)
        if end:
            conditions.append(SpendLine.period_date <= end)
        return conditions

    def describe(self) -> dict[str, str | None]:
        if self.financial_year:
            label = self.financial_year + (f" Q{self.quarter}" if self.quarter else "")
            return {"financial_year": self.financial_year, "quarter": str(self.quarter) if self.quarter else None,
                    "label": label}  # fmt: skip
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "label": f"{self.start or '…'} to {self.end or '…'}",
        }


def to_pounds(pence: int | None) -> Decimal:
    return (Decimal(pence or 0) / 100).quantize(Decimal("0.01"))


def scoped(tenant_id: str, period: PeriodFilter) -> list[ColumnElement[bool]]:
    return [SpendLine.tenant_id == tenant_id, *period.conditions()]


async def totals(session: AsyncSession, tenant_id: str, period: PeriodFilter) -> dict[str, Any]:
    row = (
        await session.execute(
            select(
                func.count(), func.coalesce(func.sum(SpendLine.amount_pence), 0),
                func.count(func.distinct(SpendLine.supplier_id)),
            ).where(*scoped(tenant_id, period))
        )
    ).one()  # fmt: skip
    return {"lines": row[0], "total": to_pounds(row[1]), "suppliers": row[2]}


async def by_category(session: AsyncSession, tenant_id: str, period: PeriodFilter) -> list[dict[str, Any]]:
    category = func.coalesce(SpendLine.category, UNCATEGORISED)
    rows = await session.execute(
        select(category, func.sum(SpendLine.amount_pence), func.count())
        .where(*scoped(tenant_id, period))
        .group_by(category)
        .order_by(func.sum(SpendLine.amount_pence).desc(), category)
    )
    return [{"category": name, "total": to_pounds(pence), "lines": n} for name, pence, n in rows.all()]


async def financial_years(session: AsyncSession, tenant_id: str) -> list[str]:
    rows = await session.execute(
        select(SpendLine.financial_year)
        .where(SpendLine.tenant_id == tenant_id)
        .distinct()
        .order_by(SpendLine.financial_year)
    )
    return [fy for (fy,) in rows.all()]
