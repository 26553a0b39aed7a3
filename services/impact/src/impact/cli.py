"""`localwealth impact ...`: api, worker, migrate, events, import (with a progress bar)."""

from __future__ import annotations

from localwealth_shared.service_cli import service_cli

from impact.config import SERVICE_ROOT, get_settings
from impact.db import platform
from impact.worker import main as worker_main

app = service_cli(
    name="impact",
    settings_factory=get_settings,
    app_path="impact.main:create_app",
    service_root=SERVICE_ROOT,
    worker_main=worker_main,  # type: ignore[arg-type]
    tables_factory=lambda: platform,
)
