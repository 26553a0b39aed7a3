"""Bulk import jobs (SPEC §3.6): upload → 202 + Location; a worker process runs the job with progress,
counts and row-level errors; the job document is polled by clients and the CLI's progress bar.

The uploaded file is kept with the job so a worker that dies mid-run leaves a job that can be re-run:
imports are idempotent by natural keys, so running one twice changes nothing the second time.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from localwealth_shared.http.pagination import decode_cursor, encode_cursor
from localwealth_shared.http.problems import NotFound
from localwealth_shared.platform_tables import PlatformTables

logger = logging.getLogger("localwealth.jobs")

QUEUED, RUNNING, SUCCEEDED, FAILED, PARTIAL = "queued", "running", "succeeded", "failed", "partially_succeeded"
COUNT_KEYS = ("created", "updated", "unchanged", "rejected")


@dataclass
class JobContext:
    """What a job handler sees; progress and errors are flushed in their own short transactions."""

    id: str
    tenant_id: str
    kind: str
    content: bytes
    options: dict[str, Any]
    store: JobStore
    filename: str | None = None
    # Shown on the job document when it finishes (e.g. how a file's columns were read).
    message: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    processed: int = 0
    total: int | None = None
    _errors: list[tuple[int, str, str]] = field(default_factory=list)
    _error_seq: int = 0

    def error(self, row: int, field_name: str, message: str) -> None:
        self._errors.append((row, field_name, message))

    async def report(self) -> None:
        errors, self._errors = self._errors, []
        await self.store.save_progress(self, errors)


class JobStore:
    def __init__(self, db: Database, tables: PlatformTables) -> None:
        self.db = db
        self.jobs = tables.import_jobs
        self.errors = tables.import_job_errors
        self.uploads = tables.import_job_uploads

    async def create(
        self,
        session: AsyncSession,
        *,
        tenant_id: str,
        kind: str,
        content: bytes,
        filename: str | None,
        content_type: str | None,
        options: dict[str, Any],
    ) -> str:
        job_id = str(uuid.uuid4())
        now = utcnow()
        await session.execute(
            self.jobs.insert().values(
                id=job_id,
                tenant_id=tenant_id,
                kind=kind,
                status=QUEUED,
                filename=filename,
                content_type=content_type,
                content_sha256=hashlib.sha256(content).hexdigest(),
                options=options,
                processed=0,
                counts=dict.fromkeys(COUNT_KEYS, 0),
                error_count=0,
                created_at=now,
                updated_at=now,
            )
        )
        await session.execute(self.uploads.insert().values(job_id=job_id, content=content))
        return job_id

    async def document(
        self,
        session: AsyncSession,
        *,
        tenant_id: str,
        job_id: str,
        url: str,
        error_limit: int = 100,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """The job as clients poll it; with `kind`, a job of another kind reads as missing too."""
        stmt = select(self.jobs).where(self.jobs.c.id == job_id, self.jobs.c.tenant_id == tenant_id)
        if kind is not None:
            stmt = stmt.where(self.jobs.c.kind == kind)
        row = (await session.execute(stmt)).first()
        if row is None:  # another tenant's job is indistinguishable from a missing one
            raise NotFound(f"no import job {job_id}", code="import_not_found")
        errors, next_cursor = await self.error_page(session, job_id, limit=error_limit, cursor=None)
        return {
            "id": row.id,
            "kind": row.kind,
            "status": row.status,
            "filename": row.filename,
            "content_sha256": row.content_sha256,
            "progress": {"processed": row.processed, "total": row.total},
            "counts": row.counts,
            "error_count": row.error_count,
            "errors": errors,
            "errors_next_cursor": next_cursor,
            "errors_url": f"{url}/errors",
            "errors_csv_url": f"{url}/errors.csv",
            "message": row.message,
            "created_at": row.created_at,
            "started_at": row.started_at,
            "finished_at": row.finished_at,
        }

    async def error_page(
        self, session: AsyncSession, job_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        stmt = select(self.errors).where(self.errors.c.job_id == job_id).order_by(self.errors.c.seq).limit(limit + 1)
        if cursor:
            (seq,) = decode_cursor(cursor, [int])
            stmt = stmt.where(self.errors.c.seq > seq)
        rows = (await session.execute(stmt)).all()
        page = rows[:limit]
        items = [{"row": r.row, "field": r.field, "message": r.message} for r in page]
        return items, (encode_cursor([page[-1].seq]) if len(rows) > limit else None)

    async def errors_csv(self, session: AsyncSession, *, tenant_id: str, job_id: str) -> str:
        await self.document(session, tenant_id=tenant_id, job_id=job_id, url="", error_limit=1)
        rows = (
            await session.execute(select(self.errors).where(self.errors.c.job_id == job_id).order_by(self.errors.c.seq))
        ).all()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "field", "message"])
        for r in rows:
            writer.writerow([r.row, safe_csv_cell(r.field), safe_csv_cell(r.message)])
        return out.getvalue()

    async def claim_next(self, kinds: Sequence[str]) -> JobContext | None:
        async with self.db.transaction() as session:
            row = (
                await session.execute(
                    select(self.jobs)
                    .where(self.jobs.c.status == QUEUED, self.jobs.c.kind.in_(kinds))
                    .order_by(self.jobs.c.created_at)
                    .limit(1)
                )
            ).first()
            if row is None:
                return None
            claimed = await session.execute(
                update(self.jobs)
                .where(self.jobs.c.id == row.id, self.jobs.c.status == QUEUED)
                .values(status=RUNNING, started_at=utcnow(), updated_at=utcnow())
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            content = (
                await session.execute(select(self.uploads.c.content).where(self.uploads.c.job_id == row.id))
            ).scalar_one()
        return JobContext(
            id=row.id,
            tenant_id=row.tenant_id,
            kind=row.kind,
            content=content,
            options=dict(row.options or {}),
            store=self,
            filename=row.filename,
        )

    async def save_progress(self, job: JobContext, errors: list[tuple[int, str, str]]) -> None:
        async with self.db.transaction() as session:
            if errors:
                await session.execute(
                    self.errors.insert(),
                    [
                        {"job_id": job.id, "seq": job._error_seq + n, "row": r, "field": f[:200], "message": m}
                        for n, (r, f, m) in enumerate(errors, start=1)
                    ],
                )
                job._error_seq += len(errors)
            await session.execute(
                update(self.jobs)
                .where(self.jobs.c.id == job.id)
                .values(
                    processed=job.processed,
                    total=job.total,
                    counts=dict(job.counts),
                    error_count=job._error_seq,
                    updated_at=utcnow(),
                )
            )

    async def finish(self, job: JobContext, status: str, message: str | None = None) -> None:
        await job.report()
        async with self.db.transaction() as session:
            await session.execute(
                update(self.jobs)
                .where(self.jobs.c.id == job.id)
                .values(status=status, message=message, finished_at=utcnow(), updated_at=utcnow())
            )


JobHandler = Callable[[JobContext], Awaitable[None]]


class JobRunner:
    def __init__(self, store: JobStore, handlers: dict[str, JobHandler], poll_interval_s: float = 0.5) -> None:
        self.store = store
        self.handlers = handlers
        self.poll_interval_s = poll_interval_s
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            if not await self.run_once():
                try:
                    await asyncio.wait_for(self._stopping.wait(), timeout=self.poll_interval_s)
                except TimeoutError:
                    pass

    async def run_once(self) -> bool:
        job = await self.store.claim_next(list(self.handlers))
        if job is None:
            return False
        logger.info("import job %s (%s) started", job.id, job.kind)
        try:
            await self.handlers[job.kind](job)
        except Exception as exc:
            logger.exception("import job %s failed", job.id)
            await self.store.finish(job, FAILED, f"{type(exc).__name__}: {exc}")
            return True
        rejected = job.counts.get("rejected", 0)
        accepted = sum(job.counts.get(k, 0) for k in ("created", "updated", "unchanged"))
        status = SUCCEEDED if rejected == 0 else (PARTIAL if accepted else FAILED)
        await self.store.finish(job, status, job.message)
        logger.info("import job %s finished: %s %s", job.id, status, job.counts)
        return True


def safe_csv_cell(value: Any) -> str:
    """Neutralise spreadsheet formula injection (SPEC §3.8)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
