"""Transactional outbox: an event is a row written in the same transaction as the change it describes.

`Outbox.add` is called by domain services inside their unit of work; `OutboxRelay` (in the worker
process) publishes pending rows in id order with `acks="all"`, marks them published, and backs off while
the broker is unreachable. A row is marked only after the broker acknowledged it, so a crash at any point
can cause a re-send (consumers deduplicate by `ce_id`) but never a loss.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.client import ConnectionGroup
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.protocol.metadata import MetadataRequest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.observability import context
from localwealth_shared.observability.metrics import EVENTS_PUBLISHED, OUTBOX_PENDING
from localwealth_shared.platform_tables import PlatformTables

logger = logging.getLogger("localwealth.outbox")


class Outbox:
    """Writes events into the service's outbox table within the caller's session."""

    def __init__(self, tables: PlatformTables, service: str) -> None:
        self.table = tables.outbox
        self.source = f"/localwealth/{service}"

    def build(self, event_type: str, key: str, data: Mapping[str, Any], *, subject: str | None = None) -> CloudEvent:
        return CloudEvent(
            type=event_type,
            source=self.source,
            data=data,
            subject=subject or key,
            traceparent=context.current_traceparent() or context.new_traceparent(),
        )

    async def add(
        self, session: AsyncSession, event_type: str, key: str, data: Mapping[str, Any], *, subject: str | None = None
    ) -> CloudEvent:
        event = self.build(event_type, key, data, subject=subject)
        await session.execute(self.table.insert().values(**self.row(event, key)))
        return event

    async def add_many(self, session: AsyncSession, events: list[tuple[CloudEvent, str]]) -> None:
        if events:
            await session.execute(self.table.insert(), [self.row(e, k) for e, k in events])

    @staticmethod
    def row(event: CloudEvent, key: str) -> dict[str, Any]:
        return {
            "event_id": event.id,
            "topic": event.topic,
            "key": key,
            "type": event.type,
            "source": event.source,
            "subject": event.subject,
            "time": event.time,
            "payload": event.encoded_data(),
            "traceparent": event.traceparent,
            "created_at": utcnow(),
        }


def event_from_row(row: Any) -> CloudEvent:
    import orjson

    return CloudEvent(
        type=row.type,
        source=row.source,
        data=orjson.loads(row.payload),
        subject=row.subject,
        id=row.event_id,
        time=row.time,
        traceparent=row.traceparent,
    )


def make_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    # acks="all": a row is marked published only once every in-sync replica has it. No Kafka idempotence or
    # transactions (the dev broker lacks them); the outbox + inbox pair gives the guarantees instead.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        linger_ms=2,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
        max_batch_size=1_048_576,
    )


class BrokerSessionLost(KafkaError):
    """The broker connection was re-established while a batch was in flight (maybe a restarted broker)."""

    retriable = True


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        tables: PlatformTables,
        *,
        service: str,
        bootstrap_servers: str,
        poll_interval_s: float = 0.01,
        batch_size: int = 500,
        max_backoff_s: float = 5.0,
    ) -> None:
        self.db = db
        self.table = tables.outbox
        self.service = service
        self.bootstrap_servers = bootstrap_servers
        self.poll_interval_s = poll_interval_s
        self.batch_size = batch_size
        self.max_backoff_s = max_backoff_s
        self._producer: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self._leader_conn: AsyncConnection | None = None

    async def run(self) -> None:
        """Publish until `stop()`; survives broker outages."""
        await self._become_leader()
        backoff = 0.1
        try:
            while not self._stopping.is_set():
                try:
                    published = await self.publish_pending()
                    backoff = 0.1
                    if published == 0:
                        await self._sleep(self.poll_interval_s)
                except (TimeoutError, KafkaError, OSError) as exc:
                    logger.warning("broker unavailable, outbox relay backing off %.1fs: %s", backoff, exc)
                    await self._reset_producer()
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff_s)
        finally:
            await self._reset_producer()
            await self._resign_leadership()

    def stop(self) -> None:
        self._stopping.set()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.bootstrap_servers, f"{self.service}-outbox-relay")
            try:
                await asyncio.wait_for(producer.start(), timeout=10)
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _reset_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                await asyncio.wait_for(producer.stop(), timeout=5)
            except Exception:
                logger.debug("producer stop failed", exc_info=True)

    async def publish_pending(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        async with self.db.reader() as session:
            rows = (
                await session.execute(
                    select(self.table)
                    .where(self.table.c.published_at.is_(None))
                    .order_by(self.table.c.id)
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            return 0
        producer = await self._producer_started()
        topics = sorted({row.topic for row in rows})
        # Guard against a broker that forgot everything (the memory-only dev broker after a restart). Tansu
        # accepts a Produce to a topic it does not know (a producer that outlived the restart still has the
        # old partitions cached, so it never asks for metadata) and acks it; the topic is then auto-created
        # by the next metadata request that names it (typically a consumer's), and that creation resets the
        # partitions' watermarks, so the acked records become unreadable: marked published, never delivered.
        # So: 1) before each batch, name its topics in a metadata request to the broker we are about to
        # publish to, which creates any that are missing *before* a record lands in them; 2) after the acks,
        # check that the connections used were not re-established meanwhile (a broker restarted mid-batch)
        # and if they were, leave the rows pending so the next attempt re-publishes them (consumers
        # deduplicate by ce_id, so a re-send is harmless, a loss is not).
        connections = await self._ensure_topics(producer, topics)
        futures = []
        for row in rows:
            event = event_from_row(row)
            futures.append(
                await producer.send(row.topic, value=row.payload, key=row.key.encode(), headers=event.kafka_headers())
            )
        await asyncio.wait_for(asyncio.gather(*futures), timeout=30)
        if self._reconnected_since(producer, connections):
            raise BrokerSessionLost("the broker connection was re-established during the batch; re-publishing it")
        ids = [row.id for row in rows]
        async with self.db.transaction() as session:
            await session.execute(update(self.table).where(self.table.c.id.in_(ids)).values(published_at=utcnow()))
        for row in rows:
            EVENTS_PUBLISHED.labels(self.service, row.topic).inc()
        return len(rows)

    async def _ensure_topics(self, producer: AIOKafkaProducer, topics: list[str]) -> dict[Any, Any]:
        """One metadata round trip naming `topics` (auto-creating missing ones) before publishing to them.

        Raises when the broker is unreachable or a topic is still unavailable (the relay then backs off).
        Returns a snapshot of the producer's broker connections, for `_reconnected_since`.
        """
        client = producer.client
        node_id = client.get_random_node()
        if node_id is None:
            raise KafkaConnectionError("no broker known to the outbox relay's producer")
        response = await asyncio.wait_for(
            client.send(node_id, MetadataRequest(topics, allow_auto_topic_creation=True)), timeout=10
        )
        known = {t[1]: (t[0], t[-1]) for t in response.topics}  # name -> (error_code, partitions)
        missing = [t for t in topics if t not in known or known[t][0] != 0 or not known[t][1]]
        if missing:
            raise KafkaConnectionError(f"topics not available on the broker yet: {', '.join(missing)}")
        # aiokafka keeps one connection per (broker, group) and replaces it when it reconnects (private
        # attribute, read defensively: without it the post-ack check is skipped, the pre-flight still holds).
        return dict(getattr(client, "_conns", {}))

    @staticmethod
    def _reconnected_since(producer: AIOKafkaProducer, connections: dict[Any, Any]) -> bool:
        """Whether a broker connection open at the pre-flight was dropped or replaced since."""
        now = getattr(producer.client, "_conns", {})
        for (node_id, group), conn in connections.items():
            if node_id == "bootstrap" or group != ConnectionGroup.DEFAULT:
                continue
            current = now.get((node_id, group))
            if current is not conn or not current.connected():
                return True
        return False

    async def pending_count(self) -> int:
        async with self.db.reader() as session:
            count = (
                await session.execute(
                    select(func.count()).select_from(self.table).where(self.table.c.published_at.is_(None))
                )
            ).scalar_one()
        OUTBOX_PENDING.labels(self.service).set(count)
        return int(count)

    async def _become_leader(self) -> None:
        """On PostgreSQL only one relay per service publishes (keeps per-key order); others stand by."""
        if self.db.is_sqlite:
            return
        lock_id = zlib.crc32(f"localwealth-outbox-{self.service}".encode())
        while not self._stopping.is_set():
            conn = await self.db.engine.connect()
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id})).scalar()
            await conn.commit()  # the lock is session-level; don't sit idle in a transaction
            if got:
                self._leader_conn = conn
                logger.info("outbox relay is the active publisher for %s", self.service)
                return
            await conn.close()
            await self._sleep(2.0)

    async def _resign_leadership(self) -> None:
        if self._leader_conn is not None:
            await self._leader_conn.close()
            self._leader_conn = None


async def mark_for_republish(
    db: Database, tables: PlatformTables, *, since: datetime | None = None, event_type: str | None = None
) -> int:
    """Reset published rows so the relay sends them again (rebuilding consumers' read models on a fresh broker)."""
    stmt = update(tables.outbox).where(tables.outbox.c.published_at.is_not(None))
    if since is not None:
        stmt = stmt.where(tables.outbox.c.created_at >= since)
    if event_type is not None:
        stmt = stmt.where(tables.outbox.c.type == event_type)
    async with db.transaction() as session:
        result = await session.execute(stmt.values(published_at=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
