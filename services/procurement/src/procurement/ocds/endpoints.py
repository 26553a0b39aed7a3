"""OCDS out: a tender as a compiled release."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.problems import NotFound, problem_responses
from sqlalchemy import select

from procurement.db import Award
from procurement.dependencies import ReadSession
from procurement.ocds.export import compiled_release
from procurement.tenders import repository

router = APIRouter(prefix="/api/v1/tenders", tags=["ocds"])
Reader = Annotated[Principal, Depends(require("procurement:read"))]


@router.get(
    "/{tender_id}/ocds",
    responses=problem_responses(401, 403, 404),
    summary="The tender as an OCDS 1.1.5 compiled release",
)
async def tender_ocds(tender_id: str, principal: Reader, session: ReadSession) -> dict[str, Any]:
    tender = await repository.get_visible(session, tender_id, principal.tenant_id)
    if tender is None:
        raise NotFound(f"no tender {tender_id}", code="tender_not_found")
    awards = (
        (await session.execute(select(Award).where(Award.tender_id == tender.id).order_by(Award.created_at)))
        .scalars()
        .all()
    )
    return compiled_release(tender, list(awards))
