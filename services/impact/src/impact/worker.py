"""The impact worker process: outbox relay, the `registry.organisation` consumer (which re-matches suppliers
and refreshes impact scores), the activity consumer (procurement and land events for the CWB indicators) and
spend import jobs."""

from __future__ import annotations

import asyncio

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobRunner, JobStore
from localwealth_shared.worker import consumers, outbox_relay, run_parts, serve_worker

from impact.activity.consumer import ACTIVITY_CONSUMER
from impact.config import ImpactSettings
from impact.db import platform
from impact.main import thresholds_of
from impact.organisations.read_model import organisations_consumer
from impact.spend.importer import KIND as SPEND_IMPORT
from impact.spend.importer import spend_import_handler
from impact.suppliers.rerun import KIND as RECONCILE
from impact.suppliers.rerun import reconcile_handler


async def run_worker(settings: ImpactSettings, stop: asyncio.Event | None = None) -> None:
    db = Database(settings.database_url)
    thresholds = thresholds_of(settings)
    jobs = JobRunner(
        JobStore(db, platform),
        {SPEND_IMPORT: spend_import_handler(db, thresholds), RECONCILE: reconcile_handler(db, thresholds)},
    )
    parts = {
        "outbox-relay": outbox_relay(db, platform, settings),
        **consumers(db, platform, settings, [organisations_consumer(thresholds), ACTIVITY_CONSUMER]),
        "jobs": jobs,
    }
    try:
        await run_parts("impact", parts, stop or asyncio.Event())
    finally:
        await db.dispose()


def main(settings: ImpactSettings) -> None:
    serve_worker(settings, run_worker)  # type: ignore[arg-type]
