"""The activity consumer over the real broker: procurement and land events become facts once each, an event
that names no council is dead-lettered after its retries, and the consumer carries on."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from impact.activity.consumer import ACTIVITY_CONSUMER
from impact.config import ImpactSettings
from impact.db import ActivityFact, platform
from localwealth_shared.broker import EmbeddedBroker
from localwealth_shared.db import Database
from localwealth_shared.events.consumer import EventConsumer, dlq_topic, read_topic
from localwealth_shared.events.envelope import CloudEvent
from sqlalchemy import select

pytestmark = pytest.mark.broker


async def test_facts_once_each_and_dead_letters_an_event_without_a_council(
    running_broker: EmbeddedBroker, impact_settings: ImpactSettings, unique_name: str
) -> None:
    topics = {name: f"{unique_name}.{name}" for name in ("procurement.tender", "land.transfer")}
    spec = dataclasses.replace(ACTIVITY_CONSUMER, name=unique_name, topics=list(topics.values()))
    db = Database(impact_settings.database_url)
    consumer = EventConsumer(
        db, platform, spec, service="impact", bootstrap_servers=running_broker.bootstrap_servers, max_attempts=2,
        retry_backoff_s=0.05,
    )  # fmt: skip
    tender = CloudEvent(
        type="org.localwealth.procurement.tender.published.v1",
        source="/localwealth/procurement",
        data={"id": "t1", "ocid": "ocds-x-t1", "version": 1, "buyer": {"tenant_id": "E07000178"},
              "reservation": {"scope": "local_area"}, "lots": [{"id": "1"}, {"id": "2"}]},
    )  # fmt: skip
    orphan = CloudEvent(
        type="org.localwealth.land.transfer.completed.v1",
        source="/localwealth/land",
        data={"id": "cat-9", "asset_id": "a9", "organisation_id": "o9", "version": 3, "transfer_type": "lease"},
    )
    producer = AIOKafkaProducer(bootstrap_servers=running_broker.bootstrap_servers)
    await producer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for topic, event in ((topics["procurement.tender"], tender), (topics["procurement.tender"], tender),
                             (topics["land.transfer"], orphan)):  # fmt: skip
            await producer.send_and_wait(topic, value=event.encoded_data(), key=b"k", headers=event.kafka_headers())
        facts: list[Any] = []
        for _ in range(150):
            async with db.reader() as session:
                facts = list((await session.scalars(select(ActivityFact))).all())
            if facts:
                break
            await asyncio.sleep(0.1)
        assert [(f.kind, f.subject_id, f.attributes["reserved"], f.attributes["lots"]) for f in facts] == [
            ("tender", "t1", True, 2)
        ]  # fmt: skip
        dead: list[Any] = []
        for _ in range(100):
            if dead := await read_topic(running_broker.bootstrap_servers, dlq_topic(topics["land.transfer"])):
                break
            await asyncio.sleep(0.2)
        assert [dict(r.headers)["ce_id"].decode() for r in dead] == [orphan.id]
        assert "names no council" in dict(dead[0].headers).get("dlq_error", b"").decode()
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)
        await producer.stop()
        await db.dispose()
