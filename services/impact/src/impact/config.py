"""Impact settings (env prefix `IMPACT_`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from localwealth_shared.settings import ServiceSettings, service_config

SERVICE_ROOT = Path(__file__).resolve().parents[2]  # services/impact: alembic.ini and migrations/


class ImpactSettings(ServiceSettings):
    model_config = service_config("IMPACT_")
    service_name: ClassVar[str] = "impact"
    default_port: ClassVar[int] = 8004

    database_url: str = "sqlite+aiosqlite:///var/impact.db"
    gateway_url: str | None = None
    # Supplier reconciliation: a fuzzy name score (0–100) at or above `auto_match_score` links the supplier
    # at once; between `suggest_score` and it, the best candidates wait in the review queue.
    auto_match_score: float = 92.0
    suggest_score: float = 75.0


def get_settings() -> ImpactSettings:
    return ImpactSettings()
