"""`localwealth procurement ...`: api, worker, migrate, events, suppliers rebuild."""

from __future__ import annotations

import asyncio

import typer
from localwealth_shared.service_cli import service_cli

from procurement.config import SERVICE_ROOT, get_settings
from procurement.db import platform
from procurement.worker import main as worker_main

app = service_cli(
    name="procurement",
    settings_factory=get_settings,
    app_path="procurement.main:create_app",
    service_root=SERVICE_ROOT,
    worker_main=worker_main,
    tables_factory=lambda: platform,
)

suppliers = typer.Typer(help="The matching engine's supplier read model.", no_args_is_help=True)
app.add_typer(suppliers, name="suppliers")


@suppliers.command("rebuild")
def rebuild_suppliers(idle_s: float = 3.0) -> None:
    """Clear the supplier read model and replay registry and impact events from the start."""
    from localwealth_shared.db import Database

    from procurement.suppliers.rebuild import rebuild

    settings = get_settings()

    async def go() -> int:
        db = Database(settings.database_url)
        try:
            return await rebuild(db, settings.kafka_bootstrap_servers, idle_s=idle_s)
        finally:
            await db.dispose()

    typer.echo(f"replayed {asyncio.run(go())} events into the supplier read model")
