"""Registry write → consumer-applied latency at a paced 200 writes/s, through the real broker.

The registry API runs in this process (ASGI, its own database), its worker — the outbox relay — in a
separate process as in production, and an idempotent consumer (inbox + handler) in this process records
the wall-clock time each organisation's `registered` event is applied. Latency = applied − the moment the
POST returned (the change was committed). Usage: bench/event_latency.py [--rate 200] [--seconds 15]
Targets (SPEC §9): p50 ≤ 50 ms, p99 ≤ 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import record, summary_ms

os.environ.setdefault("LOCALWEALTH_ENV", "development")

from localwealth_shared.broker import EmbeddedBroker, free_port
from localwealth_shared.db import Database
from localwealth_shared.events.consumer import ConsumerSpec, EventConsumer
from localwealth_shared.migrations import upgrade
from registry.config import SERVICE_ROOT, RegistrySettings
from registry.db import platform
from registry.main import create_app

ROOT = Path(__file__).resolve().parents[1]


async def run(rate: int, seconds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker(port=free_port()) as broker:
        registry_url = f"sqlite+aiosqlite:///{tmp}/registry.db"
        consumer_url = f"sqlite+aiosqlite:///{tmp}/consumer.db"
        upgrade(SERVICE_ROOT, registry_url)
        upgrade(SERVICE_ROOT, consumer_url)  # reuse the registry schema for the consumer's inbox table
        env = {
            **os.environ,
            "REGISTRY_DATABASE_URL": registry_url,
            "LOCALWEALTH_LOG_LEVEL": "WARNING",
            "LOCALWEALTH_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "localwealth_shared.cli", "registry", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        app = create_app(RegistrySettings(database_url=registry_url, log_level="WARNING", log_json=False))
        applied_at: dict[str, float] = {}

        async def handler(_session, event) -> None:  # type: ignore[no-untyped-def]
            applied_at[str(event.subject)] = time.time()

        consumer_db = Database(consumer_url)
        consumer = EventConsumer(
            consumer_db,
            platform,
            ConsumerSpec("latency", ["registry.organisation"], handler),
            service="bench",
            bootstrap_servers=broker.bootstrap_servers,
        )
        consumer_task = asyncio.create_task(consumer.run())
        returned_at: dict[str, float] = {}
        sent_at: dict[str, float] = {}
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app),
                base_url="http://registry",
                headers={"Authorization": "Bearer dev-admin-key"},
            ) as client:
                # Warm up: the first event creates the topic and the consumer joins its group.
                await client.post("/api/v1/organisations", json={"name": "Warm-up Co-op"})
                deadline = time.monotonic() + 60
                while not applied_at and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                applied_at.clear()
                total = rate * seconds

                async def write(i: int) -> None:
                    t_send = time.time()
                    resp = await client.post("/api/v1/organisations", json={"name": f"Latency Co-op {i}"})
                    org_id = resp.json()["id"]
                    sent_at[org_id], returned_at[org_id] = t_send, time.time()

                # Open loop: a write starts every 1/rate s whether or not earlier ones have finished.
                started = time.monotonic()
                writes = []
                for i in range(total):
                    delay = started + i / rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    writes.append(asyncio.create_task(write(i)))
                await asyncio.gather(*writes)
                achieved = total / (time.monotonic() - started)
                deadline = time.monotonic() + 60
                while len([k for k in returned_at if k in applied_at]) < total and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
        finally:
            consumer.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(consumer_task, timeout=20)
            worker.terminate()
            worker.wait(timeout=20)
            await consumer_db.dispose()
            await app.state.db.dispose()
    after_commit = [applied_at[k] - returned_at[k] for k in returned_at if k in applied_at]
    after_send = [applied_at[k] - sent_at[k] for k in sent_at if k in applied_at]
    commit_stats = summary_ms(after_commit)
    return {
        "target_rate_per_s": rate,
        "achieved_rate_per_s": round(achieved, 1),
        "writes": len(returned_at),
        "delivered": len(after_commit),
        "latency_from_commit": commit_stats,
        "latency_from_send": summary_ms(after_send),
        "targets": {"p50_ms": 50, "p99_ms": 250},
        "met": commit_stats["p50_ms"] <= 50 and commit_stats["p99_ms"] <= 250,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    record(f"event_latency_sqlite_{args.rate}_per_s", asyncio.run(run(args.rate, args.seconds)))


if __name__ == "__main__":
    main()
