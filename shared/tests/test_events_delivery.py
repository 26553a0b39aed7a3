"""Outbox → broker → idempotent consumer, with the real Tansu broker and a real database.

Faults: broker stopped during writes, consumer killed mid-stream, poison messages, failing handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from localwealth_shared.broker import EmbeddedBroker
from localwealth_shared.db import Database
from localwealth_shared.events.consumer import ConsumerSpec, EventConsumer, read_topic, replay_dead_letters
from localwealth_shared.events.outbox import Outbox, OutboxRelay, mark_for_republish
from localwealth_shared.testing.eventing import (
    EventingSchema,
    counting_batch_handler,
    counting_handler,
    create_schema,
    eventing_schema,
    projection_rows,
)

pytestmark = pytest.mark.broker


async def dead_letters(pipeline: Pipeline, count: int) -> list[ConsumerRecord[Any, Any]]:
    """The DLQ of the pipeline's topic once it holds `count` messages.

    Dead-lettering is asynchronous to the other partitions: events on another partition may be applied
    before the failed one reaches the DLQ, so wait for it rather than reading the DLQ once.
    """
    dead: list[ConsumerRecord[Any, Any]] = []

    async def arrived() -> bool:
        dead[:] = await read_topic(pipeline.broker.bootstrap_servers, pipeline.topic + ".dlq", timeout_s=1.0)
        return len(dead) >= count

    await wait_until(arrived)
    return dead


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


class Pipeline:
    """One service writing events through its outbox, and one consumer applying them."""

    def __init__(self, db: Database, schema: EventingSchema, broker: EmbeddedBroker, service: str) -> None:
        self.db, self.schema, self.broker, self.service = db, schema, broker, service
        self.outbox = Outbox(schema.tables, service)
        self.event_type = f"org.localwealth.{service}.thing.changed.v1"
        self.topic = f"{service}.thing"
        self.tasks: list[asyncio.Task[None]] = []
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None

    async def write(self, seq: int, key: str | None = None) -> None:
        async with self.db.transaction() as session:
            await self.outbox.add(session, self.event_type, key or f"k{seq}", {"key": key or f"k{seq}", "seq": seq})

    def start_relay(self) -> None:
        self.relay = OutboxRelay(
            self.db,
            self.schema.tables,
            service=self.service,
            bootstrap_servers=self.broker.bootstrap_servers,
            max_backoff_s=0.5,
        )
        self.tasks.append(asyncio.create_task(self.relay.run()))

    def start_consumer(self, handler=None, max_attempts: int = 3, batch: bool = False) -> EventConsumer:  # type: ignore[no-untyped-def]
        if batch:
            spec = ConsumerSpec(
                name="projector", topics=[self.topic], batch_handler=counting_batch_handler(self.schema)
            )
        else:
            spec = ConsumerSpec(name="projector", topics=[self.topic], handler=handler or counting_handler(self.schema))
        self.consumer = EventConsumer(
            self.db,
            self.schema.tables,
            spec,
            service=self.service,
            bootstrap_servers=self.broker.bootstrap_servers,
            max_attempts=max_attempts,
            retry_backoff_s=0.01,
        )
        self.tasks.append(asyncio.create_task(self.consumer.run()))
        return self.consumer

    async def stop(self) -> None:
        for worker in (self.relay, self.consumer):
            if worker is not None:
                worker.stop()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=15)
        await self.db.dispose()


@pytest.fixture
async def pipeline(database_url: str, running_broker: EmbeddedBroker, unique_name: str):  # type: ignore[no-untyped-def]
    schema = eventing_schema()
    db = await create_schema(database_url, schema)
    p = Pipeline(db, schema, running_broker, unique_name)
    yield p
    await p.stop()


@pytest.mark.parametrize("batch", [False, True], ids=["per-event-handler", "batch-handler"])
async def test_every_event_is_applied_exactly_once(pipeline: Pipeline, batch: bool) -> None:
    for seq in range(200):
        await pipeline.write(seq)
    pipeline.start_relay()
    consumer = pipeline.start_consumer(batch=batch)

    async def all_applied() -> bool:
        return len(await projection_rows(pipeline.db, pipeline.schema)) == 200

    await wait_until(all_applied)
    rows = await projection_rows(pipeline.db, pipeline.schema)
    assert set(rows.values()) == {1}

    # Everything published again (same ce_ids, as after a relay crash before marking): the inbox skips it all.
    assert await mark_for_republish(pipeline.db, pipeline.schema.tables) == 200

    async def redelivered() -> bool:
        return consumer.processed >= 400

    await wait_until(redelivered)
    assert set((await projection_rows(pipeline.db, pipeline.schema)).values()) == {1}


async def test_writes_while_the_broker_is_down_are_delivered_after_it_restarts(pipeline: Pipeline) -> None:
    pipeline.start_relay()
    pipeline.start_consumer()
    await pipeline.write(0)

    async def first_applied() -> bool:
        return len(await projection_rows(pipeline.db, pipeline.schema)) == 1

    await wait_until(first_applied)
    pipeline.broker.stop()
    for seq in range(1, 101):
        await pipeline.write(seq)
    await asyncio.sleep(1.0)  # the relay keeps failing and backing off meanwhile
    assert pipeline.relay is not None and await pipeline.relay.pending_count() == 100
    pipeline.broker.start()

    async def all_applied() -> bool:
        return len(await projection_rows(pipeline.db, pipeline.schema)) == 101

    await wait_until(all_applied, timeout=60)
    assert set((await projection_rows(pipeline.db, pipeline.schema)).values()) == {1}
    assert await pipeline.relay.pending_count() == 0


async def test_a_consumer_killed_mid_stream_applies_everything_once_after_restart(pipeline: Pipeline) -> None:
    for seq in range(300):
        await pipeline.write(seq)
    pipeline.start_relay()
    consumer = pipeline.start_consumer()

    async def some_applied() -> bool:
        return consumer.processed >= 50

    await wait_until(some_applied)
    # Kill it abruptly: cancel the task without a graceful stop, offsets of the current batch uncommitted.
    task = pipeline.tasks.pop()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await consumer._close()
    applied_before_restart = len(await projection_rows(pipeline.db, pipeline.schema))
    assert applied_before_restart < 300

    pipeline.start_consumer()

    async def all_applied() -> bool:
        return len(await projection_rows(pipeline.db, pipeline.schema)) == 300

    await wait_until(all_applied, timeout=60)
    assert set((await projection_rows(pipeline.db, pipeline.schema)).values()) == {1}


async def test_a_poison_message_goes_to_the_dlq_and_the_consumer_carries_on(pipeline: Pipeline) -> None:
    pipeline.start_relay()
    pipeline.start_consumer()
    producer = AIOKafkaProducer(bootstrap_servers=pipeline.broker.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(pipeline.topic, value=b"{not json", key=b"x", headers=[("ce_specversion", b"1.0")])
    finally:
        await producer.stop()
    await pipeline.write(1)

    async def good_one_applied() -> bool:
        return len(await projection_rows(pipeline.db, pipeline.schema)) == 1

    await wait_until(good_one_applied)
    dead = await dead_letters(pipeline, 1)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["dlq_original_topic"].decode() == pipeline.topic
    assert b"unparseable" in headers["dlq_error"]


async def test_a_failing_handler_dead_letters_after_retries_and_replay_applies_it(pipeline: Pipeline) -> None:
    broken = {"on": True}
    counting = counting_handler(pipeline.schema)

    async def flaky(session, event):  # type: ignore[no-untyped-def]
        if broken["on"] and event.data["seq"] == 2:
            raise RuntimeError("downstream rule rejected seq 2")
        await counting(session, event)

    pipeline.start_relay()
    pipeline.start_consumer(handler=flaky, max_attempts=3)
    for seq in range(1, 4):
        await pipeline.write(seq)

    async def others_applied() -> bool:
        return set(await projection_rows(pipeline.db, pipeline.schema)) == {"k1", "k3"}

    await wait_until(others_applied)
    dead = await dead_letters(pipeline, 1)
    assert len(dead) == 1 and b"downstream rule rejected" in dict(dead[0].headers)["dlq_error"]

    broken["on"] = False
    assert await replay_dead_letters(pipeline.broker.bootstrap_servers, pipeline.topic) == 1

    async def all_applied() -> bool:
        return set(await projection_rows(pipeline.db, pipeline.schema)) == {"k1", "k2", "k3"}

    await wait_until(all_applied)
    assert set((await projection_rows(pipeline.db, pipeline.schema)).values()) == {1}
