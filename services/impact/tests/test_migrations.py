"""The migrations create exactly what the models describe (so autogenerate would find nothing to do)."""

from __future__ import annotations

from alembic import command
from impact.config import SERVICE_ROOT, ImpactSettings
from impact.db import Base
from localwealth_shared.clock import utcnow
from localwealth_shared.db import create_engine
from localwealth_shared.migrations import alembic_config, upgrade
from localwealth_shared.testing.migrations import schema_drift
from sqlalchemy import text


async def test_models_and_migrations_agree(impact_settings: ImpactSettings) -> None:
    assert await schema_drift(impact_settings.database_url, Base.metadata) == []


async def test_platform_v2_moves_uploads_out_of_the_job_row_and_back(database_url: str) -> None:
    """A job queued before the upgrade keeps its file: it moves to import_job_uploads, and back on downgrade."""
    upgrade(SERVICE_ROOT, database_url, "0004")
    engine = create_engine(database_url)
    insert_job = text(
        "INSERT INTO import_jobs (id, tenant_id, kind, status, content_sha256, content, options, processed, "
        "counts, error_count, created_at, updated_at) VALUES ('j1', 't1', 'impact.spend', 'queued', 'x', :content, "
        "'{}', 0, '{}', 0, :now, :now)"
    )
    try:
        async with engine.begin() as connection:
            await connection.execute(insert_job, {"content": b"Supplier,Amount\n", "now": utcnow()})
        upgrade(SERVICE_ROOT, database_url)
        async with engine.connect() as connection:
            moved = await connection.execute(text("SELECT job_id, content FROM import_job_uploads"))
            assert [tuple(row) for row in moved] == [("j1", b"Supplier,Amount\n")]
        command.downgrade(alembic_config(SERVICE_ROOT, database_url), "0004")
        async with engine.connect() as connection:
            back = await connection.execute(text("SELECT content FROM import_jobs WHERE id = 'j1'"))
            assert back.scalar_one() == b"Supplier,Amount\n"
    finally:
        await engine.dispose()
