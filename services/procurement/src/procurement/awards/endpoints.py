"""Award endpoints: the buyer records who won a tender (or lot)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.problems import NotFound, field_error, problem_responses
from sqlalchemy import select

from procurement.awards.linking import link_supplier
from procurement.awards.schemas import Award, AwardCreate, AwardList
from procurement.awards.service import project_award, record_award
from procurement.db import Award as AwardRow
from procurement.dependencies import ReadSession, WriteSession
from procurement.tenders import repository
from procurement.tenders.normalise import PRIVATE_STATUSES

router = APIRouter(prefix="/api/v1/tenders/{tender_id}/awards", tags=["awards"])

Reader = Annotated[Principal, Depends(require("procurement:read"))]
Writer = Annotated[Principal, Depends(require("procurement:write"))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Award,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Record an award, linking the supplier to a registry organisation by id, identifier or name",
)
async def create_award(
    tender_id: str, body: AwardCreate, request: Request, response: Response, principal: Writer, session: WriteSession
) -> dict[str, Any]:
    tender = await repository.get_visible(session, tender_id, principal.tenant_id)
    if tender is None or tender.buyer_tenant_id != principal.tenant_id:
        raise NotFound(f"no tender {tender_id}", code="tender_not_found")
    if tender.status in PRIVATE_STATUSES:
        raise field_error(
            ["path", "tender_id"], "a planned tender cannot be awarded; publish it first", "award.planned"
        )
    if body.lot_id is not None and body.lot_id not in {lot["id"] for lot in tender.lots}:
        raise field_error(["body", "lot_id"], f"tender has no lot {body.lot_id!r}", "lot.unknown")
    data = body.model_dump(mode="python")
    link = await link_supplier(session, data["supplier"], ["body", "supplier"])
    award = await record_award(
        session,
        request.app.state.outbox,
        tender,
        link,
        lot_id=body.lot_id,
        value=data["value"],
        on=body.date,
        tenant_id=principal.tenant_id,
    )
    response.headers["Location"] = f"/api/v1/tenders/{tender.id}/awards/{award.id}"
    return project_award(award, tender)


@router.get("", response_model=AwardList, responses=problem_responses(401, 403, 404), summary="A tender's awards")
async def list_awards(tender_id: str, principal: Reader, session: ReadSession) -> dict[str, Any]:
    tender = await repository.get_visible(session, tender_id, principal.tenant_id)
    if tender is None:
        raise NotFound(f"no tender {tender_id}", code="tender_not_found")
    rows = (
        (await session.execute(select(AwardRow).where(AwardRow.tender_id == tender.id).order_by(AwardRow.created_at)))
        .scalars()
        .all()
    )
    return {"data": [project_award(a, tender) for a in rows]}
