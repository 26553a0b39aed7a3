"""The migrations create exactly what the models describe (so autogenerate would find nothing to do)."""

from __future__ import annotations

from land.config import LandSettings
from land.db import Base
from localwealth_shared.testing.migrations import schema_drift


async def test_models_and_migrations_agree(land_settings: LandSettings) -> None:
    assert await schema_drift(land_settings.database_url, Base.metadata) == []
