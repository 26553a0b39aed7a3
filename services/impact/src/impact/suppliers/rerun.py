"""Reconciling a council's waiting suppliers again, as a job the worker runs (thousands of names take seconds
of CPU: not something to hold an HTTP request open for). `updated` counts suppliers whose match changed."""

from __future__ import annotations

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobContext
from sqlalchemy import select

from impact.db import SpendSupplier
from impact.suppliers.reconcile import SUGGESTED, UNMATCHED, OrganisationNames, Thresholds, reconcile_ids

KIND = "impact.reconcile"
CHUNK = 500


def reconcile_handler(db: Database, thresholds: Thresholds):  # type: ignore[no-untyped-def]
    async def run(job: JobContext) -> None:
        async with db.reader() as session:
            ids = list(
                (
                    await session.scalars(
                        select(SpendSupplier.id).where(
                            SpendSupplier.tenant_id == job.tenant_id,
                            SpendSupplier.status.in_((UNMATCHED, SUGGESTED)),
                        )
                    )
                ).all()
            )
            names = await OrganisationNames.load(session)
        job.total = len(ids)
        await job.report()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            async with db.transaction() as session:
                counts = await reconcile_ids(session, chunk, thresholds, names)
            job.counts["updated"] += counts["changed"]
            job.counts["unchanged"] += len(chunk) - counts["changed"]
            job.processed += len(chunk)
            await job.report()

    return run
