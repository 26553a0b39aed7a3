"""HTTP endpoints for social value (SPEC §7.2): each tenant's measure sets, and per contract award the
commitments and delivered actuals, valued at a reporting year. Everything is the calling tenant's own: another
tenant's sets and awards read as missing, and its licensed values never appear in an answer to anyone else."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from localwealth_shared.http.concurrency import check_if_match, set_etag
from localwealth_shared.http.money import money
from localwealth_shared.http.pagination import Cursor, Limit, Page, decode_cursor, page_of
from localwealth_shared.http.problems import (
    NotFound,
    PreconditionFailed,
    Unprocessable,
    field_error,
    problem_responses,
)
from sqlalchemy import select

from impact.dependencies import Reader, ReadSession, Writer, WriteSession
from impact.scores.service import refresh_scores
from impact.social_value import service
from impact.social_value.engine import AdjustmentEffects, DoubleCountingError, SocialValueError, Valuation, ValueSummary
from impact.social_value.measure_sets import (
    MAX_PRICE_YEAR,
    MIN_PRICE_YEAR,
    Code,
    MeasureSetDocument,
    default_measure_set,
)
from impact.social_value.schemas import (
    ActualIn,
    Award,
    AwardPatch,
    CommitmentsIn,
    MeasureSetSummary,
    MeasureSetView,
    Summary,
)
from impact.social_value.tables import MeasureSetRecord, SocialValueAward

router = APIRouter(prefix="/api/v1/social-value", tags=["social value"])

SetCode = Annotated[Code, Path(description="The measure set's code")]
AwardId = Annotated[str, Path(min_length=1, max_length=100, description="The contract award's id")]
ReportingYear = Annotated[
    int | None,
    Query(
        ge=MIN_PRICE_YEAR,
        le=MAX_PRICE_YEAR,
        description="Values in this year's prices (GDP deflator); default the latest year the index has",
    ),
]
WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 412, 422)
UPLIFT_PLACES = Decimal("0.000001")


# --- measure sets --------------------------------------------------------------------------------------


@router.get(
    "/measure-sets",
    response_model=Page[MeasureSetSummary],
    responses=problem_responses(401, 403, 422),
    summary="Your measure sets and the open default, by code",
)
async def list_measure_sets(principal: Reader, session: ReadSession, limit: Limit = 50, cursor: Cursor = None) -> Any:
    after_code = decode_cursor(cursor, [str])[0] if cursor else None
    stmt = select(MeasureSetRecord).where(MeasureSetRecord.tenant_id == principal.tenant_id)
    if after_code is not None:
        stmt = stmt.where(MeasureSetRecord.code > after_code)
    rows = (await session.scalars(stmt.order_by(MeasureSetRecord.code).limit(limit + 1))).all()
    items = [_summary_of_record(r) for r in rows]
    # The open default is listed among the tenant's sets in code order (no tenant may take its code).
    if after_code is None or service.open_default_code() > after_code:
        items = sorted([*items, _summary_of_default()], key=lambda item: item["code"])
    page, next_cursor = page_of(items, limit, lambda item: [item["code"]])
    return {"data": page, "next_cursor": next_cursor}


@router.get(
    "/measure-sets/{code}",
    response_model=MeasureSetView,
    responses=problem_responses(401, 403, 404, 422),
    summary="One measure set: yours, or the open default",
)
async def get_measure_set(code: SetCode, response: Response, principal: Reader, session: ReadSession) -> Any:
    resolved = await service.find_measure_set(session, principal.tenant_id, code)
    if resolved is None:
        raise NotFound(f"no measure set {code}", code="measure_set_not_found")
    if resolved.record is None:
        return {**_summary_of_default(), "document": resolved.measure_set.document}
    set_etag(response, resolved.record.version)
    return {**_summary_of_record(resolved.record), "document": resolved.record.document}


@router.put(
    "/measure-sets/{code}",
    response_model=MeasureSetView,
    responses={201: {"description": "Created", "model": MeasureSetView}, **WRITE_PROBLEMS},
    summary="Upload your own measure set (e.g. the National TOMs or HACT values you hold a licence for)",
    description="Creates the set (201) or replaces it (200; send If-Match with the ETag you read). It is private "
    "to you. A replacement must keep every measure your awards already claim.",
)
async def put_measure_set(
    code: SetCode,
    body: MeasureSetDocument,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
) -> Any:
    if code == service.open_default_code():
        message = "this code is the open default set's; give yours another"
        raise field_error(("path", "code"), message, "measure_set.reserved")
    if body.code != code:
        raise field_error(("body", "code"), f"must be the code in the path, {code!r}", "measure_set.code_mismatch")
    existing = await service.find_measure_set(session, principal.tenant_id, code, for_update=True)
    record = existing.record if existing else None
    if record is None and request.headers.get("if-match") is not None:  # RFC 9110: nothing exists to match
        raise PreconditionFailed(f"there is no measure set {code} to match", code="version_mismatch")
    if record is not None:
        check_if_match(request, record.version)
    stored = await service.store_measure_set(session, principal.tenant_id, body, record)
    if record is None:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/social-value/measure-sets/{code}"
    set_etag(response, stored.version)
    return {**_summary_of_record(stored), "document": stored.document}


def _summary_of_record(record: MeasureSetRecord) -> dict[str, Any]:
    document = record.document
    return {
        "code": record.code,
        "name": record.name,
        "edition": document.get("version"),
        "licence": document["licence"],
        "measures": sum(len(o["measures"]) for t in document["themes"] for o in t["outcomes"]),
        "default": False,
        "version": record.version,
        "updated_at": record.updated_at,
    }


def _summary_of_default() -> dict[str, Any]:
    measure_set = default_measure_set()
    document = measure_set.document
    return {
        "code": document.code,
        "name": document.name,
        "edition": document.version,
        "licence": document.licence,
        "measures": len(measure_set),
        "default": True,
        "version": None,
        "updated_at": None,
    }


# --- awards --------------------------------------------------------------------------------------------


@router.post(
    "/awards/{award_id}/commitments",
    response_model=Award,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_PROBLEMS,
    summary="Record a supplier's social value commitments for a contract award",
    description="The first commitments fix the award's measure set (yours, or the open default when none is "
    "named). Two lines valuing the same outcome, or declared-overlapping measures, are refused (422 naming both), "
    "also against the lines the award already has. Answers the award valued at the latest price year.",
)
async def add_commitments(
    award_id: AwardId,
    body: CommitmentsIn,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
) -> Any:
    award = await service.find_award(session, principal.tenant_id, award_id, for_update=True)
    if award is not None:
        check_if_match(request, award.version)
    try:
        award = await service.add_commitments(session, principal.tenant_id, award_id, award, body)
    except SocialValueError as exc:
        raise _body_problem(exc) from exc
    await _rescore(session, award.organisation_id)
    response.headers["Location"] = f"/api/v1/social-value/awards/{award_id}"
    return await _respond(session, response, award, None)


@router.post(
    "/awards/{award_id}/actuals",
    response_model=Award,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_PROBLEMS,
    summary="Record social value delivered against an award in a period",
    description="One measure once per period: a financial year overlaps its quarters, so claiming a measure for "
    "2024-25 and for 2024-25-Q1 is refused as double counting, as are two measures valuing one outcome.",
)
async def add_actual(
    award_id: AwardId,
    body: ActualIn,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
) -> Any:
    award = await _award(session, principal.tenant_id, award_id, for_update=True)
    check_if_match(request, award.version)
    try:
        await service.add_actual(session, award, body)
    except SocialValueError as exc:
        raise _body_problem(exc, within=("actuals", 0)) from exc
    await _rescore(session, award.organisation_id)
    return await _respond(session, response, award, None)


@router.get(
    "/awards/{award_id}",
    response_model=Award,
    responses=problem_responses(401, 403, 404, 422),
    summary="An award's commitments and actuals valued at a reporting year, and how much was delivered",
)
async def get_award(
    award_id: AwardId, response: Response, principal: Reader, session: ReadSession, reporting_year: ReportingYear = None
) -> Any:
    award = await _award(session, principal.tenant_id, award_id)
    return await _respond(session, response, award, reporting_year)


@router.patch(
    "/awards/{award_id}",
    response_model=Award,
    responses=WRITE_PROBLEMS,
    summary="Link the award to the supplier's registry organisation (or unlink it)",
)
async def patch_award(
    award_id: AwardId,
    body: AwardPatch,
    request: Request,
    response: Response,
    principal: Writer,
    session: WriteSession,
) -> Any:
    award = await _award(session, principal.tenant_id, award_id, for_update=True)
    check_if_match(request, award.version)
    previous = award.organisation_id
    service.link_organisation(award, body.organisation_id)
    await session.flush()
    await _rescore(session, previous, award.organisation_id)
    return await _respond(session, response, award, None)


@router.get(
    "/summary",
    response_model=Summary,
    responses=problem_responses(401, 403, 422),
    summary="Your social value committed and delivered, over all your awards",
)
async def summary(principal: Reader, session: ReadSession, reporting_year: ReportingYear = None) -> Any:
    try:
        year = service.reporting_year_or_latest(reporting_year)
        awards, committed, delivered = await service.tenant_totals(session, principal.tenant_id, year)
    except SocialValueError as exc:
        raise _query_problem(exc) from exc
    return {
        "reporting_year": year,
        "awards": awards,
        "committed": _totals(committed),
        "delivered": _totals(delivered),
        "delivered_share": _text(service.share(delivered.net, committed.net)),
    }


async def _rescore(session: Any, *organisation_ids: str | None) -> None:
    """Social value delivered is part of an organisation's impact score: refresh it in this transaction."""
    await refresh_scores(session, [o for o in organisation_ids if o])


async def _award(session: Any, tenant_id: str, award_id: str, *, for_update: bool = False) -> SocialValueAward:
    award = await service.find_award(session, tenant_id, award_id, for_update=for_update)
    if award is None:  # another tenant's award reads as missing too
        raise NotFound(f"no social value recorded for award {award_id}", code="award_not_found")
    return award


async def _respond(session: Any, response: Response, award: SocialValueAward, reporting_year: int | None) -> Any:
    try:
        values = await service.value_award(session, award, service.reporting_year_or_latest(reporting_year))
    except SocialValueError as exc:
        raise _query_problem(exc) from exc
    set_etag(response, award.version)
    return {
        "award_id": award.award_id,
        "measure_set": {"code": award.measure_set_code, "default": values.resolved.is_default},
        "organisation_id": award.organisation_id,
        "reporting_year": values.reporting_year,
        "commitments": {
            **_totals(values.committed),
            "lines": [{**_line(row, v), "years": v.years} for row, v in values.commitments],
        },
        "actuals": {
            **_totals(values.delivered),
            "lines": [{**_line(row, v), "period": v.period} for row, v in values.actuals],
        },
        "delivery": [
            {
                "measure_code": m.measure_code,
                "committed": _number(m.committed),
                "delivered": _number(m.delivered),
                "delivered_share": _text(m.delivered_share),
            }
            for m in values.delivery
        ],
        "delivered_share": _text(values.delivered_share),
        "version": award.version,
        "created_at": award.created_at,
        "updated_at": award.updated_at,
    }


# --- answers and problems ------------------------------------------------------------------------------


def _line(row: Any, v: Valuation) -> dict[str, Any]:
    return {
        "id": row.id,
        "measure_code": v.measure_code,
        "outcome_code": v.outcome_code,
        "reference": row.reference,
        "quantity": _number(v.quantity),
        "adjustments": {k: _number(getattr(row, k)) for k in ("deadweight", "displacement", "attribution", "drop_off")},
        "proxy_value": _number(v.proxy_value),
        "price_year": v.price_year,
        "reporting_year": v.reporting_year,
        "uplift": str(v.uplift.quantize(UPLIFT_PLACES)),
        "unit_value": money(v.unit_value),
        "gross": money(v.gross),
        "net": money(v.net),
        "effects": _effects(v.effects),
        "by_year": [{"year": y.year, "gross": money(y.gross), "net": money(y.net)} for y in v.by_year],
        "licence": v.licence,
        "created_at": row.created_at,
    }


def _totals(summary: ValueSummary) -> dict[str, Any]:
    return {"gross": money(summary.gross), "net": money(summary.net), "effects": _effects(summary.effects)}


def _effects(effects: AdjustmentEffects) -> dict[str, Any]:
    return {k: money(getattr(effects, k)) for k in ("deadweight", "displacement", "attribution", "drop_off")}


def _number(value: Decimal) -> str:
    """A quantity or share as written ("12", "0.25"), without the storage's trailing zeros."""
    return format(Decimal(value).normalize(), "f")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _body_problem(exc: SocialValueError, within: tuple[str | int, ...] = ()) -> Unprocessable:
    """The engine's loc made a request field: ("commitments", 1, "measure_code") → body.commitments[1]...;
    for a single actual, the engine's ("actuals", 0) prefix is the body itself."""
    loc = ("body", *(exc.loc[len(within) :] if exc.loc[: len(within)] == within else exc.loc))
    if isinstance(exc, DoubleCountingError):
        return Unprocessable(
            exc.message,
            code="double_counting",
            errors=[{"loc": list(loc), "msg": exc.message, "type": exc.rule}],
            extra={"measures": list(exc.measures), "reason": exc.reason},
        )
    return field_error(loc, exc.message, exc.rule)


def _query_problem(exc: SocialValueError) -> Unprocessable:
    """Stored lines were valid when recorded, so a failure to value them is about the reporting year asked."""
    return field_error(("query", "reporting_year"), exc.message, exc.rule)
