"""The spend import job: read the file's layout, then parse and write its lines batch by batch (the next batch
is parsed while one is written, so only two are held at a time), then reconcile the suppliers it named for
the first time. Re-running a job, or uploading the file again, changes nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobContext

from impact.spend.parse import Period, SpendFileError, SpendRecord, open_spend_file
from impact.spend.writer import SpendWriter
from impact.suppliers.reconcile import Thresholds, reconcile_ids

KIND = "impact.spend"
BATCH = 10_000
# Progress is reported after a batch unless reports would take more than this share of the job's time: each one
# rewrites the job's row, and on SQLite that rewrites the uploaded file stored in it (0.2–0.7 s for 50 MB here).
REPORT_SHARE = 0.1


def spend_import_handler(db: Database, thresholds: Thresholds):  # type: ignore[no-untyped-def]
    async def run(job: JobContext) -> None:
        period = Period.parse(job.options["period"]) if job.options.get("period") else None
        try:
            spend_file = open_spend_file(job.content, filename=job.filename, period=period)
        except SpendFileError as exc:
            job.error(1, "file", str(exc))
            raise
        job.total = spend_file.total
        job.message = "; ".join(spend_file.notes)
        progress = _Progress(job)
        await progress.report()
        writer = SpendWriter(job.tenant_id, source="file")
        new_suppliers: list[str] = []
        async for batch in _read_ahead(spend_file.batches(BATCH)):
            async with db.transaction() as session:
                result = await writer.write(session, batch)
            new_suppliers += result.new_supplier_ids
            for name, n in result.counts.items():
                job.counts[name] += n
            for record in batch:
                for field_name, message in record.errors:
                    job.error(record.number, field_name, message)
            job.counts["rejected"] += sum(1 for r in batch if r.errors)
            job.processed += len(batch)
            await progress.batch_done()
        await progress.flush()
        if new_suppliers:
            async with db.transaction() as session:
                await reconcile_ids(session, new_suppliers, thresholds)

    return run


async def _read_ahead(batches: Iterator[list[SpendRecord]]) -> AsyncIterator[list[SpendRecord]]:
    """The batches in order, each next one parsed in a thread while the caller writes the current one (the
    database works outside the GIL meanwhile: SQLite in its own thread, PostgreSQL in its server)."""
    pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    try:
        while (batch := await pending) is not None:
            pending = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
            yield batch
    finally:
        pending.cancel()


class _Progress:
    """The job's progress after each batch, except while reporting has taken more than `REPORT_SHARE` of the
    time since the last report; what was skipped is reported by `flush`."""

    def __init__(self, job: JobContext) -> None:
        self.job, self.last, self.cost, self.behind = job, time.monotonic(), 0.0, False

    async def report(self) -> None:
        started = time.monotonic()
        await self.job.report()
        self.last = time.monotonic()
        self.cost, self.behind = self.last - started, False

    async def batch_done(self) -> None:
        if self.cost > REPORT_SHARE * (time.monotonic() - self.last):
            self.behind = True
        else:
            await self.report()

    async def flush(self) -> None:
        if self.behind:
            await self.report()
