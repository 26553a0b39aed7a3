"""The migrations create exactly what the models describe (so autogenerate would find nothing to do)."""

from __future__ import annotations

from localwealth_shared.testing.migrations import schema_drift
from registry.db import Base


async def test_models_and_migrations_agree(registry_settings) -> None:  # type: ignore[no-untyped-def]
    assert await schema_drift(registry_settings.database_url, Base.metadata) == []
