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
from aiokafka.errors import KafkaError
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
            type=event_type, source=self.source, data=data, subject=subject or key,
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
            "event_id": event.id, "topic": event.topic, "key": key, "type": event.type, "source": event.source,
            "subject": event.subject, "time": event.time, "payload": event.encoded_data(),
            "traceparent": event.traceparent, "created_at": utcnow(),
        }


def event_from_row(row: Any) -> CloudEvent:
    import orjson

    return CloudEvent(
        type=row.type, source=row.source, data=orjson.loads(row.payload), subject=row.subject, id=row.event_id,
        time=row.time, traceparent=row.traceparent,
    )


def make_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    # acks="all": a row is marked published only once every in-sync replica has it. No Kafka idempotence or
    # transactions (the dev broker lacks them); the outbox + inbox pair gives the guarantees instead.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, client_id=client_id, acks="all", linger_ms=2,
        request_timeout_ms=10_000, retry_backoff_ms=200, max_batch_size=1_048_576,
    )


class OutboxRelay:
    def __init__(
        self, db: Database, tables: PlatformTables, *, service: str, bootstrap_servers: str,
        poll_interval_s: float = 0.01, batch_size: int = 500, max_backoff_s: float = 5.0,
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
                except (KafkaError, OSError, asyncio.TimeoutError) as exc:
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
        except asyncio.TimeoutError:
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
            except Exception:  # noqa: BLE001 - a broken producer may fail to stop; it is discarded anyway
                logger.debug("producer stop failed", exc_info=True)

    async def publish_pending(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        async with self.db.reader() as session:
            rows = (
                await session.execute(
                    select(self.table).where(self.table.c.published_at.is_(None)).order_by(self.table.c.id)
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            return 0
        producer = await self._producer_started()
        futures = []
        for row in rows:
            event = event_from_row(row)
            futures.append(await producer.send(row.topic, value=row.payload, key=row.key.encode(),
                                               headers=event.kafka_headers()))
        await asyncio.wait_for(asyncio.gather(*futures), timeout=30)
        ids = [row.id for row in rows]
        async with self.db.transaction() as session:
            await session.execute(
                update(self.table).where(self.table.c.id.in_(ids)).values(published_at=utcnow())
            )
        for row in rows:
            EVENTS_PUBLISHED.labels(self.service, row.topic).inc()
        return len(rows)

    async def pending_count(self) -> int:
        async with self.db.reader() as session:
            count = (await session.execute(
                select(func.count()).select_from(self.table).where(self.table.c.published_at.is_(None))
            )).scalar_one()
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


async def mark_for_republish(db: Database, tables: PlatformTables, *, since: datetime | None = None,
                             event_type: str | None = None) -> int:
    """Reset published rows so the relay sends them again (rebuilding consumers' read models on a fresh broker)."""
    stmt = update(tables.outbox).where(tables.outbox.c.published_at.is_not(None))
    if since is not None:
        stmt = stmt.where(tables.outbox.c.created_at >= since)
    if event_type is not None:
        stmt = stmt.where(tables.outbox.c.type == event_type)
    async with db.transaction() as session:
        result = await session.execute(stmt.values(published_at=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
