"""HTTP endpoints for tenders (SPEC §5.1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.concurrency import check_if_match, set_etag
from localwealth_shared.http.pagination import Cursor, Limit, UpdatedSince
from localwealth_shared.http.problems import NotFound, field_error, problem_responses

from procurement.dependencies import ReadSession, WriteSession, tender_service
from procurement.tenders import repository
from procurement.tenders.normalise import BuyerInfo
from procurement.tenders.projection import project
from procurement.tenders.schemas import Tender, TenderCreate, TenderPage, TenderPatch, TenderStatus
from procurement.tenders.service import TenderService

router = APIRouter(prefix="/api/v1/tenders", tags=["tenders"])

Reader = Annotated[Principal, Depends(require("procurement:read"))]
Writer = Annotated[Principal, Depends(require("procurement:write"))]
Service = Annotated[TenderService, Depends(tender_service)]


def _not_found(tender_id: str) -> NotFound:
    return NotFound(f"no tender {tender_id}", code="tender_not_found")


@router.get("", response_model=TenderPage, responses=problem_responses(401, 403, 422), summary="List tenders")
async def list_tenders(
    principal: Reader,
    session: ReadSession,
    status: TenderStatus | None = None,
    buyer: str | None = None,
    updated_since: UpdatedSince = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    if updated_since is not None and updated_since.tzinfo is None:
        raise field_error(["query", "updated_since"], "must include a UTC offset (RFC 3339)", "datetime.timezone")
    rows, next_cursor = await repository.list_visible(
        session,
        principal.tenant_id,
        status=status,
        buyer=buyer,
        updated_since=updated_since,
        limit=limit,
        cursor=cursor,
    )
    return {"data": [project(t) for t in rows], "next_cursor": next_cursor}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Tender,
    responses=problem_responses(401, 403, 409, 413, 415, 422),
    summary="Create a tender (planned tenders stay private to the buyer)",
)
async def create_tender(
    body: TenderCreate, response: Response, principal: Writer, session: WriteSession, service: Service
) -> dict[str, Any]:
    buyer = BuyerInfo(principal.tenant_id, principal.tenant_name, principal.tenant_kind, principal.area_lad_codes)
    tender = await service.create(session, body.model_dump(mode="python"), buyer)
    response.headers["Location"] = f"/api/v1/tenders/{tender.id}"
    set_etag(response, tender.version)
    return project(tender)


@router.get("/{tender_id}", response_model=Tender, responses=problem_responses(401, 403, 404), summary="Get a tender")
async def get_tender(tender_id: str, response: Response, principal: Reader, session: ReadSession) -> dict[str, Any]:
    tender = await repository.get_visible(session, tender_id, principal.tenant_id)
    if tender is None:
        raise _not_found(tender_id)
    set_etag(response, tender.version)
    return project(tender)


@router.patch(
    "/{tender_id}",
    response_model=Tender,
    responses=problem_responses(401, 403, 404, 412, 422),
    summary="Change a tender (its buyer only); publishing = status planned → active",
)
async def update_tender(
    tender_id: str,
    body: TenderPatch,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: Service,
) -> dict[str, Any]:
    tender = await repository.get_visible(session, tender_id, principal.tenant_id)
    # Another tenant's tender is not theirs to change: the same 404 as a private one, so nothing leaks.
    if tender is None or tender.buyer_tenant_id != principal.tenant_id:
        raise _not_found(tender_id)
    check_if_match(request, tender.version)
    changes = body.model_dump(mode="python", exclude_unset=True)
    for required in ("title", "status"):
        if required in changes and changes[required] is None:
            raise field_error(["body", required], "may not be null", "required")
    await service.update(session, tender, changes, principal.tenant_id)
    set_etag(response, tender.version)
    return project(tender)
