"""The LM3 indicator of the progressive procurement pillar: the council's latest LM3 analysis of the period
(or, when it has none for the period, its latest analysis, saying which period that traced)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.indicators.pillars import Indicator, Scope
from impact.lm3.tables import LM3Analysis

METHOD = "NEF LM3 = (R1 + R2 + R3) / R1, from the council's latest LM3 analysis"


async def latest_lm3(session: AsyncSession, scope: Scope) -> Indicator | None:
    wanted = scope.period.financial_year and scope.label.replace(" ", "-")
    stmt = select(LM3Analysis).where(LM3Analysis.tenant_id == scope.tenant_id)
    newest = stmt.order_by(LM3Analysis.created_at.desc(), LM3Analysis.id.desc()).limit(1)
    analysis = (await session.scalars(newest.where(LM3Analysis.period == wanted))).first() if wanted else None
    exact = analysis is not None
    analysis = analysis or (await session.scalars(newest)).first()
    if analysis is None:
        return None
    estimated = analysis.result.get("coverage", {}).get("estimated_share")
    return Indicator(
        "lm3",
        "Local Multiplier 3",
        Decimal(str(analysis.lm3)).quantize(Decimal("0.01")),
        "ratio",
        analysis.period or scope.label,
        f"{METHOD}{' of the period' if exact else ' (not of this period)'}; re-spend proxies are estimates.",
        {"analysis_id": analysis.id, "traced_period": analysis.period, "r3_estimated_share": estimated},
    )
