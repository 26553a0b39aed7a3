"""A spend file's batches, parsed and prepared (`SpendPreparer`) ahead of the writer that stores them.

A small file is prepared by a thread. A large one is prepared by a child process, on the other core: in a
thread, parsing holds the interpreter's lock most of the time, and the writer's every database call then
waits for it (an import of 1,000,000 lines spent more time waiting than writing). Either way at most
`READ_AHEAD` prepared batches wait for the writer, and the same batches come out; only compact rows cross
from the child, never the records (unpickling those cost as much as parsing them).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading
import traceback
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from sqlalchemy.engine import URL, Dialect

from impact.spend.parse import Period, SpendFileError, SpendStream, open_spend_file
from impact.spend.prepare import Prepared, SpendPreparer

BATCH = 10_000
READ_AHEAD = 3  # prepared batches waiting for the writer (~3 MB each)
PROCESS_FROM_BYTES = 8 << 20  # ~60,000 lines: starting the process (~1 s) is then a small part of the import
T = TypeVar("T")


@dataclass
class PreparedFile:
    total: int  # records in the file (every non-blank row below the header)
    notes: list[str]  # how its layout was read
    batches: AsyncIterator[Prepared]


@dataclass(frozen=True)
class _Job:
    """How to prepare the file (what the preparing process is told, besides the content: sent as raw bytes)."""

    filename: str | None
    period: Period | None
    tenant_id: str
    source: str
    dialect: tuple[str, str]  # (name, driver): the child builds its own, for the same bind processors
    batch: int


@asynccontextmanager
async def prepared_file(
    content: bytes, *, filename: str | None, period: Period | None, tenant_id: str, source: str, dialect: Dialect
) -> AsyncIterator[PreparedFile]:
    """The file opened (`SpendFileError` if it cannot be read as spend) and its batches being prepared; when
    the block ends, early or not, the thread and any process are stopped."""
    job = _Job(filename, period, tenant_id, source, (dialect.name, dialect.driver), BATCH)
    if len(content) < PROCESS_FROM_BYTES:
        stream, batches = _prepare(content, job, dialect)
        async with _read_ahead(batches) as ahead:
            yield PreparedFile(stream.total, stream.notes, ahead)
        return
    context = multiprocessing.get_context("spawn")  # not fork: this process has threads and an event loop
    ours, theirs = context.Pipe()
    child = context.Process(target=_prepare_in_child, args=(theirs, job), name="spend-preparer", daemon=True)
    child.start()
    theirs.close()
    try:
        with suppress(BrokenPipeError):  # a child that failed to start: `_receive` says so
            await asyncio.to_thread(ours.send_bytes, content)
        total, notes = _opened(await asyncio.to_thread(_receive, ours))
        async with _read_ahead(_received_batches(ours)) as ahead:
            yield PreparedFile(total, notes, ahead)
    finally:
        ours.close()  # a child still sending stops with a broken pipe
        await asyncio.to_thread(child.join, 5)
        if child.is_alive():
            child.kill()
            await asyncio.to_thread(child.join)


def _prepare_in_child(conn: Connection, job: _Job) -> None:
    """The child process: the file's layout, then each prepared batch, then "end"; or what went wrong."""
    try:
        content = conn.recv_bytes()
        try:
            stream, batches = _prepare(content, job, _dialect(*job.dialect))
        except SpendFileError as exc:
            conn.send(("file_error", str(exc)))
            return
        conn.send(("opened", (stream.total, stream.notes)))
        for prepared in batches:
            conn.send(("batch", prepared))
        conn.send(("end", None))
    except (BrokenPipeError, EOFError):
        return  # the parent stopped listening: its import ended
    except BaseException:
        with suppress(OSError):  # the parent may be gone too
            conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def _prepare(content: bytes, job: _Job, dialect: Dialect) -> tuple[SpendStream, Iterator[Prepared]]:
    """The file opened (`SpendFileError` if it is not spend), and its batches prepared as they are taken."""
    stream = open_spend_file(content, filename=job.filename, period=job.period)
    preparer = SpendPreparer(job.tenant_id, job.source, dialect)
    return stream, (preparer.prepare(batch) for batch in stream.batches(job.batch))


def _dialect(name: str, driver: str) -> Dialect:
    dialect: Dialect = URL.create(f"{name}+{driver}").get_dialect()()
    return dialect


def _receive(conn: Connection) -> tuple[str, Any]:
    try:
        kind, value = conn.recv()
    except EOFError:
        raise RuntimeError("the spend preparing process ended before the end of the file") from None
    if kind == "error":
        raise RuntimeError(f"the spend preparing process failed:\n{value}")
    if kind == "file_error":
        raise SpendFileError(value)
    return kind, value


def _opened(message: tuple[str, Any]) -> tuple[int, list[str]]:
    kind, value = message
    if kind != "opened":
        raise RuntimeError(f"the spend preparing process sent {kind!r} before the file's layout")
    total, notes = value
    return total, notes


def _received_batches(conn: Connection) -> Iterator[Prepared]:
    while (message := _receive(conn))[0] == "batch":
        yield message[1]


@asynccontextmanager
async def _read_ahead(items: Iterator[T], depth: int = READ_AHEAD) -> AsyncIterator[AsyncIterator[T]]:
    """`items` in order, taken by a thread up to `depth` ahead of the caller: while the caller waits for the
    database, the thread goes on preparing (or receiving) the next ones. The thread is stopped on exit."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("end", None))
        except Exception as exc:  # the caller raises it, as if it had made the item itself
            put(("error", exc))

    async def taken() -> AsyncIterator[T]:
        while True:
            kind, value = await asyncio.to_thread(ready.get)
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value

    thread = threading.Thread(target=produce, name="spend-preparer", daemon=True)
    thread.start()
    try:
        yield taken()
    finally:
        stop.set()
        await asyncio.to_thread(thread.join)
