"""The impact worker process: outbox relay, the `registry.organisation` consumer (which re-matches suppliers
and refreshes impact scores), the activity consumer (procurement and land events for the CWB indicators) and
spend import jobs."""

from __future__ import annotations

import asyncio

from localwealth_shared.db import Database
from localwealth_shared.events.consumer import EventConsumer
from localwealth_shared.events.outbox import OutboxRelay
from localwealth_shared.jobs import JobRunner, JobStore
from localwealth_shared.worker import run_parts, serve_worker

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
    relay = OutboxRelay(
        db,
        platform,
        service="impact",
        bootstrap_servers=settings.kafka_bootstrap_servers,
        poll_interval_s=settings.relay_poll_interval_s,
        batch_size=settings.relay_batch_size,
        max_backoff_s=settings.relay_max_backoff_s,
    )
    consumers = {
        f"consumer-{spec.name}": EventConsumer(
            db,
            platform,
            spec,
            service="impact",
            bootstrap_servers=settings.kafka_bootstrap_servers,
            max_attempts=settings.consumer_max_attempts,
            retry_backoff_s=settings.consumer_retry_backoff_s,
        )
        for spec in (organisations_consumer(thresholds), ACTIVITY_CONSUMER)
    }
    jobs = JobRunner(
        JobStore(db, platform),
        {SPEND_IMPORT: spend_import_handler(db, thresholds), RECONCILE: reconcile_handler(db, thresholds)},
    )
    try:
        await run_parts("impact", {"outbox-relay": relay, "imports": jobs, **consumers}, stop or asyncio.Event())
    finally:
        await db.dispose()


def main(settings: ImpactSettings) -> None:
    serve_worker(settings, run_worker)  # type: ignore[arg-type]
