"""Spend pipeline: N generated Transparency Code rows imported, reconciled and summarised (issue 5, SPEC §9).

1. N spend rows are generated from the Oxford distributions (the 17 bundled files: suppliers with their real
   frequency and each one's categories, service areas and amounts; ~1.5 % redacted with the real spellings,
   ~0.1 % credits from the real ones; dates over five financial years; unique transaction numbers) into one
   CSV in an Oxford header layout. Fixed seed.
2. Setup, timed apart: the 7,272 Co-operatives UK organisations (read by the registry's own parser and
   normaliser) delivered to the impact read model through the real consumer batch handler, in batches.
3. Stages: import (the job is created with `JobStore.create` — a 1,000,000-row file is above the API's
   100 MB upload limit — and run by a `JobRunner` with the real handler), reconcile (the supplier
   reconciliation the job runs at its end, timed by wrapping the importer's call to it), indicators (the
   five pillars and local spend by year over HTTP in-process). Then the summary total is checked against the
   generated file to the penny, and the peak memory is read: this process's, plus that of the import's
   preparing process (a child, polled from /proc while it runs). Then, not part of the target, the same file
   is imported again and must change nothing.
4. Baseline, after the peak memory is read: the same file bulk-loaded into a plain table — PostgreSQL
   `COPY` with --pg, else SQLite `executemany` of the pre-parsed rows (DuckDB is not installed).

Usage: bench/spend_pipeline.py [--rows N] [--pg]   (N: default 1,000,000; figures are recorded only at that size)
Target (SPEC §9): import + reconcile + indicators ≤ 60 s, peak memory ≤ 1.5 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

os.environ.setdefault("LOCALWEALTH_ENV", "development")

import asyncpg
from common import record
from impact.config import SERVICE_ROOT, ImpactSettings
from impact.main import create_app, thresholds_of
from impact.organisations.read_model import organisations_consumer
from impact.spend import importer
from impact.spend.parse import NOT_NAMED, read_spend_file
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.jobs import JobRunner
from localwealth_shared.migrations import upgrade
from localwealth_shared.testing.clients import OXFORD, token
from localwealth_shared.testing.databases import temporary_database
from registry.config import RegistrySettings
from registry.demo import demo_csv
from registry.imports.parsers import coops_uk
from registry.organisations.normalise import Normaliser
from registry.rules.flags import DEFAULT_FLAG_RULES
from sqlalchemy import text
from sqlalchemy.engine import make_url

SEED = 20261201
OXFORD_FILES = SERVICE_ROOT / "src/impact/demo/council-spend-oxford"
HEADER = ["Body Name", "Organisational Unit", "Expenditure Category", "Expenditure Code", "Paid Date",
          "Trans No", "Amount", "Type", "Supplier ID", "Supplier Name"]  # fmt: skip
REDACTED_SHARE, CREDIT_SHARE = 0.015, 0.001
FIRST_DAY, YEARS = date(2014, 4, 1), 5  # financial years 2014-15 to 2018-19
PERIOD = "2017-18"
TENANT = "t-bench-oxford"
ORG_BATCH = 500
TARGET_S, TARGET_MB = 60, 1536


def oxford_records() -> list[dict[str, Any]]:
    """Every accepted line of the bundled Oxford files, as the impact parser reads them."""
    found = []
    for path in sorted(OXFORD_FILES.glob("*.csv.gz")):
        spend_file = read_spend_file(gzip.decompress(path.read_bytes()), filename=path.name.removesuffix(".gz"))
        found += [r.fields for r in spend_file.records if not r.errors]
    return found


def generate(path: Path, rows: int) -> dict[str, Any]:
    """Write `rows` spend lines to `path`; their count and total in pence."""
    rng = random.Random(SEED)
    source = oxford_records()
    named = [f for f in source if not f["redacted"] and f["amount"] > 0]
    redacted = [("" if f["supplier_name"] == NOT_NAMED else f["supplier_name"]) for f in source if f["redacted"]]
    credits = [f["amount"] for f in source if f["amount"] < 0]
    days = [d for n in range(365 * YEARS + 1) if (d := FIRST_DAY + timedelta(n)).weekday() < 5]
    total = negatives = withheld = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i, f in enumerate(rng.choices(named, k=rows)):
            name, amount = f["supplier_name"], f["amount"]
            if rng.random() < REDACTED_SHARE:
                name, withheld = rng.choice(redacted), withheld + 1
            if rng.random() < CREDIT_SHARE:
                amount, negatives = rng.choice(credits), negatives + 1
            total += int(amount * 100)
            cap_rev = "Capital" if f["capital_or_revenue"] == "capital" else "Revenue"
            writer.writerow([
                "Oxford City Council", f["service_area"] or "", f["category"] or "", f["expenditure_code"] or "",
                rng.choice(days).strftime("%d/%m/%Y"), f"{60_000_000 + i}_1", amount, cap_rev,
                f["supplier_ref"] or "", name,
            ])  # fmt: skip
    return {
        "rows": rows,
        "total_pence": total,
        "credits": negatives,
        "redacted": withheld,
        "distinct_suppliers_in_source": len({f["supplier_name"] for f in named}),
        "mb": round(path.stat().st_size / 1e6, 1),
    }


async def registry_events() -> list[CloudEvent]:
    """The Co-operatives UK organisations as `registry.organisation` events (the registry's public projection:
    parsed and normalised by the registry's own code, sites with their district)."""
    settings = RegistrySettings(database_url="sqlite+aiosqlite:///unused.db")
    normaliser = Normaliser(DEFAULT_FLAG_RULES, settings.canonical_priority)
    events = []
    for row in coops_uk.parse(demo_csv()):
        if row.organisation is None:
            continue
        org = await normaliser.normalise(None, row.organisation, today=date.today(), lenient_codes=True)
        data = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, row.source_key or org.name)),
            "name": org.name,
            "legal_form": org.legal_form,
            "identifiers": [i.as_dict() for i in org.identifiers],
            "ownership": org.ownership,
            "sites": [
                {
                    "name": s.name,
                    "address": s.address,
                    "postcode": s.postcode,
                    "lad_code": s.lad_code,
                    "lat": s.lat,
                    "lon": s.lon,
                    "is_registered_office": s.is_registered_office,
                    "is_operating_site": s.is_operating_site,
                }
                for s in org.sites
            ],
            "flags": org.flags,
            "certifications": org.certifications,
            "version": 1,
        }
        events.append(
            CloudEvent(type="org.localwealth.registry.organisation.registered.v1", source="/bench", data=data)
        )
    return events


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


class ChildPeaks:
    """The peak resident memory of each child process while it runs (the import's preparing process), from
    /proc: a child's own rusage would also count the pages it shared with this process before `exec`."""

    def __init__(self) -> None:
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ChildPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            for child in multiprocessing.active_children():
                try:
                    status = Path(f"/proc/{child.pid}/status").read_text()
                except OSError:
                    continue
                kib = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
                self.peaks[child.pid] = max(self.peaks.get(child.pid, 0.0), round(kib / 1024, 1))

    @property
    def largest_mb(self) -> float:
        return max(self.peaks.values(), default=0.0)


class Stopwatch:
    """Wall seconds and this process's CPU seconds (all its threads; not the PostgreSQL server's)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def elapsed(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


async def server_cpu(db: Any) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving the database (the server is local: /proc)."""
    if db.is_sqlite:
        return {}
    async with db.reader() as session:
        pids = await session.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
    found = {}
    for pid in pids.scalars():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return found


def stage(wall: float, cpu: float, rows: int) -> dict[str, float]:
    return {"seconds": round(wall, 2), "cpu_s": round(cpu, 2), "rows_per_s": round(rows / wall) if wall else 0}


async def create_job(app: Any, csv_path: Path) -> tuple[str, float]:
    """An import job for the file, as the API would queue it; its id and the seconds taken."""
    clock = Stopwatch()
    content = csv_path.read_bytes()
    async with app.state.db.transaction() as session:
        job_id = await app.state.job_store.create(
            session, tenant_id=TENANT, kind=importer.KIND, content=content,
            filename=csv_path.name, content_type="text/csv", options={},
        )  # fmt: skip
    return str(job_id), clock.elapsed()[0]


async def pipeline(url: str, csv_path: Path, generated: dict[str, Any]) -> dict[str, Any]:
    settings = ImpactSettings(
        env="development", database_url=url, log_json=False, log_level="WARNING",
        kafka_bootstrap_servers="127.0.0.1:1",
    )  # fmt: skip
    app = create_app(settings)
    db, thresholds = app.state.db, thresholds_of(settings)
    memory: dict[str, float] = {}
    try:
        clock = Stopwatch()
        events = await registry_events()
        parsed = clock.elapsed()[0]
        consumer = organisations_consumer(thresholds)
        assert consumer.batch_handler is not None
        for start in range(0, len(events), ORG_BATCH):
            async with db.transaction() as session:
                await consumer.batch_handler(session, events[start : start + ORG_BATCH])
        setup = {
            "organisations": len(events),
            "parse_normalise_s": round(parsed, 2),
            "batch_handler_s": round(clock.elapsed()[0] - parsed, 2),
        }
        memory["after_setup_mb"] = peak_mb()
        print(f"setup: {setup}", flush=True)

        # The importer calls reconcile_ids once, at the end of the job: time that call as its own stage.
        reconciled: dict[str, Any] = {}
        real_reconcile = importer.reconcile_ids

        async def timed_reconcile(session, supplier_ids, *args, **kwargs):  # type: ignore[no-untyped-def]
            watch = Stopwatch()
            counts = await real_reconcile(session, supplier_ids, *args, **kwargs)
            reconciled.update(elapsed=watch.elapsed(), suppliers=len(supplier_ids), counts=counts)
            return counts

        importer.reconcile_ids = timed_reconcile  # type: ignore[assignment]
        server_before = await server_cpu(db)
        clock = Stopwatch()
        job_id, create_s = await create_job(app, csv_path)
        runner = JobRunner(app.state.job_store, {importer.KIND: importer.spend_import_handler(db, thresholds)})
        with ChildPeaks() as children:
            assert await runner.run_once()
        job_wall, job_cpu = clock.elapsed()
        importer.reconcile_ids = real_reconcile
        reconcile_wall, reconcile_cpu = reconciled.get("elapsed", (0.0, 0.0))
        import_wall, import_cpu = job_wall - reconcile_wall, job_cpu - reconcile_cpu
        memory["after_import_mb"] = peak_mb()
        server_after = await server_cpu(db)
        server_s = sum(t - server_before.get(pid, 0.0) for pid, t in server_after.items())
        print(f"import {import_wall:.1f} s, reconcile {reconcile_wall:.1f} s", flush=True)

        headers = {"Authorization": f"Bearer {token(TENANT, ('impact:read',), (OXFORD,))}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://impact", headers=headers, timeout=600
        ) as client:
            job = (await client.get(f"/api/v1/spend/imports/{job_id}")).json()
            clock = Stopwatch()
            pillars = await client.get("/api/v1/indicators", params={"period": PERIOD})
            by_year = await client.get("/api/v1/indicators/local-spend", params={"by": "financial_year"})
            indicators_wall, indicators_cpu = clock.elapsed()
            assert pillars.status_code == 200 and by_year.status_code == 200, (pillars.text, by_year.text)
            clock = Stopwatch()
            summary = (await client.get("/api/v1/spend/summary")).json()
            summary_s = clock.elapsed()[0]
            # The import's preparing process is a child: its peak counts too, as if both peaked at once.
            memory["service_process_mb"] = peak_mb()
            memory["preparing_process_mb"] = children.largest_mb
            memory["peak_mb"] = round(memory["service_process_mb"] + memory["preparing_process_mb"], 1)

            # Not part of the target: the same file uploaded again changes nothing.
            clock = Stopwatch()
            again_id, _ = await create_job(app, csv_path)
            assert await runner.run_once()
            again_wall, again_cpu = clock.elapsed()
            again = (await client.get(f"/api/v1/spend/imports/{again_id}")).json()
            summary_again = (await client.get("/api/v1/spend/summary")).json()
    finally:
        await db.dispose()

    rows = generated["rows"]
    expected = (Decimal(generated["total_pence"]) / 100).quantize(Decimal("0.01"))
    local = next(i for p in pillars.json()["pillars"] for i in p["indicators"] if i["id"] == "local_spend_share")
    return {
        "setup": setup,
        "job": {
            "status": job["status"],
            "counts": job["counts"],
            "error_count": job["error_count"],
            "create_s": round(create_s, 2),
        },
        "import": stage(import_wall, import_cpu, rows),
        # PostgreSQL: CPU seconds of the server's backends during the job (import and reconcile).
        "server_cpu_s": round(server_s, 2) if server_after else None,
        "reconcile": {
            **stage(reconcile_wall, reconcile_cpu, rows),
            "suppliers": reconciled.get("suppliers"),
            "by_status": reconciled.get("counts"),
        },
        "indicators": {
            **stage(indicators_wall, indicators_cpu, rows),
            "local_spend_share": local["value"],
            "years": [g["group"] for g in by_year.json()["groups"]],
        },
        "total": stage(
            import_wall + reconcile_wall + indicators_wall, import_cpu + reconcile_cpu + indicators_cpu, rows
        ),
        "summary": {
            "seconds": round(summary_s, 2),
            "total": summary["total"]["amount"],
            "expected": str(expected),
            "lines": summary["lines"],
            "exact": Decimal(summary["total"]["amount"]) == expected and summary["lines"] == rows,
        },
        "memory": memory,
        "re_upload": {
            **stage(again_wall, again_cpu, rows),
            "counts": again["counts"],
            "summary_unchanged": summary_again == summary,
        },
    }


def sqlite_baseline(csv_path: Path, tmp: Path) -> dict[str, Any]:
    """The same rows, parsed beforehand (not timed), inserted with one `executemany` into a plain table."""
    with csv_path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        rows = [tuple(r) for r in reader]
    conn = sqlite3.connect(tmp / "baseline.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"CREATE TABLE plain ({', '.join(f'c{i} TEXT' for i in range(len(HEADER)))})")
    clock = Stopwatch()
    with conn:
        conn.executemany(f"INSERT INTO plain VALUES ({', '.join('?' * len(HEADER))})", rows)
    seconds, cpu = clock.elapsed()
    conn.close()
    method = "sqlite3 executemany of pre-parsed rows into a plain text table"
    return {"method": method, **stage(seconds, cpu, len(rows))}


async def pg_baseline(csv_path: Path, url: str, rows: int) -> dict[str, Any]:
    """The same file `COPY`ed into a plain typed table (dates day-first, amounts numeric)."""
    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, database=parsed.database
    )
    try:
        await conn.execute("SET datestyle = 'ISO, DMY'")
        await conn.execute(
            "CREATE TABLE plain (body text, service_area text, category text, code text, paid_date date, "
            "trans_no text, amount numeric(14, 2), type text, supplier_ref text, supplier_name text)"
        )
        clock = Stopwatch()
        await conn.copy_to_table("plain", source=csv_path, format="csv", header=True)
        seconds, cpu = clock.elapsed()
    finally:
        await conn.close()
    return {"method": "PostgreSQL COPY (CSV) into a plain typed table", **stage(seconds, cpu, rows)}


async def run(rows: int, pg: bool) -> dict[str, Any]:
    if pg:
        os.environ.setdefault("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "expenditure-over-500-bench.csv"
        began = time.perf_counter()
        generated = generate(csv_path, rows)
        generated["seconds"] = round(time.perf_counter() - began, 2)
        print(f"generated: {generated}", flush=True)
        async with temporary_database(tmp, "bench_spend") as url:
            upgrade(SERVICE_ROOT, url)
            result = await pipeline(url, csv_path, generated)
            baseline = await pg_baseline(csv_path, url, rows) if pg else sqlite_baseline(csv_path, tmp)
    met = {
        "seconds": result["total"]["seconds"] <= TARGET_S,
        "memory": result["memory"]["peak_mb"] <= TARGET_MB,
        "exact_total": result["summary"]["exact"],
    }
    return {
        "database": "postgresql" if pg else "sqlite",
        "generated": generated,
        **result,
        "baseline": baseline,
        "import_over_baseline": round(result["import"]["seconds"] / baseline["seconds"], 1),
        "cpu_load_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "target": {"seconds": TARGET_S, "peak_memory_mb": TARGET_MB},
        "met": met,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.rows, args.pg))
    name = f"spend_pipeline_{result['database']}"
    if args.rows == 1_000_000:
        record(name, result)
    else:
        print(json.dumps(result, indent=2), f"\n(--rows {args.rows}: not recorded)")


if __name__ == "__main__":
    main()
