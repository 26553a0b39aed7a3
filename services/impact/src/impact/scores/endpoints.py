"""`GET /api/v1/organisations/{id}/impact`: an organisation's impact score with its explained components."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from localwealth_shared.clock import utcnow
from localwealth_shared.http.concurrency import set_etag
from localwealth_shared.http.problems import NotFound, problem_responses
from pydantic import BaseModel, Field

from impact.db import KnownOrganisation, OrganisationScore
from impact.dependencies import Reader, ReadSession
from impact.scores.service import compute

router = APIRouter(prefix="/api/v1/organisations", tags=["impact scores"])


class ComponentOut(BaseModel):
    points: float | None = Field(description="Null when there is no data: the component is left out of the score")
    weight: float
    reason: str


class ImpactScore(BaseModel):
    organisation_id: str
    score: float = Field(ge=0, le=100)
    components: dict[str, ComponentOut]
    explanation: list[str]
    computed_at: datetime
    version: int


@router.get(
    "/{org_id}/impact",
    response_model=ImpactScore,
    responses=problem_responses(401, 403, 404),
    summary="The organisation's impact score (0–100) and how it was reached",
)
async def get_impact(org_id: str, principal: Reader, session: ReadSession, response: Response) -> dict[str, Any]:
    stored = await session.get(OrganisationScore, org_id)
    if stored is not None:
        set_etag(response, stored.version)
        return {
            "organisation_id": org_id,
            "score": stored.score,
            "components": stored.components,
            "explanation": stored.explanation,
            "computed_at": stored.computed_at,
            "version": stored.version,
        }
    org = await session.get(KnownOrganisation, org_id)
    if org is None or org.deregistered:
        raise NotFound(f"no organisation {org_id}", code="organisation_not_found")
    # Known, but its first score has not been published yet (the worker is catching up): compute it now.
    return {"organisation_id": org_id, **(await compute(session, org)).api(), "computed_at": utcnow(), "version": 0}
