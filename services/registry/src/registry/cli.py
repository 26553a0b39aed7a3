"""`localwealth registry ...`: api, worker, migrate, events, import (with a progress bar), postcodes."""

from __future__ import annotations

from localwealth_shared.service_cli import service_cli

from registry.config import SERVICE_ROOT, get_settings
from registry.db import platform
from registry.imports.cli import register_import_commands
from registry.worker import main as worker_main

app = service_cli(
    name="registry",
    settings_factory=get_settings,
    app_path="registry.main:create_app",
    service_root=SERVICE_ROOT,
    worker_main=worker_main,  # type: ignore[arg-type]
    tables_factory=lambda: platform,
)
register_import_commands(app)
