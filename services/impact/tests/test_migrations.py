"""The migrations create exactly what the models describe (so autogenerate would find nothing to do)."""

from __future__ import annotations

from impact.config import ImpactSettings
from impact.db import Base
from localwealth_shared.testing.migrations import schema_drift


async def test_models_and_migrations_agree(impact_settings: ImpactSettings) -> None:
    assert await schema_drift(impact_settings.database_url, Base.metadata) == []
