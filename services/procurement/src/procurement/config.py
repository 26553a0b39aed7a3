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
    # Alert webhooks: attempts before a delivery is marked failed, and the first retry delay (doubling).
    webhook_max_attempts: int = 6
    webhook_backoff_s: float = 5.0
    webhook_timeout_s: float = 10.0


def get_settings() -> ProcurementSettings:
    return ProcurementSettings()
