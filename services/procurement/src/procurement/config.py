"""Procurement settings (env prefix `PROCUREMENT_`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from localwealth_shared.settings import ServiceSettings, service_config

SERVICE_ROOT = Path(__file__).resolve().parents[2]  # services/procurement: alembic.ini and migrations/


class ProcurementSettings(ServiceSettings):
    model_config = service_config("PROCUREMENT_")
    service_name: ClassVar[str] = "procurement"
    default_port: ClassVar[int] = 8002

    database_url: str = "sqlite+aiosqlite:///var/procurement.db"
    gateway_url: str | None = None
    # Prefix of the OCDS ids this service mints for tenders created through the API (`<prefix>-<uuid>`).
    ocid_prefix: str = "ocds-lwealth"
    # Date-versioned procurement thresholds (CSV, see rules/thresholds.py); empty = the bundled table.
    thresholds_file: Path | None = None


def get_settings() -> ProcurementSettings:
    return ProcurementSettings()
