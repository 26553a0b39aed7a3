"""HTTP endpoints for organisations (SPEC §4.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from localwealth_shared.auth import Principal, require
from localwealth_shared.clock import today
from localwealth_shared.http.concurrency import check_if_match, set_etag
from localwealth_shared.http.pagination import Cursor, Limit, UpdatedSince
from localwealth_shared.http.problems import NotFound, problem_responses

from registry.dependencies import ReadSession, WriteSession, organisation_service
from registry.organisations import repository
from registry.organisations.projection import project
from registry.organisations.schemas import (
    Organisation,
    OrganisationCreate,
    OrganisationPage,
    OrganisationPatch,
)
from registry.organisations.search import SearchParams, parse_near, search
from registry.organisations.service import OrganisationService
from registry.rules.certifications import CertificationScheme
from registry.rules.legal_forms import LegalForm, Ownership

router = APIRouter(prefix="/api/v1/organisations", tags=["organisations"])

Reader = Annotated[Principal, Depends(require("registry:read"))]
Writer = Annotated[Principal, Depends(require("registry:write"))]


def _not_found(org_id: str) -> NotFound:
    return NotFound(f"no organisation {org_id}", code="organisation_not_found")


@router.get(
    "", response_model=OrganisationPage, responses=problem_responses(401, 403, 422), summary="Search organisations"
)
async def list_organisations(
    request: Request,
    _: Reader,
    session: ReadSession,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Forgiving name search (case, punctuation, Ltd/Limited, typos); results ranked by relevance.",
        ),
    ] = None,
    legal_form: LegalForm | None = None,
    ownership: Ownership | None = None,
    lad: Annotated[str | None, Query(pattern=r"^[EWSN]\d{8}$", description="ONS LAD (GSS) code of any site")] = None,
    cpv: Annotated[
        list[str] | None, Query(description="CPV code(s); a division/group/class matches every code below it")
    ] = None,
    near: Annotated[str | None, Query(description="<lat>,<lon>: organisations with a site within radius_km")] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=1000)] = None,
    is_vcse: bool | None = None,
    is_sme: bool | None = None,
    is_social_economy: bool | None = None,
    certification: CertificationScheme | None = None,
    updated_since: UpdatedSince = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    if updated_since is not None and updated_since.tzinfo is None:
        from localwealth_shared.http.problems import field_error

        raise field_error(["query", "updated_since"], "must include a UTC offset (RFC 3339)", "datetime.timezone")
    params = SearchParams(
        q=q,
        legal_form=legal_form,
        ownership=ownership,
        lad=lad,
        cpv=cpv or [],
        near=parse_near(near),
        radius_km=radius_km,
        is_vcse=is_vcse,
        is_sme=is_sme,
        is_social_economy=is_social_economy,
        certification=certification,
        updated_since=updated_since,
    )
    settings = request.app.state.settings
    day = today()
    rows, next_cursor = await search(
        session,
        params,
        limit=limit,
        cursor=cursor,
        name_index=request.app.state.name_index,
        min_score=settings.name_search_min_score,
        today=day,
    )
    return {"data": [project(o, day) for o in rows], "next_cursor": next_cursor}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Organisation,
    responses=problem_responses(401, 403, 409, 413, 415, 422),
    summary="Register an organisation",
)
async def create_organisation(
    body: OrganisationCreate,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: Annotated[OrganisationService, Depends(organisation_service)],
) -> dict[str, Any]:
    org = await service.create(session, body.model_dump(mode="python"), tenant_id=principal.tenant_id)
    response.headers["Location"] = f"/api/v1/organisations/{org.id}"
    set_etag(response, org.version)
    return project(org, today())


@router.get(
    "/{organisation_id}",
    response_model=Organisation,
    responses=problem_responses(401, 403, 404),
    summary="Get an organisation",
)
async def get_organisation(
    organisation_id: str,
    response: Response,
    _: Reader,
    session: ReadSession,
) -> dict[str, Any]:
    org = await repository.get(session, organisation_id)
    if org is None:
        raise _not_found(organisation_id)
    set_etag(response, org.version)
    return project(org, today())


@router.patch(
    "/{organisation_id}",
    response_model=Organisation,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
    summary="Correct an organisation",
)
async def update_organisation(
    organisation_id: str,
    body: OrganisationPatch,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: Annotated[OrganisationService, Depends(organisation_service)],
) -> dict[str, Any]:
    org = await repository.get(session, organisation_id)
    if org is None:
        raise _not_found(organisation_id)
    check_if_match(request, org.version)
    changes = body.model_dump(mode="python", exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        del changes["name"]
    await service.update(session, org, changes, tenant_id=principal.tenant_id)
    set_etag(response, org.version)
    return project(org, today())


@router.delete(
    "/{organisation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 412),
    summary="Deregister an organisation",
)
async def deregister_organisation(
    organisation_id: str,
    request: Request,
    principal: Writer,
    session: WriteSession,
    service: Annotated[OrganisationService, Depends(organisation_service)],
) -> Response:
    org = await repository.get(session, organisation_id)
    if org is None:
        raise _not_found(organisation_id)
    check_if_match(request, org.version)
    await service.deregister(session, org, tenant_id=principal.tenant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


__all__ = ["datetime", "router"]
