"""Bulk inserts for imports of hundreds of thousands of rows: insert those whose key is new, skip the rest.

SQLAlchemy's executemany path converts every parameter of every row in Python (about 30 µs a row for a
20-column table); here rows go straight to the driver, into a temporary table without indexes (PostgreSQL:
binary `COPY`; SQLite: `executemany`), then into the real table with one INSERT … SELECT … ON CONFLICT DO
NOTHING. Values pass through the columns' own bind processors first, so what is stored is exactly what the
ORM would store, and it all happens in the session's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

Row = Sequence[Any]


def _processors(table: Table, columns: Sequence[str], dialect: Dialect) -> list[tuple[int, Callable[[Any], Any]]]:
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for i, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)  # what the ORM applies
        if processor is not None:
            found.append((i, processor))
    return found


def _bound(rows: Sequence[Row], processors: list[tuple[int, Callable[[Any], Any]]]) -> list[Row]:
    """The rows with each processed column's values converted, column by column: a column repeats its values
    (one timestamp on every row, a few thousand dates), and each distinct value is converted once (values
    that compare equal, such as 1 and 1.0, convert alike)."""
    if not processors or not rows:
        return list(rows)
    columns = list(zip(*rows, strict=True))
    for i, processor in processors:
        try:
            converted = {value: processor(value) for value in set(columns[i])}
            columns[i] = tuple(converted[value] for value in columns[i])
        except TypeError:  # unhashable values (JSON documents): nothing to share
            columns[i] = tuple(processor(value) for value in columns[i])
    return list(zip(*columns, strict=True))


def _quoted(dialect: Dialect, names: Sequence[str]) -> str:
    return ", ".join(dialect.identifier_preparer.quote(name) for name in names)


def bind_rows(table: Table, columns: Sequence[str], rows: Sequence[Row], dialect: Dialect) -> list[Row]:
    """`rows` with their values as the ORM would pass them to the driver; done by `insert_new` unless given
    `bound=True` (a caller may bind in another thread while it writes an earlier batch)."""
    return _bound(rows, _processors(table, columns, dialect))


@dataclass
class Inserted:
    count: int  # rows inserted
    # With `existing=…`: those columns, as the driver returns them, of the stored rows that rows were skipped for.
    existing: list[Row] = field(default_factory=list)


async def insert_new(
    session: AsyncSession,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Row],
    conflict: Sequence[str],
    *,
    bound: bool = False,
    existing: Sequence[str] = (),
) -> Inserted:
    """Insert `rows` (values in `columns` order) except those whose `conflict` columns match a stored row (or
    an earlier row of the same call). `existing`: columns to read back, in the same statement's transaction
    and from the same staged rows, of the stored rows that skipped ones matched; the table's primary key must
    be among `columns`, and a row is read back only if its key differs from the skipped row's."""
    if not rows:
        return Inserted(0)
    dialect = session.get_bind().dialect
    if not bound:
        rows = bind_rows(table, columns, rows, dialect)
    target, names = dialect.identifier_preparer.format_table(table), _quoted(dialect, columns)
    on_conflict = f"ON CONFLICT ({_quoted(dialect, conflict)}) DO NOTHING"
    stage = f"bulk_stage_{table.name}"
    if dialect.name == "sqlite":
        # Staged too: the executemany (which takes the GIL back for every row it binds) only fills a table
        # without indexes; the insert into the real one's indexes is one statement that runs without the GIL,
        # while other threads (an import's parser) get on.
        driver = await _driver(session)
        await driver.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} AS SELECT {names} FROM {target} WHERE 0")
        await driver.execute(f"DELETE FROM {stage}")  # the previous call's rows
        await driver.executemany(f"INSERT INTO {stage} VALUES ({', '.join('?' * len(columns))})", rows)
        cursor = await driver.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} WHERE true {on_conflict}"
        )
        inserted = Inserted(int(cursor.rowcount))
        if existing and inserted.count < len(rows):
            cursor = await driver.execute(_existing_sql(dialect, table, target, stage, conflict, existing))
            inserted.existing = list(await cursor.fetchall())
        return inserted
    if dialect.name != "postgresql":
        raise NotImplementedError(f"bulk insert on {dialect.name}")
    # Created through the session so that it begins the transaction the driver-level COPY then runs in.
    await session.execute(
        text(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {target} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    )
    await session.execute(text(f"TRUNCATE {stage}"))
    driver = await _driver(session)
    await driver.copy_records_to_table(stage, records=rows, columns=list(columns))
    result = await session.execute(text(f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} {on_conflict}"))
    inserted = Inserted(int(result.rowcount))  # type: ignore[attr-defined]
    if existing and inserted.count < len(rows):
        found = await session.execute(text(_existing_sql(dialect, table, target, stage, conflict, existing)))
        inserted.existing = list(found.all())
    return inserted


def _existing_sql(
    dialect: Dialect, table: Table, target: str, stage: str, conflict: Sequence[str], existing: Sequence[str]
) -> str:
    """The stored rows that staged rows matched on `conflict` but are not (another primary key)."""
    quote = dialect.identifier_preparer.quote
    (key,) = (quote(c.name) for c in table.primary_key.columns)
    matched = " AND ".join(f"t.{quote(name)} = s.{quote(name)}" for name in conflict)
    wanted = ", ".join(f"t.{quote(name)}" for name in existing)
    return f"SELECT {wanted} FROM {stage} s JOIN {target} t ON {matched} WHERE t.{key} <> s.{key}"


async def _driver(session: AsyncSession) -> Any:
    """The driver's own connection (aiosqlite / asyncpg) under the session's, inside its transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection
