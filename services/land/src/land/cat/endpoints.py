"""HTTP endpoints for Community Asset Transfer (SPEC §6.3). Applications are private to their council."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from localwealth_shared.clock import today, utcnow
from localwealth_shared.http.concurrency import set_etag
from localwealth_shared.http.pagination import Cursor, Limit, after, decode_cursor, page_of
from localwealth_shared.http.problems import NotFound, field_error, problem_responses
from sqlalchemy import select

from land.cat.policy import Criterion, PolicyError, Stage, validate_policy
from land.cat.schemas import (
    Application,
    ApplicationCreate,
    ApplicationPage,
    DecisionCreate,
    Policy,
    PolicyIn,
    ScoresCreate,
    TransitionCreate,
)
from land.cat.service import policy_of, view
from land.db import CatApplication, CatPolicyRecord
from land.dependencies import CatServiceDep, Reader, ReadSession, Writer, WriteSession

router = APIRouter(prefix="/api/v1/cat", tags=["community asset transfer"])

WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


async def _application(session: Any, council: str, app_id: str) -> CatApplication:
    app = await session.scalar(
        select(CatApplication).where(CatApplication.id == app_id, CatApplication.council == council)
    )
    if app is None:
        raise NotFound(f"no application {app_id}", code="cat_application_not_found")
    return app  # type: ignore[no-any-return]


def _respond(response: Response, app: CatApplication) -> dict[str, Any]:
    set_etag(response, app.version)
    return view(app, today())


@router.get("/policy", response_model=Policy, responses=problem_responses(401, 403), summary="The council's CAT policy")
async def get_policy(principal: Reader, session: ReadSession) -> dict[str, Any]:
    policy, is_default = await policy_of(session, principal.tenant_id)
    return {**policy.to_json(), "is_default": is_default}


@router.put(
    "/policy", response_model=Policy, responses=problem_responses(401, 403, 422), summary="Set the council's CAT policy"
)
async def put_policy(body: PolicyIn, principal: Writer, session: WriteSession) -> dict[str, Any]:
    """Stages in order (the last is `completed`, one is `decision`), target days, criteria weights summing to
    100. Applications keep the policy they started under."""
    try:
        policy = validate_policy(
            [Stage(s.name, s.target_days) for s in body.stages],
            [Criterion(c.name, c.weight_pct) for c in body.criteria],
        )
    except PolicyError as exc:
        raise field_error(("body", exc.field), exc.message, "cat.policy") from exc
    record = await session.get(CatPolicyRecord, principal.tenant_id)
    if record is None:
        record = CatPolicyRecord(council=principal.tenant_id, version=0)
        session.add(record)
    record.policy, record.updated_at, record.version = policy.to_json(), utcnow(), record.version + 1
    return {**policy.to_json(), "is_default": False}


@router.post(
    "/applications",
    response_model=Application,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_PROBLEMS,
    summary="Apply for a community asset transfer",
)
async def apply(
    body: ApplicationCreate, response: Response, principal: Writer, session: WriteSession, service: CatServiceDep
) -> dict[str, Any]:
    app = await service.apply(session, principal.tenant_id, body.model_dump())
    response.headers["Location"] = f"/api/v1/cat/applications/{app.id}"
    return _respond(response, app)


@router.get("/applications", response_model=ApplicationPage, responses=problem_responses(401, 403, 422))
async def list_applications(
    principal: Reader,
    session: ReadSession,
    stage: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    order = (CatApplication.updated_at, CatApplication.id)
    stmt = select(CatApplication).where(CatApplication.council == principal.tenant_id)
    if stage:
        stmt = stmt.where(CatApplication.stage == stage)
    if cursor:
        stmt = stmt.where(after(order, decode_cursor(cursor, [datetime, str])))
    rows = list((await session.scalars(stmt.order_by(*order).limit(limit + 1))).all())
    page, next_cursor = page_of(rows, limit, lambda a: [a.updated_at, a.id])
    return {"data": [view(a, today()) for a in page], "next_cursor": next_cursor}


@router.get("/applications/{app_id}", response_model=Application, responses=problem_responses(401, 403, 404))
async def get_application(app_id: str, response: Response, principal: Reader, session: ReadSession) -> dict[str, Any]:
    return _respond(response, await _application(session, principal.tenant_id, app_id))


@router.post(
    "/applications/{app_id}/transitions",
    response_model=Application,
    responses=WRITE_PROBLEMS,
    summary="Move to the next stage, or withdraw / reject (illegal transitions → 409)",
)
async def transition(
    app_id: str,
    body: TransitionCreate,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: CatServiceDep,
) -> dict[str, Any]:
    app = await _application(session, principal.tenant_id, app_id)
    return _respond(response, await service.transition(session, app, body.to, body.on or today()))


@router.post("/applications/{app_id}/scores", response_model=Application, responses=WRITE_PROBLEMS)
async def score(
    app_id: str,
    body: ScoresCreate,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: CatServiceDep,
) -> dict[str, Any]:
    app = await _application(session, principal.tenant_id, app_id)
    return _respond(response, await service.score(session, app, body.scores))


@router.post(
    "/applications/{app_id}/decision",
    response_model=Application,
    responses=WRITE_PROBLEMS,
    summary="Record the decision: transfer type, market value, consideration → undervalue and the £2m consent flag",
)
async def decide(
    app_id: str,
    body: DecisionCreate,
    response: Response,
    principal: Writer,
    session: WriteSession,
    service: CatServiceDep,
) -> dict[str, Any]:
    app = await _application(session, principal.tenant_id, app_id)
    return _respond(response, await service.decide(session, app, body.model_dump()))
