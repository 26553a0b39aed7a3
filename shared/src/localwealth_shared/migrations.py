"""Run a service's Alembic migrations against a URL (a one-shot step before the service starts)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(service_root: Path, database_url: str) -> Config:
    """`service_root` holds alembic.ini and migrations/; in images LOCALWEALTH_ALEMBIC_CONFIG points at them."""
    ini = Path(os.environ.get("LOCALWEALTH_ALEMBIC_CONFIG", service_root / "alembic.ini"))
    config = Config(str(ini))
    config.set_main_option("script_location", str(ini.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(service_root: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service_root, database_url), revision)
