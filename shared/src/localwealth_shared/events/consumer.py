"""Idempotent consumers: inbox in the same transaction as the effects, offsets committed afterwards.

For every message: parse the CloudEvent (unparseable → dead-letter at once), then in one transaction
skip it if the inbox already has its `ce_id`, else apply the handler and record the id. A handler that
keeps failing is retried `max_attempts` times with back-off, then the message goes to `<topic>.dlq` with
the error in its headers and the consumer moves on. Offsets are committed only after each batch's
transactions, so a consumer killed mid-batch re-reads at most that batch and the inbox drops repeats.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from localwealth_shared.events.envelope import CloudEvent, EnvelopeError
from localwealth_shared.events.outbox import make_producer
from localwealth_shared.observability import context
from localwealth_shared.observability.metrics import EVENTS_CONSUMED, EVENTS_DEAD_LETTERED
from localwealth_shared.platform_tables import PlatformTables

logger = logging.getLogger("localwealth.consumer")

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]

DLQ_SUFFIX = ".dlq"
# How long the broker may hold a fetch when no data is waiting: bounds the delivery latency of an
# event that arrives into an idle partition (aiokafka defaults to 500 ms).
FETCH_MAX_WAIT_MS = 50


class BrokerForgotOffsets(Exception):
    pass


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


@dataclass(frozen=True)
class ConsumerSpec:
    """A named consumer (its Kafka group and inbox namespace) of some topics.

    Give `handler` (called per event) or `batch_handler` (called once per fetched batch with the new,
    relevant events in order — for read models that apply many events with bulk statements).
    """

    name: str
    topics: Sequence[str]
    handler: Handler | None = None
    # Event types to apply; others on the same topic are recorded as seen and skipped.
    types: frozenset[str] | None = None
    batch_handler: BatchHandler | None = None

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.batch_handler is None):
            raise ValueError("a consumer needs exactly one of handler or batch_handler")

    async def apply(self, session: AsyncSession, events: list[CloudEvent]) -> None:
        if self.batch_handler is not None:
            if events:
                await self.batch_handler(session, events)
            return
        assert self.handler is not None
        for event in events:
            tokens = context.bind(None, context.child_traceparent(event.traceparent))
            try:
                await self.handler(session, event)
            finally:
                context.unbind(tokens)


class EventConsumer:
    def __init__(
        self,
        db: Database,
        tables: PlatformTables,
        spec: ConsumerSpec,
        *,
        service: str,
        bootstrap_servers: str,
        max_attempts: int = 5,
        retry_backoff_s: float = 0.2,
        group_id: str | None = None,
    ) -> None:
        self.db = db
        self.inbox = tables.inbox
        self.spec = spec
        self.service = service
        self.bootstrap_servers = bootstrap_servers
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self.group_id = group_id or f"{service}.{spec.name}"
        self._stopping = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self.processed = 0
        self._committed: dict[TopicPartition, int] = {}

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                await self._consume()
                backoff = 0.2
            except (TimeoutError, KafkaError, OSError, BrokerForgotOffsets) as exc:
                logger.warning("consumer %s lost the broker, retrying in %.1fs: %s", self.spec.name, backoff, exc)
                await self._close()
                try:
                    await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
                except TimeoutError:
                    pass
                backoff = min(backoff * 2, 5.0)
        await self._close()

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            *self.spec.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=f"{self.service}-{self.spec.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=6000,
            heartbeat_interval_ms=500,
            metadata_max_age_ms=5000,
            max_poll_records=500,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        self._consumer = consumer
        await asyncio.wait_for(consumer.start(), timeout=15)
        logger.info("consumer %s started on %s", self.spec.name, ", ".join(self.spec.topics))
        self._committed.clear()
        loop = asyncio.get_running_loop()
        next_check = loop.time() + 2.0
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            if batches:
                for records in batches.values():
                    await self.handle_batch(records)
                # Right before committing, make sure this is still the broker we committed to: if it restarted
                # with no memory, our positions are stale (records it now holds below them would be skipped),
                # and committing them there would hide that from every later check.
                await self._check_broker_memory(consumer)
                offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
                await consumer.commit(offsets)
                self._committed.update(offsets)
            if loop.time() >= next_check:
                await self._check_broker_memory(consumer)
                next_check = loop.time() + 2.0

    async def _check_broker_memory(self, consumer: AIOKafkaConsumer) -> None:
        """Detect a broker that lost its state (the memory-only dev broker after a restart).

        Our in-memory positions would then point past messages the relay re-published from offset 0;
        starting over from the (now empty) committed offsets re-reads them and the inbox drops repeats.
        Bounded: while the broker is down `committed()` waits for a coordinator indefinitely.
        """
        for tp, ours in list(self._committed.items()):
            theirs = await asyncio.wait_for(consumer.committed(tp), timeout=10)
            if theirs is None or theirs < ours:
                raise BrokerForgotOffsets(f"{tp.topic}[{tp.partition}] committed {ours}, broker has {theirs}")

    async def _close(self) -> None:
        for closer in (self._consumer, self._dlq_producer):
            if closer is not None:
                try:
                    await asyncio.wait_for(closer.stop(), timeout=5)
                except Exception:
                    logger.debug("client stop failed", exc_info=True)
        self._consumer = None
        self._dlq_producer = None

    async def handle_batch(self, records: list[ConsumerRecord[Any, Any]]) -> None:
        """Apply a partition's fetched records in one transaction (one inbox look-up, one commit).

        If anything in the batch fails, the transaction is rolled back and the records are taken one by
        one, each in its own transaction with retries and the dead-letter path, so a single bad event
        neither blocks nor drags down the others.
        """
        events: list[tuple[ConsumerRecord[Any, Any], CloudEvent]] = []
        for record in records:
            try:
                events.append((record, CloudEvent.from_kafka(record.headers, record.value)))
            except EnvelopeError as exc:
                await self.dead_letter(record, f"unparseable: {exc}", attempts=0)
        if not events:
            return
        try:
            outcomes = await self.apply_many([event for _, event in events])
        except Exception as exc:
            logger.info(
                "consumer %s: batch of %d failed (%s); retrying its events one by one", self.spec.name, len(events), exc
            )
            for record, _ in events:
                await self.handle_record(record)
            return
        for (record, _), outcome in zip(events, outcomes, strict=True):
            EVENTS_CONSUMED.labels(self.service, self.spec.name, record.topic, outcome).inc()
        self.processed += len(events)

    async def apply_many(self, events: list[CloudEvent]) -> list[str]:
        """Apply events exactly once in one transaction; an outcome per event."""
        async with self.db.transaction() as session:
            seen = set(
                (
                    await session.execute(
                        select(self.inbox.c.event_id).where(
                            self.inbox.c.consumer == self.spec.name, self.inbox.c.event_id.in_([e.id for e in events])
                        )
                    )
                ).scalars()
            )
            outcomes: list[str] = []
            inbox_rows: list[dict[str, Any]] = []
            to_apply: list[CloudEvent] = []
            for event in events:
                if event.id in seen:
                    outcomes.append("duplicate")
                    continue
                seen.add(event.id)
                relevant = self.spec.types is None or event.type in self.spec.types
                if relevant:
                    to_apply.append(event)
                inbox_rows.append(
                    {
                        "consumer": self.spec.name,
                        "event_id": event.id,
                        "event_type": event.type,
                        "processed_at": utcnow(),
                    }
                )
                outcomes.append("applied" if relevant else "ignored")
            await self.spec.apply(session, to_apply)
            if inbox_rows:
                await session.execute(self.inbox.insert(), inbox_rows)
        return outcomes

    async def handle_record(self, record: ConsumerRecord[Any, Any]) -> None:
        try:
            event = CloudEvent.from_kafka(record.headers, record.value)
        except EnvelopeError as exc:
            await self.dead_letter(record, f"unparseable: {exc}", attempts=0)
            return
        tokens = context.bind(None, context.child_traceparent(event.traceparent))
        try:
            last_error: Exception | None = None
            for attempt in range(1, self.max_attempts + 1):
                try:
                    outcome = await self.apply(event)
                    EVENTS_CONSUMED.labels(self.service, self.spec.name, record.topic, outcome).inc()
                    self.processed += 1
                    return
                except Exception as exc:
                    last_error = exc
                    logger.warning(
                        "consumer %s failed on %s (attempt %d/%d): %s",
                        self.spec.name,
                        event.id,
                        attempt,
                        self.max_attempts,
                        exc,
                    )
                    if attempt < self.max_attempts:
                        await asyncio.sleep(self.retry_backoff_s * 2 ** (attempt - 1))
            await self.dead_letter(record, f"{type(last_error).__name__}: {last_error}", attempts=self.max_attempts)
        finally:
            context.unbind(tokens)

    async def apply(self, event: CloudEvent) -> str:
        """Apply one event exactly once; returns 'applied', 'duplicate' or 'ignored'."""
        async with self.db.transaction() as session:
            seen = (
                await session.execute(
                    select(self.inbox.c.event_id).where(
                        self.inbox.c.consumer == self.spec.name, self.inbox.c.event_id == event.id
                    )
                )
            ).first()
            if seen:
                return "duplicate"
            relevant = self.spec.types is None or event.type in self.spec.types
            if relevant:
                await self.spec.apply(session, [event])
            await session.execute(
                self.inbox.insert().values(
                    consumer=self.spec.name, event_id=event.id, event_type=event.type, processed_at=utcnow()
                )
            )
        return "applied" if relevant else "ignored"

    async def dead_letter(self, record: ConsumerRecord[Any, Any], error: str, *, attempts: int) -> None:
        headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
        headers += [
            ("dlq_error", error[:2000].encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer", self.group_id.encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", utcnow().isoformat().encode()),
        ]
        if self._dlq_producer is None:
            self._dlq_producer = make_producer(self.bootstrap_servers, f"{self.service}-{self.spec.name}-dlq")
            await self._dlq_producer.start()
        # Not committed until the DLQ has it: if this send fails the batch is re-read, nothing is dropped.
        await self._dlq_producer.send_and_wait(
            dlq_topic(record.topic), value=record.value, key=record.key, headers=headers
        )
        EVENTS_DEAD_LETTERED.labels(self.service, self.spec.name, record.topic).inc()
        logger.error(
            "consumer %s dead-lettered %s@%d:%d: %s",
            self.spec.name,
            record.topic,
            record.partition,
            record.offset,
            error,
        )


async def read_topic(bootstrap_servers: str, topic: str, *, timeout_s: float = 5.0) -> list[ConsumerRecord[Any, Any]]:
    """Every message currently in a topic (no consumer group): for DLQ inspection and replay."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        out: list[ConsumerRecord[Any, Any]] = []
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            positions = [await consumer.position(tp) for tp in tps]
            if all(pos >= end[tp] for pos, tp in zip(positions, tps, strict=True)):
                break
            if asyncio.get_running_loop().time() > deadline:
                break
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                out.extend(records)
        return out
    finally:
        await consumer.stop()


async def replay_dead_letters(bootstrap_servers: str, topic: str, *, event_id: str | None = None) -> int:
    """Re-publish DLQ messages of `topic` to the topic they came from (keeping their ce_id)."""
    records = await read_topic(bootstrap_servers, dlq_topic(topic))
    producer = make_producer(bootstrap_servers, "localwealth-dlq-replay")
    await producer.start()
    count = 0
    try:
        for record in records:
            headers = dict(record.headers or ())
            if event_id is not None and headers.get("ce_id", b"").decode() != event_id:
                continue
            original = headers.get("dlq_original_topic", topic.encode()).decode()
            clean = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
            clean.append(("dlq_replayed_at", utcnow().isoformat().encode()))
            await producer.send_and_wait(original, value=record.value, key=record.key, headers=clean)
            count += 1
    finally:
        await producer.stop()
    return count
