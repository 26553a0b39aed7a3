"""The CLI side of import jobs (SPEC §3.6): upload a file through the API, follow the job with a progress bar,
print the counts and the first row errors. Every service's `import` command is this with its own path."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()
DEFAULT_URL = os.environ.get("LOCALWEALTH_URL", "http://127.0.0.1:8000")
DEFAULT_KEY = os.environ.get("LOCALWEALTH_API_KEY", "dev-admin-key")


def upload_and_follow(path: Path, *, url: str, key: str, endpoint: str, data: dict[str, str]) -> dict[str, Any]:
    """Upload `path` to `endpoint` as multipart `file` (+ `data` form fields) and wait for the job to end."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
        with path.open("rb") as fh:
            resp = client.post(endpoint, files={"file": (path.name, fh)}, data=data)
        if resp.status_code != 202:
            console.print(f"[red]upload refused ({resp.status_code}):[/red] {resp.text}")
            raise typer.Exit(1)
        job_url = resp.headers["Location"]
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as progress:  # fmt: skip
            task = progress.add_task(f"importing {path.name}", total=None)
            while True:
                job: dict[str, Any] = client.get(job_url).json()
                progress.update(task, completed=job["progress"]["processed"], total=job["progress"]["total"])
                if job["status"] not in ("queued", "running"):
                    break
                time.sleep(0.3)
    console.print(f"status: [bold]{job['status']}[/bold]  counts: {job['counts']}  errors: {job['error_count']}")
    if job.get("message"):
        console.print(job["message"])
    for error in job["errors"][:20]:
        console.print(f"  row {error['row']} {error['field']}: {error['message']}")
    if job["error_count"] > 20:
        console.print(f"  … all errors: {url}{job['errors_csv_url']}")
    if job["status"] == "failed":
        raise typer.Exit(1)
    return job
