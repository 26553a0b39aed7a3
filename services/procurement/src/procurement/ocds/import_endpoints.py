"""`POST /api/v1/tenders/imports` (OCDS release packages or JSON lines) → 202 job; poll it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile, status
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.pagination import Cursor, Limit
from localwealth_shared.http.problems import field_error, problem_responses
from localwealth_shared.jobs import JobStore

from procurement.dependencies import ReadSession, WriteSession
from procurement.ocds.importer import KIND

router = APIRouter(prefix="/api/v1/tenders/imports", tags=["imports"])


def job_store(request: Request) -> JobStore:
    return request.app.state.job_store


Store = Annotated[JobStore, Depends(job_store)]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 413, 422),
    summary="Upload OCDS releases (a release package, a JSON array, or JSON lines)",
)
async def create_import(
    response: Response,
    principal: Annotated[Principal, Depends(require("procurement:write"))],
    session: WriteSession,
    store: Store,
    file: Annotated[UploadFile, File(description="OCDS release package or JSON-lines releases")],
) -> dict[str, Any]:
    content = await file.read()
    if not content.strip():
        raise field_error(["body", "file"], "the file is empty", "file.empty")
    job_id = await store.create(
        session,
        tenant_id=principal.tenant_id,
        kind=KIND,
        content=content,
        filename=file.filename,
        content_type=file.content_type,
        options={},
    )
    url = f"/api/v1/tenders/imports/{job_id}"
    response.headers["Location"] = url
    return {"id": job_id, "status": "queued", "url": url}


@router.get("/{job_id}", responses=problem_responses(401, 403, 404), summary="Import job status, progress and errors")
async def get_import(
    job_id: str,
    principal: Annotated[Principal, Depends(require("procurement:read"))],
    session: ReadSession,
    store: Store,
) -> dict[str, Any]:
    return await store.document(
        session, tenant_id=principal.tenant_id, job_id=job_id, url=f"/api/v1/tenders/imports/{job_id}"
    )


@router.get("/{job_id}/errors", responses=problem_responses(401, 403, 404, 422), summary="Per-release errors, paged")
async def get_import_errors(
    job_id: str,
    principal: Annotated[Principal, Depends(require("procurement:read"))],
    session: ReadSession,
    store: Store,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    await store.document(session, tenant_id=principal.tenant_id, job_id=job_id, url="", error_limit=1)
    data, next_cursor = await store.error_page(session, job_id, limit=limit, cursor=cursor)
    return {"data": data, "next_cursor": next_cursor}
