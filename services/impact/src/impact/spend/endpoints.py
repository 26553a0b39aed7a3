"""HTTP endpoints for council spend (SPEC §7.1): file imports, the ERP push, lines and the summary.
Everything here is the calling council's own: another council's lines are never counted or shown."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from localwealth_shared.http.imports import import_router
from localwealth_shared.http.money import money
from localwealth_shared.http.pagination import Cursor, Limit, Page, UpdatedSince, after, decode_cursor, page_of
from localwealth_shared.http.problems import Problem, Unprocessable, field_error, problem_responses
from sqlalchemy import select

from impact.db import SpendLine
from impact.dependencies import Reader, ReadSession, ThresholdsDep, Writer, WriteSession
from impact.periods import FromParam, PeriodParam, ToParam, period_filter
from impact.spend import repository
from impact.spend.importer import KIND
from impact.spend.prepare import SpendPreparer
from impact.spend.push import MAX_LINES, PushBodyError, parse_body, to_record
from impact.spend.schemas import PushResult, SpendImportOptions, SpendLineIn, SpendLineOut, SpendSummary
from impact.spend.writer import SpendWriter
from impact.suppliers.reconcile import reconcile_ids

imports_router = import_router(
    prefix="/api/v1/spend/imports",
    kind=KIND,
    read_scope="impact:read",
    write_scope="impact:write",
    what="a council spend file (Local Government Transparency Code 'spend over £500' CSV, any layout)",
    options_model=SpendImportOptions,
)
router = APIRouter(prefix="/api/v1/spend", tags=["spend"])


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON Schema with its `$defs` written in place: inside the OpenAPI document a `#/$defs/…`
    reference would point nowhere."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):  # keep what sits beside it (a description)
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**resolve(defs[ref.removeprefix("#/$defs/")]), **rest}
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


LINES_SCHEMA = {"type": "array", "items": _inlined(SpendLineIn.model_json_schema()), "maxItems": MAX_LINES}
PUSH_MEDIA = ("application/x-ndjson", "application/jsonl", "application/json")
PUSH_BODY = {
    "required": True,
    "content": {
        "application/x-ndjson": {"schema": {"type": "string", "description": "One SpendLineIn object per line"}},
        "application/json": {"schema": LINES_SCHEMA},
    },
}


@router.post(
    "/lines",
    response_model=PushResult,
    responses=problem_responses(401, 403, 413, 415, 422),
    summary="Push payment lines from a finance system (JSON lines or a JSON array)",
    description=f"Up to {MAX_LINES:,} lines per request, each a `SpendLineIn`. Lines are matched on their natural "
    "key (transaction, date, amount, supplier), so sending a line again changes nothing. Bad lines are reported "
    "by line number and the others are stored; when no line can be stored the request is a 422.",
    openapi_extra={"requestBody": PUSH_BODY},
)
async def push_lines(
    request: Request, principal: Writer, session: WriteSession, thresholds: ThresholdsDep
) -> dict[str, Any]:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in PUSH_MEDIA:
        raise Problem(
            f"send application/x-ndjson (one line per object) or application/json (an array), not {media or 'nothing'}",
            status=415,
            code="unsupported_media_type",
        )
    body = await request.body()
    try:
        items = list(parse_body(body, json_array=media == "application/json"))
    except PushBodyError as exc:
        raise field_error(("body",), str(exc), "body.json") from exc
    if not items:
        raise field_error(("body",), "no lines to store", "body.empty")
    if len(items) > MAX_LINES:
        raise field_error(("body",), f"at most {MAX_LINES} lines per request; use an import for more", "body.max_lines")
    records = [to_record(number, item) for number, item in items]
    preparer = SpendPreparer(principal.tenant_id, "push", session.get_bind().dialect)
    result = await SpendWriter(principal.tenant_id).write(session, preparer.prepare(records))
    errors = [{"row": r.number, "field": f, "message": m} for r in records for f, m in r.errors]
    if not any(result.counts.values()):  # nothing could be stored: the request as a whole is refused
        raise Unprocessable(
            f"none of the {len(records)} lines could be stored",
            code="validation_failed",
            errors=[
                {"loc": ["body", e["row"], e["field"]], "msg": e["message"], "type": "line.invalid"} for e in errors
            ],
        )
    if result.new_supplier_ids:
        await reconcile_ids(session, result.new_supplier_ids, thresholds)
    return {"counts": {**result.counts, "rejected": sum(1 for r in records if r.errors)}, "errors": errors}


def line_view(line: SpendLine) -> dict[str, Any]:
    return {
        **{c: getattr(line, c) for c in SpendLineOut.model_fields if c != "amount" and hasattr(line, c)},
        "amount": money(repository.to_pounds(line.amount_pence)),
    }


@router.get(
    "/lines",
    response_model=Page[SpendLineOut],
    responses=problem_responses(401, 403, 422),
    summary="The council's payment lines (sync with updated_since)",
)
async def list_lines(
    principal: Reader,
    session: ReadSession,
    period: PeriodParam = None,
    start: FromParam = None,
    end: ToParam = None,
    supplier_id: Annotated[str | None, Query(max_length=36)] = None,
    updated_since: UpdatedSince = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    order = (SpendLine.updated_at, SpendLine.id)
    stmt = select(SpendLine).where(*repository.scoped(principal.tenant_id, period_filter(period, start, end)))
    if supplier_id:
        stmt = stmt.where(SpendLine.supplier_id == supplier_id)
    if updated_since:
        stmt = stmt.where(SpendLine.updated_at >= updated_since)
    if cursor:
        stmt = stmt.where(after(order, decode_cursor(cursor, [datetime, str])))
    rows = (await session.scalars(stmt.order_by(*order).limit(limit + 1))).all()
    page, next_cursor = page_of(rows, limit, lambda line: [line.updated_at, line.id])
    return {"data": [line_view(line) for line in page], "next_cursor": next_cursor}


@router.get(
    "/summary",
    response_model=SpendSummary,
    responses=problem_responses(401, 403, 422),
    summary="Total, lines, suppliers and spend by category for a period",
)
async def summary(
    principal: Reader, session: ReadSession, period: PeriodParam = None, start: FromParam = None, end: ToParam = None
) -> dict[str, Any]:
    chosen = period_filter(period, start, end)
    totals = await repository.totals(session, principal.tenant_id, chosen)
    categories = await repository.by_category(session, principal.tenant_id, chosen)
    return {
        "period": chosen.describe(),
        "total": money(totals["total"]),
        "lines": totals["lines"],
        "suppliers": totals["suppliers"],
        "by_category": [{**c, "total": money(c["total"])} for c in categories],
    }
