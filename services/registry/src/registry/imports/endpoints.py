"""Bulk import endpoints: `POST /api/v1/organisations/imports` → 202 job; poll it; download its errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile, status
from fastapi.responses import PlainTextResponse
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.pagination import Cursor, Limit
from localwealth_shared.http.problems import field_error, problem_responses
from localwealth_shared.jobs import JobStore

from registry.dependencies import ReadSession, WriteSession
from registry.imports.runner import KIND

router = APIRouter(prefix="/api/v1/organisations/imports", tags=["imports"])
Format = Literal["coops-uk", "csv", "hsds-json"]


def job_store(request: Request) -> JobStore:
    return request.app.state.job_store  # type: ignore[no-any-return]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 413, 422),
    summary="Upload a file of organisations (Co-operatives UK CSV, generic CSV or HSDS JSON)",
)
async def create_import(
    response: Response,
    principal: Annotated[Principal, Depends(require("registry:write"))],
    session: WriteSession,
    store: Annotated[JobStore, Depends(job_store)],
    file: Annotated[UploadFile, File(description="The file to import")],
    format: Annotated[Format, Form(description="coops-uk | csv (documented columns) | hsds-json")] = "csv",
) -> dict[str, Any]:
    content = await file.read()
    if not content:
        raise field_error(["body", "file"], "the file is empty", "file.empty")
    job_id = await store.create(
        session,
        tenant_id=principal.tenant_id,
        kind=KIND,
        content=content,
        filename=file.filename,
        content_type=file.content_type,
        options={"format": format},
    )
    url = f"/api/v1/organisations/imports/{job_id}"
    response.headers["Location"] = url
    return {"id": job_id, "status": "queued", "url": url}


@router.get("/{job_id}", responses=problem_responses(401, 403, 404), summary="Import job status, progress and errors")
async def get_import(
    job_id: str,
    principal: Annotated[Principal, Depends(require("registry:read"))],
    session: ReadSession,
    store: Annotated[JobStore, Depends(job_store)],
) -> dict[str, Any]:
    return await store.document(
        session, tenant_id=principal.tenant_id, job_id=job_id, url=f"/api/v1/organisations/imports/{job_id}"
    )


@router.get("/{job_id}/errors", responses=problem_responses(401, 403, 404, 422), summary="Row-level errors, paged")
async def get_import_errors(
    job_id: str,
    principal: Annotated[Principal, Depends(require("registry:read"))],
    session: ReadSession,
    store: Annotated[JobStore, Depends(job_store)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    await store.document(session, tenant_id=principal.tenant_id, job_id=job_id, url="", error_limit=1)
    data, next_cursor = await store.error_page(session, job_id, limit=limit, cursor=cursor)
    return {"data": data, "next_cursor": next_cursor}


@router.get(
    "/{job_id}/errors.csv",
    response_class=PlainTextResponse,
    responses=problem_responses(401, 403, 404),
    summary="Row-level errors as CSV",
)
async def get_import_errors_csv(
    job_id: str,
    principal: Annotated[Principal, Depends(require("registry:read"))],
    session: ReadSession,
    store: Annotated[JobStore, Depends(job_store)],
) -> PlainTextResponse:
    text = await store.errors_csv(session, tenant_id=principal.tenant_id, job_id=job_id)
    return PlainTextResponse(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )
