"""Driver-level bulk inserts store what the ORM would, skip stored and repeated keys, and stay in the
session's transaction (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from localwealth_shared.bulk import insert_new
from localwealth_shared.db import Database, make_metadata
from localwealth_shared.ids import uuid7s
from localwealth_shared.sqltypes import JSONDoc, UTCDateTime
from sqlalchemy import BigInteger, Column, Date, String, Table, UniqueConstraint, insert, select

metadata = make_metadata()
THINGS = Table(
    "things",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(20), nullable=False),
    Column("key", String(20), nullable=False),
    Column("day", Date),
    Column("at", UTCDateTime),
    Column("pence", BigInteger),
    Column("doc", JSONDoc),
    UniqueConstraint("tenant_id", "key"),
)
COLUMNS = ("id", "tenant_id", "key", "day", "at", "pence", "doc")
AT = datetime(2026, 12, 1, 23, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


def row(key: str, tenant: str = "t1", pence: int = 100) -> tuple[object, ...]:
    return (str(uuid.uuid4()), tenant, key, date(2017, 4, 1), AT, pence, {"k": [key]})


async def test_inserts_new_rows_and_skips_stored_and_repeated_keys(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(insert(THINGS), [dict(zip(COLUMNS, row("a", pence=1), strict=True))])  # via the ORM
    rows = [row("a", pence=2), row("b"), row("b", pence=3), row("a", tenant="t2")]
    async with db.transaction() as session:
        assert (await insert_new(session, THINGS, COLUMNS, rows, conflict=("tenant_id", "key"))).count == 2
        assert (await insert_new(session, THINGS, COLUMNS, [], conflict=("tenant_id", "key"))).count == 0
    async with db.reader() as session:
        stored = {(r.tenant_id, r.key): r for r in (await session.execute(select(THINGS))).all()}
    assert sorted(stored) == [("t1", "a"), ("t1", "b"), ("t2", "a")]
    assert stored["t1", "a"].pence == 1  # the stored row is kept
    assert stored["t1", "b"].pence == 100  # the first of two rows with one key wins
    # Values read back exactly as the ORM's own insert stores them.
    for r in stored.values():
        assert (r.day, r.at, r.doc) == (date(2017, 4, 1), AT, {"k": [r.key]})


async def test_a_rolled_back_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await insert_new(session, THINGS, COLUMNS, [row("a"), row("b")], conflict=("tenant_id", "key"))
            raise RuntimeError("the batch failed after the insert")
    async with db.reader() as session:
        assert (await session.execute(select(THINGS))).all() == []
    async with db.transaction() as session:  # the same call again, after the failure, in a new transaction
        assert (await insert_new(session, THINGS, COLUMNS, [row("a")], conflict=("tenant_id", "key"))).count == 1


async def test_the_stored_rows_that_skipped_rows_matched_are_read_back(db: Database) -> None:
    first = [row("a", pence=1), row("b", pence=2)]
    async with db.transaction() as session:
        await insert_new(session, THINGS, COLUMNS, first, conflict=("tenant_id", "key"))
    again = [row("a", pence=5), row("c"), row("b", pence=6), row("b", tenant="t2")]
    async with db.transaction() as session:
        inserted = await insert_new(
            session, THINGS, COLUMNS, again, conflict=("tenant_id", "key"), existing=("id", "key", "pence")
        )
        none_skipped = await insert_new(
            session, THINGS, COLUMNS, [row("d")], conflict=("tenant_id", "key"), existing=("id", "key")
        )
    assert inserted.count == 2
    assert sorted(tuple(r) for r in inserted.existing) == sorted([(first[0][0], "a", 1), (first[1][0], "b", 2)])
    assert (none_skipped.count, none_skipped.existing) == (1, [])


def test_uuid7s_are_version_7_unique_and_increasing_across_calls() -> None:
    ids = uuid7s(5_000) + uuid7s(1) + uuid7s(3_000)
    parsed = [uuid.UUID(i) for i in ids]
    assert {(u.version, u.variant) for u in parsed} == {(7, uuid.RFC_4122)}
    assert [str(u) for u in parsed] == ids  # canonical form
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    millis = parsed[0].int >> 80
    assert abs(millis - datetime.now(UTC).timestamp() * 1000) < 60_000
