"""Registry settings (env prefix `REGISTRY_`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from localwealth_shared.settings import ServiceSettings, service_config

SERVICE_ROOT = Path(__file__).resolve().parents[2]  # services/registry: alembic.ini and migrations/


class RegistrySettings(ServiceSettings):
    model_config = service_config("REGISTRY_")
    service_name: ClassVar[str] = "registry"
    default_port: ClassVar[int] = 8001

    database_url: str = "sqlite+aiosqlite:///var/registry.db"
    gateway_url: str | None = None
    # Where derived-flag rules come from (JSON, see docs); empty = the documented defaults.
    flag_rules_file: Path | None = None
    # Order of schemes for `canonical_identifier`; others follow alphabetically.
    canonical_priority: tuple[str, ...] = ("GB-COH", "GB-CHC", "GB-SC", "GB-NIC", "GB-MPR")
    # Forgiving name search: minimum rapidfuzz score (0–100) for a typo-tolerant match.
    name_search_min_score: int = 80
    import_batch_size: int = 500


def get_settings() -> RegistrySettings:
    return RegistrySettings()
