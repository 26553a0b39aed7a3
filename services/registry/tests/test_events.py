"""registry.organisation events: one per write, valid against the committed schema, delivered through Kafka."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import orjson
import pytest
from localwealth_shared.broker import EmbeddedBroker
from localwealth_shared.contracts import validation_errors
from localwealth_shared.events.consumer import ConsumerSpec, EventConsumer
from localwealth_shared.events.envelope import CloudEvent
from registry.db import platform
from registry.worker import run_worker
from sqlalchemy import select

from .test_organisations_api import OXFORD_COOP


async def outbox_rows(app) -> list:  # type: ignore[no-untyped-def]
    async with app.state.db.reader() as session:
        return list((await session.execute(select(platform.outbox).order_by(platform.outbox.c.id))).all())


async def test_each_write_produces_exactly_one_valid_event(client: httpx.AsyncClient, registry_app) -> None:
    created = (await client.post("/api/v1/organisations", json=OXFORD_COOP)).json()
    url = f"/api/v1/organisations/{created['id']}"
    await client.patch(url, json={"employees": 30})
    await client.patch(url, json={"employees": 30})  # no change → no event
    await client.post("/api/v1/organisations", json={"name": "Bad", "cpv_codes": ["nope"]})  # rejected → no event
    await client.delete(url)
    rows = await outbox_rows(registry_app)
    assert [r.type for r in rows] == [
        "org.localwealth.registry.organisation.registered.v1",
        "org.localwealth.registry.organisation.updated.v1",
        "org.localwealth.registry.organisation.deregistered.v1",
    ]
    for row in rows:
        payload = orjson.loads(row.payload)
        assert validation_errors(row.type, payload) == [], row.type
        assert row.key == created["id"] and row.topic == "registry.organisation"
    assert [orjson.loads(r.payload)["version"] for r in rows] == [1, 2, 3]


@pytest.mark.broker
async def test_events_reach_a_consumer_through_the_broker_with_cloudevents_headers(
    client: httpx.AsyncClient, registry_settings, running_broker: EmbeddedBroker, unique_name: str
) -> None:
    settings = registry_settings.model_copy(update={"kafka_bootstrap_servers": running_broker.bootstrap_servers})
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, stop))
    received: list[CloudEvent] = []

    async def collect(_session, event: CloudEvent) -> None:  # type: ignore[no-untyped-def]
        received.append(event)

    from localwealth_shared.db import Database

    consumer_db = Database(settings.database_url)
    consumer = EventConsumer(
        consumer_db,
        platform,
        ConsumerSpec(unique_name, ["registry.organisation"], collect),
        service="test",
        bootstrap_servers=running_broker.bootstrap_servers,
    )
    consumer_task = asyncio.create_task(consumer.run())
    try:
        created = [(await client.post("/api/v1/organisations", json={"name": f"Co-op {i}"})).json() for i in range(5)]
        ids = {c["id"] for c in created}
        deadline = asyncio.get_running_loop().time() + 30
        while {e.subject for e in received} != ids and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        ours = [e for e in received if e.subject in ids]
        assert len(ours) == 5
        for event in ours:
            assert event.type == "org.localwealth.registry.organisation.registered.v1"
            assert event.source == "/localwealth/registry"
            assert event.traceparent and event.traceparent.startswith("00-")
            assert validation_errors(event.type, dict(event.data)) == []
    finally:
        stop.set()
        consumer.stop()
        for task in (worker, consumer_task):
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=20)
        await consumer_db.dispose()
