"""A tiny service schema for exercising the event machinery: platform tables plus a projection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from localwealth_shared.db import Database, make_metadata
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.platform_tables import PlatformTables, define_platform_tables


@dataclass
class EventingSchema:
    metadata: MetaData
    tables: PlatformTables
    projection: Table


def eventing_schema() -> EventingSchema:
    metadata = make_metadata()
    tables = define_platform_tables(metadata)
    projection = Table(
        "projection",
        metadata,
        Column("key", String(100), primary_key=True),
        Column("applied", Integer, nullable=False),
        Column("last_seq", Integer, nullable=False),
    )
    return EventingSchema(metadata, tables, projection)


async def create_schema(url: str, schema: EventingSchema) -> Database:
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(schema.metadata.create_all)
    return db


def counting_handler(schema: EventingSchema):  # type: ignore[no-untyped-def]
    """Counts applications per key: any duplicate application shows as applied > 1."""

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        key = str(event.data["key"])
        row = (await session.execute(select(schema.projection).where(schema.projection.c.key == key))).first()
        if row is None:
            await session.execute(schema.projection.insert().values(key=key, applied=1, last_seq=event.data["seq"]))
        else:
            await session.execute(
                update(schema.projection)
                .where(schema.projection.c.key == key)
                .values(applied=row.applied + 1, last_seq=event.data["seq"])
            )

    return handler


def counting_batch_handler(schema: EventingSchema):  # type: ignore[no-untyped-def]
    """The same projection applied a batch at a time with one bulk upsert, as a read model should."""

    async def handler(session: AsyncSession, events: list[CloudEvent]) -> None:
        dialect = session.bind.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(schema.projection)
        stmt = stmt.on_conflict_do_update(
            index_elements=[schema.projection.c.key],
            set_={"applied": schema.projection.c.applied + 1, "last_seq": stmt.excluded.last_seq},
        )
        rows = [{"key": str(e.data["key"]), "applied": 1, "last_seq": e.data["seq"]} for e in events]
        await session.execute(stmt, rows)

    return handler


async def projection_rows(db: Database, schema: EventingSchema) -> dict[str, int]:
    async with db.reader() as session:
        rows = (await session.execute(select(schema.projection))).all()
    return {r.key: r.applied for r in rows}


async def aclose(db: Database) -> AsyncIterator[None]:
    yield
    await db.dispose()
