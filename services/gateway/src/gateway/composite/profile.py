"""`GET /api/v1/organisations/{id}/profile`: the organisation with its tender matches and impact, in one call.

The three parts are fetched concurrently, each within `composite_timeout_s`. Only the organisation
decides the status (its 404 is the profile's 404); any other part that is down, slow, not deployed or
failing comes back as null and is named in `degraded`, so one service's outage never fails the page.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Depends, Request
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.problems import NotFound, problem_responses
from localwealth_shared.observability.context import current_request_id, current_traceparent
from pydantic import BaseModel

from gateway.edge.tokens import TokenMinter
from gateway.proxy.upstreams import Upstreams

router = APIRouter(prefix="/api/v1/organisations", tags=["organisations"])


@dataclass(frozen=True)
class Part:
    name: str  # the key in the response
    service: str
    path: str  # a format string taking the quoted organisation id
    scope: str
    params: tuple[tuple[str, str], ...] = ()


PARTS = (
    Part("organisation", "registry", "/api/v1/organisations/{id}", "registry:read"),
    Part(
        "tender_matches",
        "procurement",
        "/api/v1/organisations/{id}/tender-matches",
        "procurement:read",
        (("limit", "5"),),
    ),
    Part("impact", "impact", "/api/v1/organisations/{id}/impact", "impact:read"),
)


@dataclass(frozen=True)
class Outcome:
    body: Any = None
    status: int | None = None
    degraded_reason: str | None = None  # None: the part is complete (possibly null because it does not exist)


class OrganisationProfile(BaseModel):
    organisation: dict[str, Any] | None
    tender_matches: dict[str, Any] | None
    impact: dict[str, Any] | None
    degraded: list[str]
    degraded_reasons: dict[str, str]


async def _fetch(
    part: Part, org_id: str, principal: Principal, upstreams: Upstreams, minter: TokenMinter, timeout_s: float
) -> Outcome:
    if not principal.has_scope(part.scope):
        return Outcome(degraded_reason=f"scope_missing: {part.scope}")
    client = upstreams.client(part.service)
    if client is None:
        return Outcome(degraded_reason="not_deployed")
    headers = {"authorization": f"Bearer {minter.token_for(principal)}", "accept": "application/json"}
    if (request_id := current_request_id()) is not None:
        headers["x-request-id"] = request_id
    if (traceparent := current_traceparent()) is not None:
        headers["traceparent"] = traceparent
    try:
        # wait_for caps the whole exchange; httpx's own timeout applies per read and could add up.
        response = await asyncio.wait_for(
            client.get(
                part.path.format(id=quote(org_id, safe="")),
                params=dict(part.params),
                headers=headers,
                timeout=timeout_s,
            ),
            timeout_s,
        )
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(degraded_reason="timeout")
    except httpx.TransportError:
        return Outcome(degraded_reason="unavailable")
    if response.status_code == 404:
        return Outcome(status=404)
    if response.status_code >= 400:
        return Outcome(status=response.status_code, degraded_reason=f"http_{response.status_code}")
    try:
        return Outcome(body=response.json(), status=response.status_code)
    except ValueError:
        return Outcome(status=response.status_code, degraded_reason="invalid_response")


@router.get(
    "/{organisation_id}/profile",
    response_model=OrganisationProfile,
    responses=problem_responses(401, 403, 404),
    summary="Organisation profile (registry + procurement + impact)",
)
async def organisation_profile(
    organisation_id: str,
    request: Request,
    principal: Annotated[Principal, Depends(require("registry:read"))],
) -> dict[str, Any]:
    state = request.app.state
    timeout_s = state.settings.composite_timeout_s
    outcomes = await asyncio.gather(
        *(_fetch(part, organisation_id, principal, state.upstreams, state.token_minter, timeout_s) for part in PARTS)
    )
    by_name = dict(zip((p.name for p in PARTS), outcomes, strict=True))
    if by_name["organisation"].status == 404:
        raise NotFound(f"no organisation {organisation_id}", code="organisation_not_found")
    degraded_reasons = {
        part.service: outcome.degraded_reason
        for part, outcome in zip(PARTS, outcomes, strict=True)
        if outcome.degraded_reason is not None
    }
    return {
        **{name: outcome.body for name, outcome in by_name.items()},
        "degraded": list(degraded_reasons),
        "degraded_reasons": degraded_reasons,
    }
