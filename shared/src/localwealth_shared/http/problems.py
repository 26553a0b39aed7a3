"""RFC 9457 problem+json errors.

Domain code raises `Problem` (or a subclass) with a stable `code`; handlers turn it, FastAPI's validation
errors and stray HTTP errors into `application/problem+json`. An unexpected exception becomes a 500
problem and is logged as a bug with the request id, never a stack trace in the body.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from localwealth_shared.http.responses import JSONDocResponse
from localwealth_shared.observability.context import current_request_id

logger = logging.getLogger("localwealth.problems")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://localwealth.org/problems/"


class ValidationErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ProblemDocument(BaseModel):
    """The body of every error response (declared in OpenAPI `responses=`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str
    errors: list[ValidationErrorItem] | None = None


class Problem(Exception):
    """An expected failure with an HTTP status and a stable machine-readable code."""

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title or code or self.code)
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(self.status).phrase
        self.errors = list(errors) if errors is not None else None
        self.headers = headers or {}
        self.extra = extra or {}


class NotFound(Problem):
    status, code = 404, "not_found"


class Conflict(Problem):
    status, code = 409, "conflict"


class PreconditionFailed(Problem):
    status, code = 412, "precondition_failed"


class Unprocessable(Problem):
    status, code = 422, "validation_failed"


class Unauthorized(Problem):
    status, code = 401, "unauthorized"

    def __init__(self, detail: str = "missing or invalid credentials", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(Problem):
    status, code = 403, "forbidden"


class ServiceUnavailable(Problem):
    status, code = 503, "service_unavailable"


def field_error(loc: Sequence[str | int], msg: str, rule: str, *, code: str = "validation_failed") -> Unprocessable:
    """A 422 naming one field and the rule it broke."""
    return Unprocessable(
        f"{'.'.join(str(p) for p in loc)}: {msg}", code=code, errors=[{"loc": list(loc), "msg": msg, "type": rule}]
    )


def problem_response(
    request: Request | None,
    status: int,
    code: str,
    *,
    title: str | None = None,
    detail: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONDocResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code.replace(".", "/"),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": str(request.url.path) if request is not None else None,
        "code": code,
    }
    if errors is not None:
        body["errors"] = [
            {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": str(e.get("type", code))}
            for e in errors
        ]
    if extra:
        body.update(extra)
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    return JSONDocResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    items = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if p not in ("function-after",)]
        items.append({"loc": loc, "msg": err.get("msg", "invalid"), "type": err.get("type", "value_error")})
    return items


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONDocResponse:
        return problem_response(
            request,
            exc.status,
            exc.code,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONDocResponse:
        errors = _validation_errors(exc)
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return problem_response(
            request,
            422,
            "validation_failed",
            title="Request validation failed",
            detail=f"{where}: {first['msg']}" if where else str(first["msg"]),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONDocResponse:
        detail = str(exc.detail) if exc.detail else None
        if exc.status_code == 400:
            # Only the framework raises 400, for a body it cannot parse (broken multipart, bad encoding):
            # answer like any other invalid input, naming the body.
            return problem_response(
                request,
                422,
                "malformed_body",
                title="Request validation failed",
                detail=detail,
                errors=[{"loc": ["body"], "msg": detail or "the body could not be parsed", "type": "body.malformed"}],
            )
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}
        return problem_response(
            request,
            exc.status_code,
            code.get(exc.status_code, f"http_{exc.status_code}"),
            detail=detail,
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONDocResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request, 500, "internal_error", detail="an unexpected error occurred; it has been logged"
        )


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemDocument, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": HTTPStatus(status).phrase}
    for status in (401, 403, 404, 409, 412, 413, 415, 422)
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for a route's documented problems."""
    return {s: PROBLEM_RESPONSES[s] for s in statuses}
