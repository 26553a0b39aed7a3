"""The registry worker process: outbox relay and import jobs (the registry consumes no events yet)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from localwealth_shared.db import Database
from localwealth_shared.events.outbox import OutboxRelay
from localwealth_shared.jobs import JobRunner, JobStore
from localwealth_shared.observability.logging import configure_logging

from registry.config import RegistrySettings
from registry.db import platform
from registry.imports.runner import KIND, import_handler
from registry.main import build_service

logger = logging.getLogger("registry.worker")


async def run_worker(settings: RegistrySettings, stop: asyncio.Event | None = None) -> None:
    db = Database(settings.database_url)
    relay = OutboxRelay(
        db,
        platform,
        service="registry",
        bootstrap_servers=settings.kafka_bootstrap_servers,
        poll_interval_s=settings.relay_poll_interval_s,
        batch_size=settings.relay_batch_size,
        max_backoff_s=settings.relay_max_backoff_s,
    )
    jobs = JobRunner(
        JobStore(db, platform), {KIND: import_handler(db, build_service(settings), settings.import_batch_size)}
    )
    stop = stop or asyncio.Event()
    tasks = [asyncio.create_task(relay.run(), name="outbox-relay"), asyncio.create_task(jobs.run(), name="jobs")]
    logger.info("registry worker started")
    await stop.wait()
    relay.stop()
    jobs.stop()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=30)
    await db.dispose()


def main(settings: RegistrySettings) -> None:  # type: ignore[override]
    configure_logging("registry-worker", settings.log_level, json=settings.log_json)
    if settings.worker_metrics_port:
        from localwealth_shared.observability.metrics import REGISTRY
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, addr="0.0.0.0", registry=REGISTRY)  # noqa: S104

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop)

    asyncio.run(run())
