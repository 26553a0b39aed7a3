"""Co-operatives UK import: all 7,272 rows through the real import path (API upload → job → batches).

Usage: bench/registry_import.py [--pg]   (--pg: a throw-away database on TEST_DATABASE_URL or the local server)
Target (SPEC §9): ≤ 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx

os.environ.setdefault("LOCALWEALTH_ENV", "development")

from common import record
from localwealth_shared.jobs import JobRunner
from localwealth_shared.migrations import upgrade
from localwealth_shared.testing.databases import temporary_database
from registry.config import SERVICE_ROOT, RegistrySettings
from registry.demo import demo_csv
from registry.imports.runner import KIND, import_handler
from registry.main import create_app


async def run(pg: bool) -> dict[str, object]:
    if pg:
        os.environ.setdefault("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    content = demo_csv()
    with tempfile.TemporaryDirectory() as tmp:
        async with temporary_database(Path(tmp), "bench_import") as url:
            upgrade(SERVICE_ROOT, url)
            app = create_app(RegistrySettings(database_url=url, log_level="WARNING", log_json=False))
            runner = JobRunner(
                app.state.job_store, {KIND: import_handler(app.state.db, app.state.organisation_service)}
            )
            timings = {}
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app),
                base_url="http://registry",
                headers={"Authorization": "Bearer dev-admin-key"},
            ) as client:
                for label in ("first_import", "reupload"):
                    started = time.perf_counter()
                    resp = await client.post(
                        "/api/v1/organisations/imports",
                        files={"file": ("coops.csv", content)},
                        data={"format": "coops-uk"},
                    )
                    await runner.run_once()
                    elapsed = time.perf_counter() - started
                    job = (await client.get(resp.headers["Location"])).json()
                    timings[label] = {
                        "seconds": round(elapsed, 2),
                        "rows_per_s": round(7272 / elapsed),
                        "counts": job["counts"],
                        "status": job["status"],
                    }
            await app.state.db.dispose()
    return {
        "database": "postgresql" if pg else "sqlite",
        **timings,
        "target_s": 10,
        "met": timings["first_import"]["seconds"] <= 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.pg))
    record(f"registry_import_{result['database']}", result)


if __name__ == "__main__":
    main()
