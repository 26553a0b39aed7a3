"""HTTP endpoints for the CWB indicators (SPEC §7.2): the five pillars, local spend by period or category,
the same as CSV and SVG charts for reports, and the figures only a council can supply."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from localwealth_shared.auth import Principal
from localwealth_shared.clock import today, utcnow
from localwealth_shared.http.money import MoneyIn, money
from localwealth_shared.http.problems import problem_responses
from localwealth_shared.http.responses import CSVResponse
from localwealth_shared.jobs import safe_csv_cell
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import IndicatorInput
from impact.dependencies import Reader, ReadSession, Writer, WriteSession
from impact.indicators.charts import bar_chart
from impact.indicators.lm3_link import latest_lm3
from impact.indicators.local_spend import GroupBy, spend_classes
from impact.indicators.pillars import LOCAL_INVESTMENT, Pillar, Scope, pillars
from impact.periods import FromParam, PeriodParam, ToParam, bounds, current_financial_year, period_filter
from impact.spend import repository
from impact.spend.prepare import pence
from impact.spend.repository import PeriodFilter

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])
FinancialYear = Annotated[str, Path(pattern=r"^\d{4}-\d{2}$", examples=["2017-18"])]


class IndicatorOut(BaseModel):
    id: str
    title: str
    value: str | int | None = Field(description="A decimal string for shares, ratios and money; an integer count")
    unit: Literal["share", "GBP", "count", "ratio"]
    period: str
    method: str
    coverage: dict[str, Any]


class PillarOut(BaseModel):
    id: str
    title: str
    indicators: list[IndicatorOut]


class IndicatorsOut(BaseModel):
    period: dict[str, str | None]
    area: dict[str, list[str]]
    pillars: list[PillarOut]


class SpendGroup(BaseModel):
    group: str
    total: dict[str, str]
    by_class: dict[str, dict[str, str]]
    shares: dict[str, str | None]
    coverage: dict[str, str | None]


class LocalSpendOut(BaseModel):
    period: dict[str, str | None]
    area: dict[str, list[str]]
    by: str | None
    groups: list[SpendGroup]


class InvestmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: MoneyIn
    note: Annotated[str, Field(max_length=1000)] | None = None


async def _scope(session: AsyncSession, principal: Principal, period: PeriodFilter) -> Scope:
    """The period asked for; by default the latest financial year with spend (or the current one)."""
    if not (period.financial_year or period.start or period.end):
        years = await repository.financial_years(session, principal.tenant_id)
        period = PeriodFilter(financial_year=years[-1] if years else current_financial_year(today()))
    start, end = bounds(period, today())
    return Scope(principal.tenant_id, principal.area_lad_codes, period, period.describe()["label"] or "", start, end)


async def _pillars(session: AsyncSession, scope: Scope) -> list[Pillar]:
    return await pillars(session, scope, await latest_lm3(session, scope))


def _area(principal: Principal) -> dict[str, list[str]]:
    return {"lad_codes": list(principal.area_lad_codes)}


@router.get(
    "", response_model=IndicatorsOut, responses=problem_responses(401, 403, 422), summary="The five CWB pillars"
)
async def get_indicators(
    principal: Reader, session: ReadSession, period: PeriodParam = None, start: FromParam = None, end: ToParam = None
) -> dict[str, Any]:
    scope = await _scope(session, principal, period_filter(period, start, end))
    found = await _pillars(session, scope)
    return {
        "period": scope.period.describe(),
        "area": _area(principal),
        "pillars": [{"id": p.id, "title": p.title, "indicators": [i.api() for i in p.indicators]} for p in found],
    }


@router.get(
    "/export.csv",
    response_class=CSVResponse,
    responses=problem_responses(401, 403, 422),
    summary="The five CWB pillars as CSV (one row per indicator)",
)
async def get_indicators_csv(
    principal: Reader, session: ReadSession, period: PeriodParam = None, start: FromParam = None, end: ToParam = None
) -> CSVResponse:
    scope = await _scope(session, principal, period_filter(period, start, end))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["pillar", "indicator", "title", "value", "unit", "period", "method", "coverage"])
    for pillar in await _pillars(session, scope):
        for i in pillar.indicators:
            coverage = "; ".join(f"{k}={v}" for k, v in i.coverage.items())
            cells = [pillar.id, i.id, i.title, i.api()["value"], i.unit, i.period, i.method, coverage]
            writer.writerow([safe_csv_cell(c) for c in cells])
    return CSVResponse(out.getvalue(), f"cwb-indicators-{principal.tenant_id}-{scope.label.replace(' ', '-')}.csv")


ByParam = Annotated[GroupBy | None, Query(alias="by", description="financial_year | quarter | category | service_area")]


async def _local_spend(
    session: AsyncSession, principal: Principal, chosen: PeriodFilter, by: GroupBy | None
) -> dict[str, Any]:
    groups = await spend_classes(session, principal.tenant_id, chosen, principal.area_lad_codes, by)
    out = [classes.api(name) for name, classes in groups.items()]
    return {"period": chosen.describe(), "area": _area(principal), "by": by, "groups": out}


@router.get(
    "/local-spend",
    response_model=LocalSpendOut,
    responses=problem_responses(401, 403, 422),
    summary="Local spend and spend with SMEs, VCSEs, the social economy, Real Living Wage employers",
)
async def get_local_spend(
    principal: Reader,
    session: ReadSession,
    period: PeriodParam = None,
    start: FromParam = None,
    end: ToParam = None,
    by: ByParam = None,
) -> dict[str, Any]:
    return await _local_spend(session, principal, period_filter(period, start, end), by)


SVG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/svg+xml": {}}, "description": "An SVG chart"}}


@router.get(
    "/charts/local-spend.svg",
    response_class=Response,
    responses={**SVG, **problem_responses(401, 403, 422)},
    summary="Chart: local, SME and social-economy shares of spend by year, quarter or category",
)
async def chart_local_spend(
    principal: Reader,
    session: ReadSession,
    period: PeriodParam = None,
    start: FromParam = None,
    end: ToParam = None,
    by: Annotated[GroupBy, Query(alias="by")] = "financial_year",
) -> Response:
    data = await _local_spend(session, principal, period_filter(period, start, end), by)
    groups = [g["group"] for g in data["groups"]]
    series = {
        label: [None if g["shares"][cls] is None else float(g["shares"][cls]) for g in data["groups"]]
        for cls, label in (("local", "Local"), ("sme", "SMEs"), ("social_economy", "Social economy"))
    }
    svg = bar_chart(f"Share of spend, {principal.tenant_name or principal.tenant_id}", groups, series, "share")
    return Response(svg, media_type="image/svg+xml")


@router.get(
    "/charts/spend-by-category.svg",
    response_class=Response,
    responses={**SVG, **problem_responses(401, 403, 422)},
    summary="Chart: the ten largest spend categories in a period",
)
async def chart_categories(
    principal: Reader, session: ReadSession, period: PeriodParam = None, start: FromParam = None, end: ToParam = None
) -> Response:
    chosen = period_filter(period, start, end)
    top = (await repository.by_category(session, principal.tenant_id, chosen))[:10]
    series = {"Spend": [float(c["total"]) for c in top]}
    svg = bar_chart(f"Spend by category, {chosen.describe()['label']}", [c["category"] for c in top], series, "GBP")
    return Response(svg, media_type="image/svg+xml")


@router.put(
    "/inputs/local_investment/{financial_year}",
    responses=problem_responses(401, 403, 422),
    summary="Supply the council's local investment for a financial year (the financial power pillar)",
)
async def put_local_investment(
    financial_year: FinancialYear, body: InvestmentIn, principal: Writer, session: WriteSession
) -> dict[str, Any]:
    period_filter(financial_year, None, None)  # the same checks as ?period=
    row = await session.get(IndicatorInput, (principal.tenant_id, LOCAL_INVESTMENT, financial_year))
    if row is None:
        row = IndicatorInput(tenant_id=principal.tenant_id, indicator=LOCAL_INVESTMENT, financial_year=financial_year)
        session.add(row)
        row.version = 1
    else:
        row.version += 1
    row.amount_pence, row.note, row.updated_at = pence(body.amount.amount), body.note, utcnow()
    await session.flush()
    return {
        "indicator": LOCAL_INVESTMENT,
        "financial_year": financial_year,
        "amount": money(Decimal(row.amount_pence) / 100),
        "note": row.note,
        "version": row.version,
    }
