"""The spend import job: read the file's layout, then parse and write its lines batch by batch (a thread parses
up to `READ_AHEAD` batches ahead of the one being written, so only a few are held at a time), then reconcile
the suppliers it named for the first time. Re-running a job, or uploading the file again, changes nothing."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobContext

from impact.spend.parse import Period, SpendFileError, open_spend_file
from impact.spend.writer import SpendWriter
from impact.suppliers.reconcile import Thresholds, reconcile_ids

KIND = "impact.spend"
BATCH = 10_000
T = TypeVar("T")
READ_AHEAD = 3  # batches parsed ahead of the writer (~10 MB each)
# Progress is reported after a batch unless reports would take more than this share of the job's time: each is a
# write transaction, which on SQLite may queue behind other writers.
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
        # The parser thread also keys each batch and builds its rows, while the database stores earlier ones.
        dialect = db.engine.dialect
        prepared_batches = ((batch, writer.prepare(batch, dialect)) for batch in spend_file.batches(BATCH))
        async for batch, prepared in _read_ahead(prepared_batches):
            async with db.transaction() as session:
                result = await writer.write_prepared(session, prepared)
            new_suppliers += result.new_supplier_ids
            for name, n in result.counts.items():
                job.counts[name] += n
            rejected = [record for record in batch if record.errors]
            for record in rejected:
                for field_name, message in record.errors:
                    job.error(record.number, field_name, message)
            job.counts["rejected"] += len(rejected)
            job.processed += len(batch)
            await progress.batch_done()
        await progress.flush()
        if new_suppliers:
            async with db.transaction() as session:
                await reconcile_ids(session, new_suppliers, thresholds)

    return run


async def _read_ahead(batches: Iterator[T], depth: int = READ_AHEAD) -> AsyncIterator[T]:
    """The batches in order, made by a thread up to `depth` ahead of the caller: while the caller waits for
    the database (PostgreSQL's server, SQLite's own thread: both outside the GIL) the parser keeps going,
    instead of idling after one batch."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(("batch", batch)):
                    return
            put(("end", None))
        except Exception as exc:  # the caller raises it, as if it had parsed the batch itself
            put(("error", exc))

    parser = threading.Thread(target=produce, name="spend-parser", daemon=True)
    parser.start()
    try:
        while True:
            kind, value = await asyncio.to_thread(ready.get)
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        await asyncio.to_thread(parser.join)


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
