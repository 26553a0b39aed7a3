"""Land settings (env prefix `LAND_`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from localwealth_shared.settings import ServiceSettings, service_config

SERVICE_ROOT = Path(__file__).resolve().parents[2]  # services/land: alembic.ini and migrations/


class LandSettings(ServiceSettings):
    model_config = service_config("LAND_")
    service_name: ClassVar[str] = "land"
    default_port: ClassVar[int] = 8003

    database_url: str = "sqlite+aiosqlite:///var/land.db"
    gateway_url: str | None = None
    # Commencement of the proposed Community Right to Buy regime (12-month moratorium); empty = not in force.
    crtb_effective_from: date | None = None
    # How often the worker looks for ACV clocks that have ended.
    clock_check_interval_s: float = 60.0


def get_settings() -> LandSettings:
    return LandSettings()
