"""The registry worker process: outbox relay and import jobs (the registry consumes no events yet)."""

from __future__ import annotations

import asyncio

from localwealth_shared.db import Database
from localwealth_shared.jobs import JobRunner, JobStore
from localwealth_shared.worker import outbox_relay, run_parts, serve_worker

from registry.config import RegistrySettings
from registry.db import platform
from registry.imports.runner import KIND, import_handler
from registry.main import build_service


async def run_worker(settings: RegistrySettings, stop: asyncio.Event | None = None) -> None:
    db = Database(settings.database_url)
    jobs = JobRunner(
        JobStore(db, platform), {KIND: import_handler(db, build_service(settings), settings.import_batch_size)}
    )
    try:
        parts = {"outbox-relay": outbox_relay(db, platform, settings), "jobs": jobs}
        await run_parts("registry", parts, stop or asyncio.Event())
    finally:
        await db.dispose()


def main(settings: RegistrySettings) -> None:
    serve_worker(settings, run_worker)  # type: ignore[arg-type]
