"""The spend import job: read the file's layout, then parse and write its lines batch by batch (progress after
each; only one batch of records is held at a time), then reconcile the suppliers it named for the first time.
Re-running a job, or uploading the file again, changes nothing."""

from __future__ import annotations

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobContext

from impact.spend.parse import Period, SpendFileError, open_spend_file
from impact.spend.writer import SpendWriter
from impact.suppliers.reconcile import Thresholds, reconcile_ids

KIND = "impact.spend"
BATCH = 2_000


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
        await job.report()
        writer = SpendWriter(job.tenant_id, source="file")
        new_suppliers: list[str] = []
        for batch in spend_file.batches(BATCH):
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
            await job.report()
        if new_suppliers:
            async with db.transaction() as session:
                await reconcile_ids(session, new_suppliers, thresholds)

    return run
