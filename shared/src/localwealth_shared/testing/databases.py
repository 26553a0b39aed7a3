"""Throw-away databases for tests: a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


def postgres_server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise RuntimeError(f"TEST_DATABASE_URL must be a PostgreSQL URL, got {url!r}")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


@asynccontextmanager
async def temporary_database(tmp_dir: Path, label: str = "test") -> AsyncIterator[str]:
    """Yield an async SQLAlchemy URL for an empty database that is removed afterwards."""
    server = postgres_server_url()
    if server is None:
        path = tmp_dir / f"{label}-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = f"lw_{label}_{uuid.uuid4().hex[:10]}".lower()
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def shared_data_dir() -> Path:
    """The real open data beside the repository (`../shared/data`), or LOCALWEALTH_DATA_DIR."""
    configured = os.environ.get("LOCALWEALTH_DATA_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[4].parent / "shared" / "data"
