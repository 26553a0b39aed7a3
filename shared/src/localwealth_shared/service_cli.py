"""The `localwealth <service> ...` commands every service shares: api, worker, migrate, events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from localwealth_shared.settings import ServiceSettings

console = Console()


def service_cli(
    *,
    name: str,
    settings_factory: Callable[[], ServiceSettings],
    app_path: str,
    service_root: Path,
    worker_main: Callable[[ServiceSettings], None] | None = None,
    tables_factory: Callable[[], object] | None = None,
) -> typer.Typer:
    app = typer.Typer(help=f"The {name} service.", no_args_is_help=True)

    @app.command()
    def api(host: str = "127.0.0.1", port: int | None = None, workers: int = 1) -> None:
        """Serve the HTTP API."""
        import uvicorn

        settings = settings_factory()
        uvicorn.run(
            app_path,
            factory=True,
            host=host,
            port=port or settings.default_port,
            workers=workers,
            log_config=None,
            proxy_headers=True,
            server_header=False,
        )

    @app.command()
    def migrate(revision: str = "head") -> None:
        """Apply database migrations (run once before starting new versions)."""
        from localwealth_shared.migrations import upgrade

        settings = settings_factory()
        upgrade(service_root, settings.database_url, revision)
        console.print(f"[green]{name}: migrated to {revision}[/green]")

    @app.command()
    def healthcheck(
        worker: bool = typer.Option(False, "--worker", help="check the worker's metrics endpoint instead of the API"),
        path: str = typer.Option("/readyz", help="the API path to GET (the gateway uses /healthz)"),
    ) -> None:
        """Exit 0 when this container's process answers on 127.0.0.1 (for Docker and compose health checks)."""
        import httpx

        settings = settings_factory()
        if worker and not settings.worker_metrics_port:
            console.print(f"{name}: no worker metrics port configured ({name.upper()}_WORKER_METRICS_PORT)")
            raise typer.Exit(1)
        port = settings.worker_metrics_port if worker else settings.default_port
        url = f"http://127.0.0.1:{port}{'/metrics' if worker else path}"
        try:
            httpx.get(url, timeout=4).raise_for_status()
        except httpx.HTTPError as exc:
            console.print(f"{name}: {url} unhealthy: {exc}")
            raise typer.Exit(1) from exc

    if worker_main is not None:

        @app.command()
        def worker() -> None:
            """Run the outbox relay, event consumers and background jobs."""
            worker_main(settings_factory())

    if tables_factory is not None:
        events = typer.Typer(help="Inspect and replay events.", no_args_is_help=True)
        app.add_typer(events, name="events")

        @events.command("republish")
        def republish(since: datetime | None = None, event_type: str | None = typer.Option(None, "--type")) -> None:
            """Send already-published outbox events again (e.g. to rebuild consumers on a fresh broker)."""
            from localwealth_shared.db import Database
            from localwealth_shared.events.outbox import mark_for_republish

            settings = settings_factory()

            async def go() -> int:
                db = Database(settings.database_url)
                try:
                    return await mark_for_republish(db, tables_factory(), since=since, event_type=event_type)  # type: ignore[arg-type]
                finally:
                    await db.dispose()

            console.print(f"{asyncio.run(go())} events queued for re-publishing")

        @events.command("dlq")
        def dlq(topic: str) -> None:
            """List the dead-lettered messages of a topic."""
            from localwealth_shared.events.consumer import dlq_topic, read_topic

            settings = settings_factory()
            records = asyncio.run(read_topic(settings.kafka_bootstrap_servers, dlq_topic(topic)))
            table = Table("offset", "ce_id", "ce_type", "consumer", "error")
            for r in records:
                h = {k: v.decode(errors="replace") for k, v in (r.headers or ())}
                table.add_row(
                    str(r.offset),
                    h.get("ce_id", "?"),
                    h.get("ce_type", "?"),
                    h.get("dlq_consumer", ""),
                    h.get("dlq_error", "")[:120],
                )
            console.print(table)

        @events.command("replay-dlq")
        def replay_dlq(topic: str, event_id: str | None = None) -> None:
            """Re-publish dead-lettered messages to their original topic (consumers skip what they applied)."""
            from localwealth_shared.events.consumer import replay_dead_letters

            settings = settings_factory()
            count = asyncio.run(replay_dead_letters(settings.kafka_bootstrap_servers, topic, event_id=event_id))
            console.print(f"replayed {count} message(s) from {topic}.dlq")

    return app
