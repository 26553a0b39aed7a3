"""The spend import job: read the file's layout, then write its prepared batches (`prepared_file`: made by a
thread or a child process while earlier ones are stored), committing every `COMMIT_ROWS` records, then
reconcile the suppliers it named for the first time. Re-running a job, or uploading the file again, changes
nothing."""

from __future__ import annotations

import time

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobContext

from impact.spend.parse import Period, SpendFileError
from impact.spend.prepare import Prepared
from impact.spend.prepared_file import PreparedFile, prepared_file
from impact.spend.writer import SpendWriter
from impact.suppliers.reconcile import Thresholds, reconcile_ids

KIND = "impact.spend"
# Batches are committed together up to this many records: each commit writes every index page the batches
# touched (on SQLite, to the WAL and back), and lines land all over the key indexes, so one commit per
# 100,000 costs a fraction of one per 10,000 (SQLite: the insert's time halves at 1,000,000 lines).
COMMIT_ROWS = 100_000
# Progress is reported after a commit unless reports would take more than this share of the job's time: each is
# a write transaction, which on SQLite may queue behind other writers.
REPORT_SHARE = 0.1


def spend_import_handler(db: Database, thresholds: Thresholds):  # type: ignore[no-untyped-def]
    async def run(job: JobContext) -> None:
        period = Period.parse(job.options["period"]) if job.options.get("period") else None
        try:
            async with prepared_file(
                job.content, filename=job.filename, period=period, tenant_id=job.tenant_id, source="file",
                dialect=db.engine.dialect,
            ) as spend_file:  # fmt: skip
                new_suppliers = await _write(db, job, spend_file)
        except SpendFileError as exc:
            job.error(1, "file", str(exc))
            raise
        if new_suppliers:
            async with db.transaction() as session:
                await reconcile_ids(session, new_suppliers, thresholds)

    return run


async def _write(db: Database, job: JobContext, spend_file: PreparedFile) -> list[str]:
    """Store the batches; the ids of the suppliers created (or newly identified), to reconcile."""
    job.total, job.message = spend_file.total, "; ".join(spend_file.notes)
    progress = _Progress(job)
    await progress.report()
    writer = SpendWriter(job.tenant_id)
    new_suppliers: list[str] = []
    batches = spend_file.batches
    prepared: Prepared | None = await anext(batches, None)
    while prepared is not None:
        async with db.transaction() as session:  # progress is reported between transactions, never inside one
            records = 0
            while prepared is not None and records < COMMIT_ROWS:
                result = await writer.write(session, prepared)
                new_suppliers += result.new_supplier_ids
                _count(job, prepared, result.counts)
                records += prepared.records
                prepared = await anext(batches, None)
        await progress.committed()
    await progress.flush()
    return new_suppliers


def _count(job: JobContext, prepared: Prepared, counts: dict[str, int]) -> None:
    for name, n in counts.items():
        job.counts[name] += n
    for row, field_name, message in prepared.errors:
        job.error(row, field_name, message)
    job.counts["rejected"] += prepared.rejected
    job.processed += prepared.records


class _Progress:
    """The job's progress after each commit, except while reporting has taken more than `REPORT_SHARE` of the
    time since the last report; what was skipped is reported by `flush`."""

    def __init__(self, job: JobContext) -> None:
        self.job, self.last, self.cost, self.behind = job, time.monotonic(), 0.0, False

    async def report(self) -> None:
        started = time.monotonic()
        await self.job.report()
        self.last = time.monotonic()
        self.cost, self.behind = self.last - started, False

    async def committed(self) -> None:
        if self.cost > REPORT_SHARE * (time.monotonic() - self.last):
            self.behind = True
        else:
            await self.report()

    async def flush(self) -> None:
        if self.behind:
            await self.report()
