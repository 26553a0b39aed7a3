"""The body of every service's `migrations/env.py`: online migrations over the async engine."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from localwealth_shared.db import create_engine


def run(target_metadata: MetaData) -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migrations")

    def do_run(connection: Connection) -> None:
        render_as_batch = connection.dialect.name == "sqlite"  # SQLite needs batch mode for ALTER TABLE
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=render_as_batch, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_engine(url, immediate=False)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    _run_in_fresh_loop(run_async())


def _run_in_fresh_loop(coro: Any) -> None:
    """Alembic is synchronous; when called from a running loop (tests, `make run`), use a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
