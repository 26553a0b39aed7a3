"""HTTP endpoints for Assets of Community Value (SPEC §6.2). Cases are private to their council (404)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from localwealth_shared.http.concurrency import set_etag
from localwealth_shared.http.pagination import Cursor, Limit, after, decode_cursor, page_of
from localwealth_shared.http.problems import NotFound, problem_responses
from localwealth_shared.http.responses import CSVResponse
from sqlalchemy import select

from land.acv.export import row, to_csv
from land.acv.schemas import (
    AcvCase,
    AcvCasePage,
    AppealLodged,
    BidRequestCreate,
    DecisionCreate,
    DisposalNoticeCreate,
    NominationCreate,
    ReviewDecision,
    ReviewRequest,
)
from land.acv.service import get_case, load_view
from land.db import AcvCase as AcvCaseRow
from land.db import Asset, KnownOrganisation
from land.dependencies import AcvServiceDep, Reader, ReadSession, Writer, WriteSession

router = APIRouter(prefix="/api/v1/acv", tags=["assets of community value"])

WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


def _not_found(kind: str, case_id: str) -> NotFound:
    return NotFound(f"no {kind} {case_id}", code=f"acv_{kind}_not_found")


async def _case(session: Any, council: str, case_id: str, *, listing: bool) -> AcvCaseRow:
    case = await get_case(session, council, case_id)
    if case is None or (listing and case.listed_on is None):
        raise _not_found("listing" if listing else "nomination", case_id)
    return case


def _respond(response: Response, view: Any) -> dict[str, Any]:
    set_etag(response, view.case.version)
    return view.api()  # type: ignore[no-any-return]


@router.post(
    "/nominations",
    response_model=AcvCase,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_PROBLEMS,
    summary="Nominate an asset of community value",
)
async def nominate(
    body: NominationCreate, response: Response, principal: Writer, session: WriteSession, service: AcvServiceDep
) -> dict[str, Any]:
    view = await service.nominate(session, principal.tenant_id, principal.area_lad_codes, body.model_dump())
    response.headers["Location"] = f"/api/v1/acv/nominations/{view.case.id}"
    return _respond(response, view)


@router.get(
    "/nominations/{case_id}", response_model=AcvCase, responses=problem_responses(401, 403, 404), summary="A nomination"
)
async def get_nomination(case_id: str, response: Response, principal: Reader, session: ReadSession) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=False)
    return _respond(response, await load_view(session, case))


@router.post(
    "/nominations/{case_id}/decision",
    response_model=AcvCase,
    responses=WRITE_PROBLEMS,
    summary="Decide a nomination: listed or not listed",
)
async def decide(
    case_id: str,
    body: DecisionCreate,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: AcvServiceDep,
) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=False)
    return _respond(response, await service.decide(session, case, body.decision.value, body.decision_date))


@router.get(
    "/listings",
    response_model=AcvCasePage,
    responses=problem_responses(401, 403, 422),
    summary="The council's list of assets of community value",
)
async def list_listings(
    principal: Reader,
    session: ReadSession,
    status_: Annotated[str | None, Query(alias="status", pattern="^(listed|expired|removed)$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    order = (AcvCaseRow.updated_at, AcvCaseRow.id)
    stmt = select(AcvCaseRow).where(AcvCaseRow.council == principal.tenant_id, AcvCaseRow.listed_on.is_not(None))
    if status_:
        stmt = stmt.where(AcvCaseRow.status == status_)
    if cursor:
        stmt = stmt.where(after(order, decode_cursor(cursor, [datetime, str])))
    rows = list((await session.scalars(stmt.order_by(*order).limit(limit + 1))).all())
    page, next_cursor = page_of(rows, limit, lambda c: [c.updated_at, c.id])
    return {"data": [(await load_view(session, c)).api() for c in page], "next_cursor": next_cursor}


@router.get(
    "/export.csv",
    response_class=CSVResponse,
    responses=problem_responses(401, 403),
    summary="The council's ACV register in the digital-land asset-of-community-value fields (CSV)",
)
async def export_csv(principal: Reader, session: ReadSession) -> CSVResponse:
    cases = list(
        (
            await session.scalars(
                select(AcvCaseRow).where(AcvCaseRow.council == principal.tenant_id).order_by(AcvCaseRow.received_date)
            )
        ).all()
    )
    views = [await load_view(session, c) for c in cases]
    assets = {
        a.id: a for a in (await session.scalars(select(Asset).where(Asset.id.in_({c.asset_id for c in cases})))).all()
    }
    org_ids = {c.nominating_organisation_id for c in cases} | {b.organisation_id for v in views for b in v.bids}
    orgs = {
        o.id: o
        for o in (await session.scalars(select(KnownOrganisation).where(KnownOrganisation.id.in_(org_ids)))).all()
    }
    text = to_csv(row(v, assets[v.case.asset_id], orgs) for v in views)
    return CSVResponse(text, f"asset-of-community-value-{principal.tenant_id}.csv")


@router.get(
    "/listings/{case_id}", response_model=AcvCase, responses=problem_responses(401, 403, 404), summary="A listing"
)
async def get_listing(case_id: str, response: Response, principal: Reader, session: ReadSession) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=True)
    return _respond(response, await load_view(session, case))


@router.post(
    "/listings/{case_id}/review-request",
    response_model=AcvCase,
    responses=WRITE_PROBLEMS,
    summary="Record the owner's request for a review (within 8 weeks of listing)",
)
async def review_request(
    case_id: str,
    body: ReviewRequest,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: AcvServiceDep,
) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=True)
    return _respond(response, await service.request_review(session, case, body.requested_on))


@router.post(
    "/listings/{case_id}/review-decision",
    response_model=AcvCase,
    responses=WRITE_PROBLEMS,
    summary="Record the review decision (sets the 28-day tribunal appeal deadline)",
)
async def review_decision(
    case_id: str,
    body: ReviewDecision,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: AcvServiceDep,
) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=True)
    return _respond(response, await service.decide_review(session, case, body.outcome.value, body.decided_on))


@router.post(
    "/listings/{case_id}/appeal",
    response_model=AcvCase,
    responses=WRITE_PROBLEMS,
    summary="Record an appeal to the First-tier Tribunal",
)
async def appeal(
    case_id: str,
    body: AppealLodged,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: AcvServiceDep,
) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=True)
    return _respond(response, await service.lodge_appeal(session, case, body.lodged_on))


@router.post(
    "/listings/{case_id}/disposal-notices",
    response_model=AcvCase,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_PROBLEMS,
    summary="Record the owner's notice of intended disposal (starts the moratorium clocks)",
)
async def disposal_notice(
    case_id: str,
    body: DisposalNoticeCreate,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: AcvServiceDep,
) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=True)
    return _respond(response, await service.disposal_notice(session, case, body.received_date))


@router.post(
    "/listings/{case_id}/bid-requests",
    response_model=AcvCase,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_PROBLEMS,
    summary="Record a community interest group's request to be treated as a potential bidder",
)
async def bid_request(
    case_id: str,
    body: BidRequestCreate,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: AcvServiceDep,
) -> dict[str, Any]:
    case = await _case(session, principal.tenant_id, case_id, listing=True)
    view = await service.bid_request(session, case, principal.area_lad_codes, body.model_dump())
    return _respond(response, view)
