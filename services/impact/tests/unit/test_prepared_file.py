"""A spend file prepared in a child process comes out exactly as one prepared in a thread; the child's failures
reach the caller; the child never outlives the import."""

from __future__ import annotations

import gzip
import multiprocessing
from collections.abc import Iterator
from typing import Any

import pytest
from impact.spend import prepared_file as module
from impact.spend.parse import Period, SpendFileError
from impact.spend.prepare import LINE_COLUMNS, Prepared
from impact.spend.prepared_file import prepared_file
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.dialects.sqlite.aiosqlite import dialect as aiosqlite_dialect
from sqlalchemy.engine import Dialect

from ..conftest import OXFORD_FILES

# Columns made fresh on every preparation: the line's id and its timestamps.
FRESH = {LINE_COLUMNS.index(name) for name in ("id", "created_at", "updated_at")}
DIALECTS = {"sqlite": aiosqlite_dialect(), "postgresql": asyncpg_dialect()}


@pytest.fixture(params=["thread", "process"])
def preparing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(module, "BATCH", 700)  # several batches, one of them partly full
    monkeypatch.setattr(module, "PROCESS_FROM_BYTES", 0 if request.param == "process" else 1 << 40)
    yield request.param
    assert not multiprocessing.active_children()


async def prepare_all(content: bytes, dialect: Dialect, **options: Any) -> tuple[int, list[str], list[Prepared]]:
    options = {"filename": "spend.csv", "period": None, **options}
    async with prepared_file(content, tenant_id="t-1", source="file", dialect=dialect, **options) as spend_file:
        return spend_file.total, spend_file.notes, [batch async for batch in spend_file.batches]


def comparable(batches: list[Prepared]) -> list[Any]:
    return [
        ([tuple(v for i, v in enumerate(row) if i not in FRESH) for row in b.rows], b.suppliers, b.errors, b.records,
         b.rejected)
        for b in batches
    ]  # fmt: skip


@pytest.mark.parametrize("database", DIALECTS)
async def test_a_child_process_prepares_what_a_thread_prepares(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "BATCH", 700)
    path = next(p for p in OXFORD_FILES if "jan-mar-2014" in p.name)  # with its junk line
    content = gzip.decompress(path.read_bytes())
    period = Period.parse("2014-01-01/2014-03-31")  # crosses to the child too
    monkeypatch.setattr(module, "PROCESS_FROM_BYTES", 1 << 40)
    in_thread = await prepare_all(content, DIALECTS[database], period=period)
    monkeypatch.setattr(module, "PROCESS_FROM_BYTES", 0)
    in_child = await prepare_all(content, DIALECTS[database], period=period)
    assert in_child[:2] == in_thread[:2]
    assert comparable(in_child[2]) == comparable(in_thread[2])
    assert len(in_thread[2]) > 2 and any(b.errors for b in in_thread[2])  # several batches; the junk line
    assert sum(b.records for b in in_thread[2]) == in_thread[0]


async def test_a_file_that_is_not_spend_is_refused_either_way(preparing: str) -> None:
    with pytest.raises(SpendFileError, match="amount"):
        await prepare_all(b"name,colour\nfoo,blue\n", DIALECTS["sqlite"])


async def test_the_child_s_failure_reaches_the_caller(preparing: str) -> None:
    broken = aiosqlite_dialect()
    broken.driver = "no-such-driver"  # the child cannot build the dialect
    content = b"Paid Date,Supplier Name,Amount\n01/03/2017,ACME LTD,10.00\n"
    if preparing == "thread":  # the thread uses the dialect it is given
        assert (await prepare_all(content, broken))[0] == 1
        return
    with pytest.raises(RuntimeError, match="no-such-driver"):
        await prepare_all(content, broken)


async def test_leaving_early_stops_the_child(preparing: str) -> None:
    content = gzip.decompress(OXFORD_FILES[0].read_bytes())
    async with prepared_file(
        content, filename="spend.csv", period=None, tenant_id="t-1", source="file", dialect=DIALECTS["sqlite"]
    ) as spend_file:
        first = await anext(spend_file.batches)
    assert first.records == 700
    # the fixture asserts that no child is left
