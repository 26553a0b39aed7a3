"""CLI import commands: upload through the API and follow the job with a progress bar; load ONS postcodes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from localwealth_shared.import_cli import DEFAULT_KEY, DEFAULT_URL, console, upload_and_follow
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn


def register_import_commands(app: typer.Typer) -> None:
    @app.command("import")
    def import_file(
        path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
        format: str = typer.Option("csv", help="coops-uk | csv | hsds-json"),
        url: str = typer.Option(DEFAULT_URL, help="Gateway or registry URL"),
        key: str = typer.Option(DEFAULT_KEY, help="API key"),
    ) -> None:
        """Import organisations from a file, showing progress; prints the counts and row errors."""
        upload_and_follow(path, url=url, key=key, endpoint="/api/v1/organisations/imports", data={"format": format})

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
