"""The land worker process: outbox relay, the `registry.organisation` consumer, the ACV clock scheduler and
land-register import jobs."""

from __future__ import annotations

import asyncio

from localwealth_shared.db import Database
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.jobs import JobRunner, JobStore
from localwealth_shared.worker import consumers, outbox_relay, run_parts, serve_worker

from land.acv.scheduler import ClockScheduler
from land.config import LandSettings
from land.db import platform
from land.imports.runner import KIND as REGISTER_IMPORT
from land.imports.runner import import_handler
from land.main import build_services
from land.organisations.read_model import ORGANISATIONS_CONSUMER


async def run_worker(settings: LandSettings, stop: asyncio.Event | None = None) -> None:
    db = Database(settings.database_url)
    clocks = ClockScheduler(db, Outbox(platform, "land"), settings.clock_check_interval_s)
    assets, _, _ = build_services(settings)
    jobs = JobRunner(JobStore(db, platform), {REGISTER_IMPORT: import_handler(db, assets)})
    parts = {
        "outbox-relay": outbox_relay(db, platform, settings),
        **consumers(db, platform, settings, [ORGANISATIONS_CONSUMER]),
        "acv-clocks": clocks,
        "imports": jobs,
    }
    try:
        await run_parts("land", parts, stop or asyncio.Event())
    finally:
        await db.dispose()


def main(settings: LandSettings) -> None:
    serve_worker(settings, run_worker)  # type: ignore[arg-type]
