"""The migrations create exactly what the models describe (so autogenerate would find nothing to do)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from localwealth_shared.db import create_engine
from registry.db import Base


async def test_models_and_migrations_agree(registry_settings) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(registry_settings.database_url, immediate=False)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    await engine.dispose()
    assert diff == []
