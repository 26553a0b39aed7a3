"""Check that a service's migrations create exactly what its models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from localwealth_shared.db import create_engine


async def schema_drift(database_url: str, metadata: MetaData) -> list[Any]:
    """What autogenerate would still do against a migrated database (empty when models and migrations agree)."""
    engine = create_engine(database_url, immediate=False)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), metadata))
    await engine.dispose()
    return list(diff)
