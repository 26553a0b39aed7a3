"""Outbox relay + idempotent consumer, end to end, on the real Tansu broker.

N events are written to a service outbox first; then the relay and a consumer (inbox + one projection
write per event, one transaction each) run together and we time from the first publish to the last
event applied. Relay-only and consumer-only rates are reported from the same run.

Usage: bench/event_throughput.py [--events 20000] [--pg]     Target (SPEC §9): ≥ 2,000 events/s end to end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from pathlib import Path

from common import record
from localwealth_shared.broker import EmbeddedBroker, free_port
from localwealth_shared.events.consumer import ConsumerSpec, EventConsumer
from localwealth_shared.events.outbox import Outbox, OutboxRelay
from localwealth_shared.testing.databases import temporary_database
from localwealth_shared.testing.eventing import counting_batch_handler, create_schema, eventing_schema
from sqlalchemy import func, select


async def run(n: int, pg: bool) -> dict[str, object]:
    if pg:
        os.environ.setdefault("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    service = f"bench{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker(port=free_port()) as broker:
        async with temporary_database(Path(tmp), "bench_events") as url:
            schema = eventing_schema()
            db = await create_schema(url, schema)
            outbox = Outbox(schema.tables, service)
            event_type = f"org.localwealth.{service}.thing.changed.v1"
            async with db.transaction() as session:
                for start in range(0, n, 2000):
                    batch = []
                    for seq in range(start, min(start + 2000, n)):
                        event = outbox.build(event_type, f"k{seq}", {"key": f"k{seq}", "seq": seq})
                        batch.append((event, f"k{seq}"))
                    await outbox.add_many(session, batch)
            relay = OutboxRelay(db, schema.tables, service=service, bootstrap_servers=broker.bootstrap_servers)
            consumer = EventConsumer(
                db,
                schema.tables,
                ConsumerSpec("projector", [f"{service}.thing"], batch_handler=counting_batch_handler(schema)),
                service=service,
                bootstrap_servers=broker.bootstrap_servers,
            )
            started = time.perf_counter()
            relay_task = asyncio.create_task(relay.run())
            consumer_task = asyncio.create_task(consumer.run())
            relay_done = None
            while consumer.processed < n:
                if relay_done is None and await relay.pending_count() == 0:
                    relay_done = time.perf_counter() - started
                await asyncio.sleep(0.05)
            total = time.perf_counter() - started
            relay.stop()
            consumer.stop()
            for task in (relay_task, consumer_task):
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout=20)
            async with db.reader() as session:
                applied, most = (
                    await session.execute(select(func.count(), func.max(schema.projection.c.applied)))
                ).one()
            await db.dispose()
    relay_done = relay_done or total
    return {
        "database": "postgresql" if pg else "sqlite",
        "events": n,
        "applied_exactly_once": applied == n and most == 1,
        "end_to_end_s": round(total, 2),
        "end_to_end_events_per_s": round(n / total),
        "relay_events_per_s": round(n / relay_done),
        "target_events_per_s": 2000,
        "met": n / total >= 2000,
        "note": "relay and consumer share one process and the machine's 2 cores with the broker",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.events, args.pg))
    record(f"event_throughput_{result['database']}", result)


if __name__ == "__main__":
    main()
