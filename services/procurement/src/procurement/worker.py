"""The procurement worker: outbox relay, OCDS import jobs, alert webhooks, supplier read model consumers."""

from __future__ import annotations

import asyncio

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobRunner, JobStore
from localwealth_shared.worker import consumers, outbox_relay, run_parts, serve_worker

from procurement.alerts.sender import WebhookSender
from procurement.config import ProcurementSettings
from procurement.db import platform
from procurement.main import OUTBOX, build_service
from procurement.ocds.importer import KIND, ocds_import_handler
from procurement.suppliers.read_model import ORGANISATIONS, SCORES


async def run_worker(settings: ProcurementSettings, stop: asyncio.Event | None = None) -> None:
    db = Database(settings.database_url)
    parts = consumers(db, platform, settings, [ORGANISATIONS, SCORES])
    jobs = JobRunner(JobStore(db, platform), {KIND: ocds_import_handler(db, build_service(settings), OUTBOX)})
    webhooks = WebhookSender(
        db,
        max_attempts=settings.webhook_max_attempts,
        base_backoff_s=settings.webhook_backoff_s,
        timeout_s=settings.webhook_timeout_s,
    )
    try:
        await run_parts(
            "procurement",
            {"outbox-relay": outbox_relay(db, platform, settings), "jobs": jobs, "webhooks": webhooks, **parts},
            stop or asyncio.Event(),
        )
    finally:
        await db.dispose()


def main(settings: ProcurementSettings) -> None:
    serve_worker(settings, run_worker)
