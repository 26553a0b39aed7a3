"""HTTP endpoints for LM3 analyses (SPEC §7.2). An analysis is the calling council's own: another council's
reads as missing. Each one is stored with its input, so a published LM3 can always be traced to its working."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from localwealth_shared.auth import Principal
from localwealth_shared.clock import utcnow
from localwealth_shared.http.money import money
from localwealth_shared.http.pagination import Cursor, Limit, Page, after, decode_cursor, page_of
from localwealth_shared.http.problems import NotFound, field_error, problem_responses
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import KnownOrganisation, SpendLine, SpendSupplier
from impact.dependencies import Reader, ReadSession, Writer, WriteSession
from impact.lm3.calculation import (
    Estimate,
    LM3Input,
    LM3Result,
    LM3ValidationError,
    Proxy,
    StaffContribution,
    StaffWages,
    SupplierContribution,
    SupplierSpend,
    calculate_lm3,
)
from impact.lm3.schemas import LM3Analysis, LM3AnalysisIn, LM3AnalysisSummary
from impact.lm3.tables import LM3Analysis as AnalysisRecord
from impact.periods import period_filter
from impact.spend.repository import scoped, to_pounds
from impact.suppliers.reconcile import MATCHED

router = APIRouter(prefix="/api/v1/lm3", tags=["lm3"])
AnalysisId = Annotated[str, Path(max_length=36)]


@router.post(
    "/analyses",
    response_model=LM3Analysis,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Calculate and store an LM3 analysis",
    description="LM3 = (R1 + R2 + R3) / R1. Give the suppliers (with survey answers where you have them) or "
    "`from_spend` to trace the council's own reconciled spend for a period. Missing survey answers are filled by "
    "documented proxies, each listed under `estimates` and in `assumptions`.",
)
async def create_analysis(
    body: LM3AnalysisIn, response: Response, principal: Writer, session: WriteSession
) -> dict[str, Any]:
    if body.suppliers is not None and body.from_spend is not None:
        raise field_error(("body", "from_spend"), "give either suppliers or from_spend, not both", "lm3.one_source")
    if body.suppliers is None and body.from_spend is None:
        raise field_error(("body", "suppliers"), "give the suppliers, or from_spend", "lm3.one_source")

    if body.from_spend is not None:
        traced = await _suppliers_from_spend(session, principal, body.from_spend.period)
    else:
        given = body.suppliers or []
        traced = _Traced([SupplierSpend(s.supplier, s.amount.amount, s.is_local, s.local_respend_share) for s in given])
    try:
        result = calculate_lm3(_calculation_input(body, traced.suppliers), _proxies(body))
    except LM3ValidationError as exc:
        raise field_error(("body", *exc.loc), exc.message, exc.rule) from exc

    record = AnalysisRecord(
        id=str(uuid.uuid4()),
        tenant_id=principal.tenant_id,
        label=body.label,
        source="spend" if body.from_spend else "suppliers",
        period=body.from_spend.period if body.from_spend else None,
        lm3=result.lm3,
        request=body.model_dump(mode="json", exclude_none=True),
        result=_result_document(result, traced),
        created_at=utcnow(),
    )
    session.add(record)
    await session.flush()
    response.headers["Location"] = f"/api/v1/lm3/analyses/{record.id}"
    return _view(record)


@router.get(
    "/analyses",
    response_model=Page[LM3AnalysisSummary],
    responses=problem_responses(401, 403, 422),
    summary="The council's analyses, oldest first (the headline figures; fetch one for its working)",
)
async def list_analyses(principal: Reader, session: ReadSession, limit: Limit = 50, cursor: Cursor = None) -> Any:
    order = (AnalysisRecord.created_at, AnalysisRecord.id)
    stmt = select(AnalysisRecord).where(AnalysisRecord.tenant_id == principal.tenant_id)
    if cursor:
        stmt = stmt.where(after(order, decode_cursor(cursor, [datetime, str])))
    rows = (await session.scalars(stmt.order_by(*order).limit(limit + 1))).all()
    page, next_cursor = page_of(rows, limit, lambda a: [a.created_at, a.id])
    return {"data": [_summary(a) for a in page], "next_cursor": next_cursor}


@router.get("/analyses/{analysis_id}", response_model=LM3Analysis, responses=problem_responses(401, 403, 404))
async def get_analysis(analysis_id: AnalysisId, principal: Reader, session: ReadSession) -> dict[str, Any]:
    record = await session.get(AnalysisRecord, analysis_id)
    if record is None or record.tenant_id != principal.tenant_id:  # another council's analysis reads as missing
        raise NotFound(f"no LM3 analysis {analysis_id}", code="lm3_analysis_not_found")
    return _view(record)


# --- input ---------------------------------------------------------------------------------------------


@dataclass
class _Traced:
    """The suppliers to calculate over, with what spend knew about them and what the caller should be told."""

    suppliers: list[SupplierSpend]
    ids: list[tuple[str | None, str | None]] | None = None  # (spend supplier id, organisation id), from spend
    notes: tuple[str, ...] = ()


async def _suppliers_from_spend(session: AsyncSession, principal: Principal, period: str) -> _Traced:
    """Each supplier the council paid in the period, net of credits, local when its registry organisation has a
    site in the council's area. A supplier not (yet) reconciled cannot be shown to be local, so it is not."""
    totals = (
        select(SpendLine.supplier_id, func.sum(SpendLine.amount_pence).label("pence"))
        .where(*scoped(principal.tenant_id, period_filter(period, None, None)))
        .group_by(SpendLine.supplier_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(SpendSupplier, KnownOrganisation.operating_lad_codes, totals.c.pence)
            .join(totals, totals.c.supplier_id == SpendSupplier.id)
            .outerjoin(KnownOrganisation, KnownOrganisation.id == SpendSupplier.organisation_id)
            .order_by(totals.c.pence.desc(), SpendSupplier.name, SpendSupplier.id)
        )
    ).all()
    if not rows:
        raise field_error(("body", "from_spend", "period"), f"the council has no spend in {period}", "lm3.no_spend")

    area = set(principal.area_lad_codes)
    suppliers: list[SupplierSpend] = []
    ids: list[tuple[str | None, str | None]] = []
    credits, unmatched, redacted = _Tally(), _Tally(), _Tally()
    for supplier, lads, pence in rows:
        amount = to_pounds(pence)
        if amount <= 0:  # credits exceed payments: nothing was spent with it over the period
            credits.add(amount)
            continue
        matched = supplier.status == MATCHED and lads is not None
        if supplier.redacted:
            redacted.add(amount)
        elif not matched:
            unmatched.add(amount)
        suppliers.append(SupplierSpend(supplier.name, amount, matched and bool(area & set(lads or ()))))
        ids.append((supplier.id, supplier.organisation_id if matched else None))

    traced = sum((s.amount for s in suppliers), Decimal(0))
    notes = [
        f"Suppliers from the council's spend in {period}: {len(suppliers)} suppliers, {_pounds(traced)} net of "
        f"credits. A supplier is local when the registry organisation it is reconciled to has a site in the "
        f"council's area ({', '.join(sorted(area)) or 'none set'})."
    ]
    if not area:
        notes.append("The council has no local area set, so no supplier counts as local.")
    if unmatched.count:
        notes.append(
            f"{_pounds(unmatched.total)} with {unmatched.count} suppliers not reconciled to a registry organisation "
            "(unmatched, or a suggestion not yet confirmed) is counted as not local."
        )
    if redacted.count:
        notes.append(f"{_pounds(redacted.total)} with redacted suppliers is counted as not local.")
    if credits.count:
        notes.append(
            f"{credits.count} suppliers whose credits equal or exceed their payments ({_pounds(credits.total)} net) "
            "are left out."
        )
    return _Traced(suppliers, ids, tuple(notes))


@dataclass
class _Tally:
    count: int = 0
    total: Decimal = Decimal(0)

    def add(self, amount: Decimal) -> None:
        self.count, self.total = self.count + 1, self.total + amount


def _calculation_input(body: LM3AnalysisIn, suppliers: list[SupplierSpend]) -> LM3Input:
    staff = (
        StaffWages(body.staff.total.amount, body.staff.local_share, body.staff.local_respend_share)
        if body.staff
        else None
    )
    return LM3Input(suppliers=suppliers, staff=staff, r1=body.r1.amount if body.r1 else None)


def _proxies(body: LM3AnalysisIn) -> dict[str, Proxy]:
    if body.proxies is None:
        return {}
    given = body.proxies.model_dump(exclude_none=True)
    return {key: Proxy(Decimal(p["share"]), p["source"]) for key, p in given.items()}


# --- output --------------------------------------------------------------------------------------------


def _result_document(result: LM3Result, traced: _Traced) -> dict[str, Any]:
    """The stored result, in the API's terms (so what is read back is exactly what was answered)."""
    ids = traced.ids or [(None, None)] * len(result.by_supplier)
    return {
        "r1": money(result.r1),
        "r2": money(result.r2),
        "r3": money(result.r3),
        "lm3": str(result.lm3),
        "assumptions": [*traced.notes, *result.assumptions],
        "estimates": [_estimate(e) for e in result.estimates],
        "by_supplier": [_contribution(c, *i) for c, i in zip(result.by_supplier, ids, strict=True)],
        "staff": _staff(result.staff) if result.staff else None,
        "coverage": {
            "surveyed_r3": money(result.coverage.surveyed_r3),
            "estimated_r3": money(result.coverage.estimated_r3),
            "surveyed_share": _text(result.coverage.surveyed_share),
            "estimated_share": _text(result.coverage.estimated_share),
        },
        "proxies_used": {key: {"share": str(p.share), "source": p.source} for key, p in result.proxies_used.items()},
    }


def _estimate(e: Estimate) -> dict[str, Any]:
    return {
        "figure": e.figure,
        "subject": e.subject,
        "proxy": e.proxy,
        "share": str(e.share),
        "source": e.source,
        "r3": money(e.r3),
    }


def _contribution(c: SupplierContribution, supplier_id: str | None, organisation_id: str | None) -> dict[str, Any]:
    return {
        "supplier": c.supplier,
        "amount": money(c.amount),
        "is_local": c.is_local,
        "r2": money(c.r2),
        "r3": money(c.r3),
        "local_respend_share": _text(c.local_respend_share),
        "estimated": c.estimated,
        "supplier_id": supplier_id,
        "organisation_id": organisation_id,
    }


def _staff(s: StaffContribution) -> dict[str, Any]:
    return {
        "total": money(s.total),
        "local_share": str(s.local_share),
        "r2": money(s.r2),
        "r3": money(s.r3),
        "local_respend_share": str(s.local_respend_share),
        "estimated": s.estimated,
    }


def _summary(record: AnalysisRecord) -> dict[str, Any]:
    result = record.result
    return {
        "id": record.id,
        "label": record.label,
        "source": record.source,
        "period": record.period,
        "created_at": record.created_at,
        **{k: result[k] for k in ("r1", "r2", "r3", "lm3")},
    }


def _view(record: AnalysisRecord) -> dict[str, Any]:
    return {**record.result, **_summary(record), "input": record.request}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"
