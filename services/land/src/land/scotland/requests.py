"""Scottish asset transfer requests over HTTP: validation, extensions, decisions, and the review and appeal
deadlines that follow — including a refusal deemed by silence. Private to the council (404)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from localwealth_shared.clock import today, utcnow
from localwealth_shared.http.concurrency import set_etag
from localwealth_shared.http.pagination import Cursor, Limit, after, decode_cursor, page_of
from localwealth_shared.http.problems import Conflict, NotFound, field_error, problem_responses
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from land.assets import repository as assets
from land.db import ScottishTransferRequest
from land.dependencies import Reader, ReadSession, Writer, WriteSession
from land.organisations import read_model
from land.scotland.deadlines import decision_due, deemed_refusal_date, review_deadline

router = APIRouter(prefix="/api/v1/scotland/asset-transfer-requests", tags=["scotland asset transfer"])
WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


class RequestType(StrEnum):
    OWNERSHIP = "ownership"
    LEASE = "lease"
    OTHER_RIGHTS = "other_rights"


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_id: str = Field(max_length=36)
    organisation_id: str = Field(max_length=36, description="The community transfer body (registry id)")
    request_type: RequestType
    proposed_use: str = Field(min_length=1, max_length=20_000)
    received_date: date


class Validation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    validation_date: date


class Extension(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agreed_on: date
    decision_due: date


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: str = Field(pattern="^(agreed|refused)$")
    decision_date: date


class TransferRequest(BaseModel):
    id: str
    council: str
    asset_id: str
    organisation_id: str
    request_type: RequestType
    proposed_use: str
    received_date: date
    validation_date: date | None
    decision_due: date | None
    extensions: list[dict[str, str]]
    status: str = Field(description="received, validated, agreed, refused, or deemed_refused (no decision in time)")
    decision: str | None
    decision_date: date | None
    review_deadline: date | None = Field(description="Request a review / appeal by (20 working days, Scotland)")
    version: int


class TransferRequestPage(BaseModel):
    data: list[TransferRequest]
    next_cursor: str | None = None


def view(r: ScottishTransferRequest, on: date) -> dict[str, Any]:
    state, deadline = "received", None
    if r.decision is not None and r.decision_date is not None:
        state, deadline = r.decision, review_deadline(r.decision_date)
    elif r.decision_due is not None and on > r.decision_due:
        state, deadline = "deemed_refused", review_deadline(deemed_refusal_date(r.decision_due))
    elif r.validation_date is not None:
        state = "validated"
    return {
        "id": r.id,
        "council": r.council,
        "asset_id": r.asset_id,
        "organisation_id": r.organisation_id,
        "request_type": r.request_type,
        "proposed_use": r.proposed_use,
        "received_date": r.received_date,
        "validation_date": r.validation_date,
        "decision_due": r.decision_due,
        "extensions": r.extensions,
        "status": state,
        "decision": r.decision,
        "decision_date": r.decision_date,
        "review_deadline": deadline,
        "version": r.version,
    }


async def _get(session: Any, council: str, request_id: str) -> ScottishTransferRequest:
    stmt = select(ScottishTransferRequest).where(
        ScottishTransferRequest.id == request_id, ScottishTransferRequest.council == council
    )
    found = await session.scalar(stmt)
    if found is None:
        raise NotFound(f"no asset transfer request {request_id}", code="scotland_request_not_found")
    return found  # type: ignore[no-any-return]


async def _save(session: Any, response: Response, r: ScottishTransferRequest) -> dict[str, Any]:
    r.updated_at, r.version = utcnow(), r.version + 1
    await session.flush()
    set_etag(response, r.version)
    return view(r, today())


def _undecided(r: ScottishTransferRequest) -> None:
    if r.decision is not None:
        raise Conflict(f"the request was already decided ({r.decision})", code="scotland.decided")


@router.post("", response_model=TransferRequest, status_code=status.HTTP_201_CREATED, responses=WRITE_PROBLEMS)
async def create_request(body: RequestCreate, response: Response, principal: Writer, session: WriteSession) -> Any:
    if await assets.get_owned(session, principal.tenant_id, body.asset_id) is None:
        raise field_error(("body", "asset_id"), "no such asset in this council's register", "asset.unknown")
    if await read_model.find(session, body.organisation_id) is None:
        raise field_error(("body", "organisation_id"), "not an organisation in the registry", "organisation.unknown")
    now = utcnow()
    r = ScottishTransferRequest(
        id=str(uuid.uuid4()),
        council=principal.tenant_id,
        asset_id=body.asset_id,
        organisation_id=body.organisation_id,
        request_type=body.request_type.value,
        proposed_use=body.proposed_use,
        received_date=body.received_date,
        extensions=[],
        created_at=now,
        updated_at=now,
        version=0,
    )
    session.add(r)
    response.headers["Location"] = f"/api/v1/scotland/asset-transfer-requests/{r.id}"
    return await _save(session, response, r)


@router.get("", response_model=TransferRequestPage, responses=problem_responses(401, 403, 422))
async def list_requests(principal: Reader, session: ReadSession, limit: Limit = 50, cursor: Cursor = None) -> Any:
    order = (ScottishTransferRequest.updated_at, ScottishTransferRequest.id)
    stmt = select(ScottishTransferRequest).where(ScottishTransferRequest.council == principal.tenant_id)
    if cursor:
        stmt = stmt.where(after(order, decode_cursor(cursor, [datetime, str])))
    rows = list((await session.scalars(stmt.order_by(*order).limit(limit + 1))).all())
    page, next_cursor = page_of(rows, limit, lambda r: [r.updated_at, r.id])
    return {"data": [view(r, today()) for r in page], "next_cursor": next_cursor}


@router.get("/{request_id}", response_model=TransferRequest, responses=problem_responses(401, 403, 404, 422))
async def get_request(
    request_id: str,
    response: Response,
    principal: Reader,
    session: ReadSession,
    on: Annotated[date | None, Query(description="Evaluate the status on this day (default today)")] = None,
) -> Any:
    r = await _get(session, principal.tenant_id, request_id)
    set_etag(response, r.version)
    return view(r, on or today())


@router.post("/{request_id}/validation", response_model=TransferRequest, responses=WRITE_PROBLEMS)
async def validate(
    request_id: str, body: Validation, response: Response, principal: Writer, session: WriteSession
) -> Any:
    """The request is valid and complete: the decision is due within 6 months beginning with this date."""
    r = await _get(session, principal.tenant_id, request_id)
    if r.validation_date is not None:
        raise Conflict("the request was already validated", code="scotland.validated")
    if body.validation_date < r.received_date:
        raise field_error(("body", "validation_date"), "before the request was received", "date.order")
    r.validation_date, r.decision_due = body.validation_date, decision_due(body.validation_date)
    return await _save(session, response, r)


@router.post("/{request_id}/extensions", response_model=TransferRequest, responses=WRITE_PROBLEMS)
async def extend(request_id: str, body: Extension, response: Response, principal: Writer, session: WriteSession) -> Any:
    """An extension agreed with the community transfer body (recorded; the last one sets the due date)."""
    r = await _get(session, principal.tenant_id, request_id)
    _undecided(r)
    if r.decision_due is None:
        raise Conflict("validate the request before extending its decision period", code="scotland.not_validated")
    if body.decision_due <= r.decision_due:
        raise field_error(("body", "decision_due"), f"must be after {r.decision_due.isoformat()}", "date.order")
    r.extensions = [
        *r.extensions,
        {"agreed_on": body.agreed_on.isoformat(), "decision_due": body.decision_due.isoformat()},
    ]
    r.decision_due = body.decision_due
    return await _save(session, response, r)


@router.post("/{request_id}/decision", response_model=TransferRequest, responses=WRITE_PROBLEMS)
async def decide(request_id: str, body: Decision, response: Response, principal: Writer, session: WriteSession) -> Any:
    r = await _get(session, principal.tenant_id, request_id)
    _undecided(r)
    if r.validation_date is None:
        raise Conflict("a request is decided after it is validated", code="scotland.not_validated")
    if body.decision_date < r.validation_date:
        raise field_error(("body", "decision_date"), "before the validation date", "date.order")
    r.decision, r.decision_date = body.decision, body.decision_date
    return await _save(session, response, r)
