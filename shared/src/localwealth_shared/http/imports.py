"""The import-job endpoints every service offers for its bulk files (SPEC §3.6), written once:

    POST {prefix}                   multipart `file` (+ `format` when the service reads several) → 202 job
    GET  {prefix}/{id}              status, progress, counts, first errors (private to the tenant: 404)
    GET  {prefix}/{id}/errors       row-level errors, paged
    GET  {prefix}/{id}/errors.csv   the same as CSV

The app keeps its `JobStore` in `app.state.job_store`; the service's worker runs jobs of `kind`.
"""

# No `from __future__ import annotations`: FastAPI must see the scope and format types built per router.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile, status
from pydantic import BaseModel

from localwealth_shared.auth import Principal, require
from localwealth_shared.http.pagination import Cursor, Limit
from localwealth_shared.http.problems import field_error, problem_responses
from localwealth_shared.http.responses import CSVResponse
from localwealth_shared.http.sessions import ReadSession, WriteSession
from localwealth_shared.jobs import JobStore


def _job_store(request: Request) -> JobStore:
    return request.app.state.job_store  # type: ignore[no-any-return]


Store = Annotated[JobStore, Depends(_job_store)]


def import_router(
    *,
    prefix: str,
    kind: str,
    read_scope: str,
    write_scope: str,
    what: str,
    formats: tuple[str, ...] = (),
    format_help: str = "",
    options_model: type[BaseModel] | None = None,
) -> APIRouter:
    """Routes for one import kind. With `formats`, the upload names one (the first is the default); with
    `options_model`, the upload's other form fields are that model's (stored as the job's options)."""
    router = APIRouter(prefix=prefix, tags=["imports"])
    Reader = Annotated[Principal, Depends(require(read_scope))]
    Writer = Annotated[Principal, Depends(require(write_scope))]
    Format = Literal[formats] if formats else str  # type: ignore[valid-type]

    async def create(
        response: Response,
        principal: Principal,
        session: Any,
        store: JobStore,
        file: UploadFile,
        options: dict[str, Any],
    ) -> dict[str, Any]:
        content = await file.read()
        if not content.strip():
            raise field_error(["body", "file"], "the file is empty", "file.empty")
        job_id = await store.create(
            session,
            tenant_id=principal.tenant_id,
            kind=kind,
            content=content,
            filename=file.filename,
            content_type=file.content_type,
            options=options,
        )
        url = f"{prefix}/{job_id}"
        response.headers["Location"] = url
        return {"id": job_id, "status": "queued", "url": url}

    upload = {
        "status_code": status.HTTP_202_ACCEPTED,
        "responses": problem_responses(401, 403, 413, 422),
        "summary": f"Upload {what}",
    }
    if options_model is not None:
        # The upload's options are form fields described (and validated) by the service's own model.
        Options = options_model

        @router.post("", **upload)  # type: ignore[arg-type]
        async def create_import_with_options(
            response: Response,
            principal: Writer,
            session: WriteSession,
            store: Store,
            file: Annotated[UploadFile, File(description="The file to import")],
            options: Annotated[Options, Form()],  # type: ignore[valid-type]
        ) -> dict[str, Any]:
            return await create(response, principal, session, store, file, options.model_dump(exclude_none=True))  # type: ignore[attr-defined]

    else:

        @router.post("", **upload)  # type: ignore[arg-type]
        async def create_import(
            response: Response,
            principal: Writer,
            session: WriteSession,
            store: Store,
            file: Annotated[UploadFile, File(description="The file to import")],
            format: Annotated[Format | None, Form(description=format_help or "The file's format")] = None,
        ) -> dict[str, Any]:
            return await create(
                response, principal, session, store, file, {"format": format or formats[0]} if formats else {}
            )

    @router.get("/{job_id}", responses=problem_responses(401, 403, 404), summary="Import job status and progress")
    async def get_import(job_id: str, principal: Reader, session: ReadSession, store: Store) -> dict[str, Any]:
        return await store.document(
            session, tenant_id=principal.tenant_id, job_id=job_id, url=f"{prefix}/{job_id}", kind=kind
        )

    @router.get("/{job_id}/errors", responses=problem_responses(401, 403, 404, 422), summary="Row-level errors, paged")
    async def get_import_errors(
        job_id: str, principal: Reader, session: ReadSession, store: Store, limit: Limit = 50, cursor: Cursor = None
    ) -> dict[str, Any]:
        await store.document(session, tenant_id=principal.tenant_id, job_id=job_id, url="", error_limit=1)
        data, next_cursor = await store.error_page(session, job_id, limit=limit, cursor=cursor)
        return {"data": data, "next_cursor": next_cursor}

    @router.get(
        "/{job_id}/errors.csv",
        response_class=CSVResponse,
        responses=problem_responses(401, 403, 404),
        summary="Row-level errors as CSV",
    )
    async def get_import_errors_csv(job_id: str, principal: Reader, session: ReadSession, store: Store) -> Any:
        text = await store.errors_csv(session, tenant_id=principal.tenant_id, job_id=job_id)
        return CSVResponse(text, f"import-{job_id}-errors.csv")

    return router
