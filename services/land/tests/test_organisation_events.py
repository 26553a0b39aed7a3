"""The `registry.organisation` consumer over the real broker: applied once, versions only move forward,
a poison message goes to the dead-letter topic and the consumer carries on."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import pytest
from aiokafka import AIOKafkaProducer
from land.config import LandSettings
from land.db import KnownOrganisation, platform
from land.organisations.read_model import ORGANISATIONS_CONSUMER
from localwealth_shared.broker import EmbeddedBroker
from localwealth_shared.db import Database
from localwealth_shared.events.consumer import EventConsumer, dlq_topic, read_topic
from localwealth_shared.events.envelope import CloudEvent
from sqlalchemy import select

from .conftest import registry_event

pytestmark = pytest.mark.broker


async def _send(producer: AIOKafkaProducer, topic: str, event: CloudEvent) -> None:
    await producer.send_and_wait(
        topic,
        value=event.encoded_data(),
        key=str(event.data.get("id", "poison")).encode(),
        headers=event.kafka_headers(),
    )


async def _wait_for(db: Database, predicate, timeout_s: float = 20.0) -> dict[str, KnownOrganisation]:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        async with db.reader() as session:
            rows = {o.id: o for o in (await session.scalars(select(KnownOrganisation))).all()}
        if predicate(rows) or asyncio.get_running_loop().time() > deadline:
            return rows
        await asyncio.sleep(0.1)


async def test_consumer_applies_each_event_once_in_version_order_and_dead_letters_poison(
    running_broker: EmbeddedBroker, land_settings: LandSettings, unique_name: str
) -> None:
    topic = f"{unique_name}.registry.organisation"
    spec = dataclasses.replace(ORGANISATIONS_CONSUMER, name=unique_name, topics=[topic])
    db = Database(land_settings.database_url)
    consumer = EventConsumer(
        db,
        platform,
        spec,
        service="land",
        bootstrap_servers=running_broker.bootstrap_servers,
        max_attempts=2,
        retry_backoff_s=0.05,
    )
    producer = AIOKafkaProducer(bootstrap_servers=running_broker.bootstrap_servers)
    await producer.start()
    task = asyncio.create_task(consumer.run())
    try:
        v2 = registry_event("charity_trust", members=30, version=2)
        org_id = str(v2.data["id"])
        v1 = registry_event("unincorporated_association", members=5, version=1, org_id=org_id)
        poison = CloudEvent(type="org.localwealth.registry.organisation.updated.v1", source="/test", data={"no": "id"})
        other = registry_event("parish_council")
        for event in (v2, v2, v1, poison, other):  # a duplicate, an older version, a poison message
            await _send(producer, topic, event)
        rows = await _wait_for(db, lambda r: {org_id, str(other.data["id"])} <= r.keys())
        assert rows[org_id].legal_form == "charity_trust" and rows[org_id].registry_version == 2
        assert rows[str(other.data["id"])].legal_form == "parish_council"
        dead = []
        for _ in range(100):  # the poison message reaches the DLQ after its retries
            if dead := await read_topic(running_broker.bootstrap_servers, dlq_topic(topic)):
                break
            await asyncio.sleep(0.2)
        assert [dict(r.headers)["ce_id"].decode() for r in dead] == [poison.id]
    finally:
        consumer.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 30)
        await producer.stop()
        await db.dispose()
