"""Rebuild the supplier read model from scratch by replaying `registry.organisation` and
`impact.organisation-score` from the start of the topics.

The tables and these consumers' inbox entries are cleared, then each consumer runs under a fresh Kafka
group (so it starts at the earliest offset) until it has been idle for `idle_s`. The worker's own
consumers may keep running meanwhile: both apply through the same version checks. If the broker no longer
holds the history (the dev broker keeps nothing across restarts), ask the registry to re-publish first
(`localwealth registry events republish`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from localwealth_shared.db import Database
from localwealth_shared.events.consumer import EventConsumer
from sqlalchemy import delete

from procurement.db import platform
from procurement.suppliers.read_model import ORGANISATIONS, SCORES, clear


async def rebuild(db: Database, bootstrap_servers: str, *, idle_s: float = 3.0, startup_s: float = 30.0) -> int:
    """Returns how many events the replay applied or skipped."""
    async with db.transaction() as session:
        await clear(session)
        await session.execute(
            delete(platform.inbox).where(platform.inbox.c.consumer.in_([ORGANISATIONS.name, SCORES.name]))
        )
    run_id = uuid.uuid4().hex[:8]
    consumers = [
        EventConsumer(
            db,
            platform,
            spec,
            service="procurement",
            bootstrap_servers=bootstrap_servers,
            group_id=f"procurement.{spec.name}.rebuild-{run_id}",
        )
        for spec in (ORGANISATIONS, SCORES)
    ]
    tasks = [asyncio.create_task(c.run()) for c in consumers]
    # Joining a group takes a while: idleness counts once events flow, or after startup_s (empty topics).
    seen, idle, waited = 0, 0.0, 0.0
    while idle < idle_s:
        await asyncio.sleep(0.25)
        waited += 0.25
        total = sum(c.processed for c in consumers)
        started = total > 0 or waited >= startup_s
        idle = idle + 0.25 if started and total == seen else 0.0
        seen = total
    for consumer in consumers:
        consumer.stop()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout=30)
    return seen
