"""`localwealth impact ...`: api, worker, migrate, events, import (with a progress bar)."""

from __future__ import annotations

from pathlib import Path

import typer
from localwealth_shared.import_cli import DEFAULT_KEY, DEFAULT_URL, upload_and_follow
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


@app.command("import")
def import_spend(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    period: str | None = typer.Option(None, help="YYYY-MM-DD/YYYY-MM-DD, for a file whose rows lost their dates"),
    url: str = typer.Option(DEFAULT_URL, help="Gateway or impact URL"),
    key: str = typer.Option(DEFAULT_KEY, help="The council's API key"),
) -> None:
    """Import a council spend file (any LGTC layout), showing progress; prints the counts and row errors."""
    upload_and_follow(
        path, url=url, key=key, endpoint="/api/v1/spend/imports", data={"period": period} if period else {}
    )
