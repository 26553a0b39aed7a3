"""The supplier review queue (SPEC §7.1): each distinct supplier in the council's spend, what it was matched to
and how surely; officers confirm, correct or reject matches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from localwealth_shared.clock import utcnow
from localwealth_shared.http.concurrency import check_if_match, set_etag
from localwealth_shared.http.imports import Store
from localwealth_shared.http.money import money
from localwealth_shared.http.pagination import Cursor, Limit, Page, UpdatedSince, after, decode_cursor, page_of
from localwealth_shared.http.problems import NotFound, field_error, problem_responses
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import KnownOrganisation, SpendLine, SpendSupplier
from impact.dependencies import Reader, ReadSession, Writer, WriteSession
from impact.spend.repository import to_pounds
from impact.suppliers.reconcile import MATCHED, STATUSES, UNMATCHED
from impact.suppliers.rerun import KIND as RECONCILE

router = APIRouter(prefix="/api/v1/spend/suppliers", tags=["suppliers"])
Status = Literal["unmatched", "suggested", "matched", "redacted"]


class Candidate(BaseModel):
    organisation_id: str
    name: str
    score: float = Field(description="Name similarity 0–100")
    method: str


class Supplier(BaseModel):
    id: str
    name: str
    identifier: str | None = Field(description="An org-id the council's data carried")
    status: Status
    organisation_id: str | None
    organisation_name: str | None
    confidence: float | None = Field(description="0–1: 1 by identifier, 0.98 by exact name, else the fuzzy score")
    method: Literal["identifier", "name", "fuzzy", "manual"] | None
    candidates: list[Candidate]
    created_at: datetime
    updated_at: datetime
    version: int


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: Annotated[str, Field(min_length=1, max_length=36)] | None = Field(
        description="The registry organisation this supplier is; null records that it is in none (no auto-match)."
    )


class StatusShare(BaseModel):
    suppliers: int
    spend: dict[str, str]
    spend_share: float


class ReconciliationStats(BaseModel):
    suppliers: int
    by_status: dict[str, StatusShare]
    match_rate: float = Field(description="Matched suppliers / named (not redacted) suppliers")
    spend_match_rate: float = Field(description="Spend with matched suppliers / spend with named suppliers")


async def _view(session: AsyncSession, supplier: SpendSupplier) -> dict[str, Any]:
    org = await session.get(KnownOrganisation, supplier.organisation_id) if supplier.organisation_id else None
    return {
        **{c: getattr(supplier, c) for c in Supplier.model_fields if hasattr(supplier, c)},
        "organisation_name": org.name if org else None,
    }


async def _own(session: AsyncSession, tenant_id: str, supplier_id: str) -> SpendSupplier:
    supplier = await session.get(SpendSupplier, supplier_id)
    if supplier is None or supplier.tenant_id != tenant_id:  # another council's supplier reads as missing
        raise NotFound(f"no supplier {supplier_id}", code="supplier_not_found")
    return supplier


@router.get("", response_model=Page[Supplier], responses=problem_responses(401, 403, 422), summary="The review queue")
async def list_suppliers(
    principal: Reader,
    session: ReadSession,
    status: Annotated[Status | None, Query(description="unmatched | suggested | matched | redacted")] = None,
    updated_since: UpdatedSince = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    order = (SpendSupplier.updated_at, SpendSupplier.id)
    stmt = select(SpendSupplier).where(SpendSupplier.tenant_id == principal.tenant_id)
    if status:
        stmt = stmt.where(SpendSupplier.status == status)
    if updated_since:
        stmt = stmt.where(SpendSupplier.updated_at >= updated_since)
    if cursor:
        stmt = stmt.where(after(order, decode_cursor(cursor, [datetime, str])))
    rows = (await session.scalars(stmt.order_by(*order).limit(limit + 1))).all()
    page, next_cursor = page_of(rows, limit, lambda s: [s.updated_at, s.id])
    return {"data": [await _view(session, s) for s in page], "next_cursor": next_cursor}


@router.get(
    "/stats",
    response_model=ReconciliationStats,
    responses=problem_responses(401, 403),
    summary="How much of the council's spend is reconciled",
)
async def stats(principal: Reader, session: ReadSession) -> dict[str, Any]:
    rows = (
        await session.execute(
            select(SpendSupplier.status, func.count(func.distinct(SpendSupplier.id)), func.sum(SpendLine.amount_pence))
            .join(SpendLine, SpendLine.supplier_id == SpendSupplier.id, isouter=True)
            .where(SpendSupplier.tenant_id == principal.tenant_id)
            .group_by(SpendSupplier.status)
        )
    ).all()
    found = {status: (n, pence or 0) for status, n, pence in rows}
    all_spend = sum(p for _, p in found.values()) or 1
    named = [s for s in STATUSES if s != "redacted"]
    named_suppliers = sum(found.get(s, (0, 0))[0] for s in named) or 1
    named_spend = sum(found.get(s, (0, 0))[1] for s in named) or 1
    return {
        "suppliers": sum(n for n, _ in found.values()),
        "by_status": {
            s: {
                "suppliers": found.get(s, (0, 0))[0],
                "spend": money(to_pounds(found.get(s, (0, 0))[1])),
                "spend_share": round(found.get(s, (0, 0))[1] / all_spend, 4),
            }
            for s in STATUSES
        },
        "match_rate": round(found.get(MATCHED, (0, 0))[0] / named_suppliers, 4),
        "spend_match_rate": round(found.get(MATCHED, (0, 0))[1] / named_spend, 4),
    }


@router.post(
    "/reconcile",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403),
    summary="Reconcile the council's unmatched and suggested suppliers again (a job; e.g. after a registry import)",
)
async def reconcile_again(response: Response, principal: Writer, session: WriteSession, store: Store) -> dict[str, Any]:
    job_id = await store.create(
        session, tenant_id=principal.tenant_id, kind=RECONCILE, content=b"", filename=None, content_type=None,
        options={},
    )  # fmt: skip
    url = f"/api/v1/spend/suppliers/reconcile/{job_id}"
    response.headers["Location"] = url
    return {"id": job_id, "status": "queued", "url": url}


@router.get(
    "/reconcile/{job_id}",
    responses=problem_responses(401, 403, 404),
    summary="A reconciliation job: status, progress, and how many suppliers' match changed (`counts.updated`)",
)
async def get_reconcile_job(job_id: str, principal: Reader, session: ReadSession, store: Store) -> dict[str, Any]:
    url = f"/api/v1/spend/suppliers/reconcile/{job_id}"
    return await store.document(session, tenant_id=principal.tenant_id, job_id=job_id, url=url, kind=RECONCILE)


@router.get("/{supplier_id}", response_model=Supplier, responses=problem_responses(401, 403, 404))
async def get_supplier(supplier_id: str, principal: Reader, session: ReadSession, response: Response) -> dict[str, Any]:
    supplier = await _own(session, principal.tenant_id, supplier_id)
    set_etag(response, supplier.version)
    return await _view(session, supplier)


@router.post(
    "/{supplier_id}/match",
    response_model=Supplier,
    responses=problem_responses(401, 403, 404, 412, 422),
    summary="Match a supplier by hand (final: automatic reconciliation never overrides it)",
)
async def match_supplier(
    supplier_id: str,
    body: MatchIn,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
) -> dict[str, Any]:
    supplier = await _own(session, principal.tenant_id, supplier_id)
    check_if_match(request, supplier.version)
    if supplier.redacted:
        raise field_error(("path", "supplier_id"), "a redacted supplier cannot be matched", "supplier.redacted")
    if body.organisation_id is not None:
        org = await session.get(KnownOrganisation, body.organisation_id)
        if org is None or org.deregistered:
            raise field_error(
                ("body", "organisation_id"), "no such organisation in the registry", "organisation.unknown"
            )
    supplier.organisation_id = body.organisation_id
    supplier.status = MATCHED if body.organisation_id else UNMATCHED
    supplier.confidence = 1.0 if body.organisation_id else None
    supplier.method, supplier.candidates = "manual", []
    supplier.updated_at, supplier.version = utcnow(), supplier.version + 1
    await session.flush()
    set_etag(response, supplier.version)
    return await _view(session, supplier)
