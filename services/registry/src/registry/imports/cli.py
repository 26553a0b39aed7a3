"""CLI import commands: upload through the API and follow the job with a progress bar; load ONS postcodes."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()


def register_import_commands(app: typer.Typer) -> None:
    @app.command("import")
    def import_file(
        path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
        format: str = typer.Option("csv", help="coops-uk | csv | hsds-json"),
        url: str = typer.Option(
            os.environ.get("LOCALWEALTH_URL", "http://127.0.0.1:8000"), help="Gateway or registry URL"
        ),
        key: str = typer.Option(os.environ.get("LOCALWEALTH_API_KEY", "dev-admin-key"), help="API key"),
    ) -> None:
        """Import organisations from a file, showing progress; prints the counts and row errors."""
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            with path.open("rb") as fh:
                resp = client.post(
                    "/api/v1/organisations/imports", files={"file": (path.name, fh)}, data={"format": format}
                )
            if resp.status_code != 202:
                console.print(f"[red]upload refused ({resp.status_code}):[/red] {resp.text}")
                raise typer.Exit(1)
            job_url = resp.headers["Location"]
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                task = progress.add_task(f"importing {path.name}", total=None)
                while True:
                    job = client.get(job_url).json()
                    progress.update(task, completed=job["progress"]["processed"], total=job["progress"]["total"])
                    if job["status"] not in ("queued", "running"):
                        break
                    time.sleep(0.3)
        console.print(f"status: [bold]{job['status']}[/bold]  counts: {job['counts']}  errors: {job['error_count']}")
        for error in job["errors"][:20]:
            console.print(f"  row {error['row']} {error['field']}: {error['message']}")
        if job["error_count"] > 20:
            console.print(f"  … all errors: {url}{job['errors_csv_url']}")
        if job["status"] == "failed":
            raise typer.Exit(1)

    @app.command("postcodes")
    def import_postcodes(path: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
        """Load the full ONS postcode file (csv or csv.gz) for exact geocoding instead of sector centroids."""
        from localwealth_shared.db import Database
        from localwealth_shared.reference.geography import iter_ons_postcodes
        from sqlalchemy import delete

        from registry.config import get_settings
        from registry.db import Postcode

        async def load() -> int:
            db = Database(get_settings().database_url)
            count, batch = 0, []
            async with db.transaction() as session:
                await session.execute(delete(Postcode))
            with Progress(TextColumn("loading postcodes"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
                task = bar.add_task("", total=None)
                for pc, lad, lat, lon in iter_ons_postcodes(path):
                    batch.append({"postcode": pc, "lad_code": lad, "lat": lat, "lon": lon})
                    if len(batch) == 20_000:
                        async with db.transaction() as session:
                            await session.execute(Postcode.__table__.insert(), batch)
                        count += len(batch)
                        batch = []
                        bar.update(task, completed=count)
                if batch:
                    async with db.transaction() as session:
                        await session.execute(Postcode.__table__.insert(), batch)
                    count += len(batch)
            await db.dispose()
            return count

        console.print(f"loaded {asyncio.run(load())} postcodes")
