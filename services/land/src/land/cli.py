"""`localwealth land ...`: api, worker, migrate, events."""

from __future__ import annotations

from localwealth_shared.service_cli import service_cli

from land.config import SERVICE_ROOT, get_settings
from land.db import platform
from land.worker import main as worker_main

app = service_cli(
    name="land",
    settings_factory=get_settings,
    app_path="land.main:create_app",
    service_root=SERVICE_ROOT,
    worker_main=worker_main,  # type: ignore[arg-type]
    tables_factory=lambda: platform,
)
