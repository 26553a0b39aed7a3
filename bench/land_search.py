"""Land: radius and bbox search over 200,000 assets, and a 50,000-row land register import (issue 4).

Assets are clustered like council estates around real postcode-sector centroids (the bundled ONS data),
5,000 per tenant, bulk-inserted into the migrated land schema. Two databases: 20,000 assets (four councils)
and 200,000 (the same four plus 36 tenants: four anchor institutions — a hospital trust, a university —
owning land in the same four cities, and 32 other councils). The same radius and bbox queries around the
four councils' estates find the same assets in both, so a difference in time is the cost of the rest of
the table. Each query runs in turn on every route — in-process (ASGI), through the gateway (real uvicorn
processes for the gateway and the land API) and straight to the land API — on both databases, so other
work on the machine weighs on all of them alike. Then a generated Transparency Code register of 50,000
rows (eastings/northings, lat/lon or postcode only) for a 41st council goes through the real import path
(multipart upload → job → batches) into the 200,000-asset database, twice.

Usage: bench/land_search.py [--pg] [--quick] [--no-import]   (--quick: a tenth of every size, not recorded)
No SPEC §9 target: the issue asks for figures, and for search not to depend on table size.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AsyncExitStack, ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

os.environ.setdefault("LOCALWEALTH_ENV", "development")

from common import record, summary_ms
from gateway_vs_direct import ROOT, wait_healthy
from land.config import SERVICE_ROOT, LandSettings
from land.db import Asset
from land.imports.runner import KIND, import_handler
from land.main import create_app
from localwealth_shared.broker import free_port
from localwealth_shared.jobs import JobRunner
from localwealth_shared.migrations import upgrade
from localwealth_shared.reference.geography.bundled_data import read_bundled_csv
from localwealth_shared.reference.geography.national_grid import grid_to_wgs84
from localwealth_shared.testing.clients import token
from localwealth_shared.testing.databases import temporary_database
from sqlalchemy import insert, text

# The queried councils (all of the 20,000-asset table); the other tenants only make the table bigger.
QUERIED = ["E07000178", "E08000025", "E08000003", "S12000049"]  # Oxford, Birmingham, Manchester, Glasgow
TENANTS = 40
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
STATUSES = ["in_use"] * 16 + ["surplus", "surplus", "for_disposal", "under_offer"]
USES = [
    ("building", "Community centre"),
    ("building", "Library"),
    ("building", "Depot"),
    ("building", "Office"),
    ("building", "Shop"),
    ("land", "Allotments"),
    ("land", "Playing field"),
    ("land", "Open space"),
    ("land", "Car park"),
    ("land", "Garage site"),
]
REGISTER_HEADER = (
    "Organisation Name,Organisation Label,UPRN,Asset Reference,Property Name,Street Number,Street,Town,Postcode,"
    "GeoX,GeoY,Latitude,Longitude,Tenure Type,Property Type"
)
SCALES = {"full": (5_000, 50_000, 300), "quick": (500, 5_000, 60)}  # per tenant, import rows, queries per kind


def sectors_by_council() -> dict[str, list[tuple[str, float, float]]]:
    found: dict[str, list[tuple[str, float, float]]] = {}
    for row in read_bundled_csv("postcode_sector_centroids.csv"):
        found.setdefault(row["main_lad_code"], []).append((row["sector"], float(row["lat"]), float(row["lon"])))
    return found


def tenants(sectors: dict[str, list[tuple[str, float, float]]]) -> tuple[list[tuple[str, str]], str]:
    """(tenant, LAD) pairs: the queried councils, an anchor institution in each of their areas, then the GB
    councils with most postcode sectors (dense urban areas); and the council whose register is imported."""
    others = sorted((c for c in sectors if c[0] in "ESW" and c not in QUERIED), key=lambda c: (-len(sectors[c]), c))
    pairs = [(c, c) for c in QUERIED] + [(f"anchor-{c}", c) for c in QUERIED]
    pairs += [(c, c) for c in others[: TENANTS - len(pairs)]]
    return pairs, others[TENANTS - len(pairs)]


def jitter(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    return (
        lat + rng.gauss(0, metres) / 111_200,
        lon + rng.gauss(0, metres) / (111_200 * math.cos(math.radians(lat))),
    )


def estate_sites(tenant: str, sectors: list[tuple[str, float, float]], n: int):  # type: ignore[no-untyped-def]
    """n (sector, lat, lon): estates of 10–150 sites ~150 m across around sector centroids, and 15 % strays."""
    rng = random.Random(tenant)
    sites = []
    while len(sites) < n * 0.85:
        sector, lat, lon = rng.choice(sectors)
        centre = jitter(rng, lat, lon, 400)
        sites += [(sector, *jitter(rng, *centre, 150)) for _ in range(rng.randint(10, 150))]
    sites = sites[: int(n * 0.85)]
    while len(sites) < n:
        sector, lat, lon = rng.choice(sectors)
        sites.append((sector, *jitter(rng, lat, lon, 800)))
    rng.shuffle(sites)
    return rng, sites


def postcode(rng: random.Random, sector: str) -> str:
    return f"{sector}{rng.choice(INWARD)}{rng.choice(INWARD)}"


def asset_rows(tenant: str, lad: str, sectors: list[tuple[str, float, float]], n: int) -> list[dict[str, Any]]:
    rng, sites = estate_sites(tenant, sectors, n)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    rows = []
    for i, (sector, lat, lon) in enumerate(sites):
        asset_type, use = rng.choice(USES)
        changed = now - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
        rows.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "owner": tenant,
                "name": f"{use} {i}",
                "reference": f"{tenant}-{i:06d}",
                "uprn": str(100_000_000_000 + i),
                "address": f"{rng.randint(1, 300)} Estate Road",
                "postcode": postcode(rng, sector),
                "postcode_status": "sector",
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "geometry": None,
                "lad_code": lad,
                "tenure": rng.choice(["freehold", "freehold", "freehold", "leasehold"]),
                "asset_type": asset_type,
                "current_use": use,
                "status": rng.choice(STATUSES),
                "valuation_amount": Decimal(rng.randint(10, 5_000) * 1000),
                "valuation_currency": "GBP",
                "community_owned": False,
                "created_at": changed,
                "updated_at": changed,
                "version": 1,
            }
        )
    return rows


async def load(db: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5_000):
        async with db.transaction() as session:
            await session.execute(insert(Asset), rows[start : start + 5_000])


async def analyse(db: Any) -> None:
    """What autovacuum does on a live PostgreSQL server; SQLite keeps no statistics unless asked, so none."""
    if not db.is_sqlite:
        async with db.transaction() as session:
            await session.execute(text("ANALYZE assets"))


def queries(per_tenant: int, sectors: dict[str, list[tuple[str, float, float]]], n: int) -> list[dict[str, Any]]:
    """n radius and n bbox searches around the queried councils' estates (0.5–5 km), as (tenant, params)."""
    rng = random.Random("queries")
    sites = {c: estate_sites(c, sectors[c], per_tenant)[1] for c in QUERIED}
    out = []
    for i in range(2 * n):
        council = QUERIED[i % len(QUERIED)]
        _, lat, lon = rng.choice(sites[council])
        km = rng.choice([0.5, 1, 2, 5])
        if i % 2 == 0:
            params = {"near": f"{lat:.5f},{lon:.5f}", "radius_km": km}
        else:
            dlat, dlon = km / 111.2, km / (111.2 * math.cos(math.radians(lat)))
            params = {"bbox": f"{lon - dlon:.5f},{lat - dlat:.5f},{lon + dlon:.5f},{lat + dlat:.5f}"}
        out.append({"kind": "radius" if i % 2 == 0 else "bbox", "tenant": council, "params": params})
    return out


def summarise(samples: list[tuple[str, float, int]]) -> dict[str, Any]:
    result = {}
    for kind in ("radius", "bbox"):
        mine = [(s, n) for k, s, n in samples if k == kind]
        result[kind] = {**summary_ms([s for s, _ in mine]), "mean_results": round(sum(n for _, n in mine) / len(mine))}
    return result


def cli(service: str, *args: str) -> list[str]:
    """`localwealth <service> ...` through that service's own CLI, so no other service needs to import."""
    return [sys.executable, "-c", f"from {service}.cli import app; app()", *args]


@contextmanager
def services(url: str, tmp: str, label: int) -> Iterator[dict[str, tuple[str, dict[str, dict[str, str]]]]]:
    """The land API and the gateway as real uvicorn processes (one worker each) on a loaded database; yields
    {"gateway" | "direct": (base URL, headers per queried tenant)}."""
    land_port, gateway_port = free_port(), free_port()
    env = {
        **os.environ,
        "LOCALWEALTH_ENV": "development",
        "LOCALWEALTH_LOG_LEVEL": "WARNING",
        "LOCALWEALTH_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
        "LAND_DATABASE_URL": url,
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/gateway-{label}.db",
        "GATEWAY_LAND_URL": f"http://127.0.0.1:{land_port}",
    }
    subprocess.run(cli("gateway", "migrate"), env=env, cwd=ROOT, check=True, capture_output=True)
    procs = [
        subprocess.Popen(cli(name, "api", "--port", str(port)), env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        for name, port in (("land", land_port), ("gateway", gateway_port))
    ]
    try:
        wait_healthy(land_port)
        wait_healthy(gateway_port)
        gateway = f"http://127.0.0.1:{gateway_port}"
        admin = {"Authorization": "Bearer dev-admin-key"}
        keys = {}
        for council in QUERIED:
            httpx.post(
                f"{gateway}/api/v1/admin/tenants",
                headers=admin,
                json={"id": council, "name": council, "kind": "council", "area": {"lad_codes": [council]}},
            )  # 409 for the development tenant (Oxford), which exists already
            resp = httpx.post(
                f"{gateway}/api/v1/admin/api-keys",
                headers=admin,
                json={"tenant_id": council, "name": "bench", "scopes": ["land:read"]},
            )
            resp.raise_for_status()
            keys[council] = {"Authorization": f"Bearer {resp.json()['key']}"}
        yield {"gateway": (gateway, keys.__getitem__), "direct": (f"http://127.0.0.1:{land_port}", internal)}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def internal(tenant: str, scopes: tuple[str, ...] = ("land:read",)) -> dict[str, str]:
    """What the gateway forwards for a tenant: a fresh internal token (they live two minutes)."""
    return {"Authorization": f"Bearer {token(tenant, scopes, (tenant,))}"}


async def measure(apps: dict[int, Any], servers: dict[int, Any], qs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each query in turn on every route (size × in-process/gateway/direct), so other work on the machine
    weighs on all of them alike; the first 20 queries are a warm-up."""
    async with AsyncExitStack() as stack:
        routes = {}
        for size, app in apps.items():
            transport = httpx.ASGITransport(app)
            client = httpx.AsyncClient(transport=transport, base_url="http://land")
            routes[size, "in_process"] = (await stack.enter_async_context(client), internal)
            for where, (base_url, headers) in servers[size].items():
                client = httpx.AsyncClient(base_url=base_url, timeout=30)
                routes[size, where] = (await stack.enter_async_context(client), headers)
        samples: dict[tuple[int, str], list[tuple[str, float, int]]] = {route: [] for route in routes}
        for i, q in enumerate(qs[:20] + qs):
            for route, (client, auth) in routes.items():
                headers = auth(q["tenant"])
                started = time.perf_counter()
                resp = await client.get("/api/v1/assets", params=q["params"], headers=headers)
                elapsed = time.perf_counter() - started
                resp.raise_for_status()
                if i >= 20:
                    samples[route].append((q["kind"], elapsed, len(resp.json()["data"])))
    return {
        str(size): {where: summarise(samples[size, where]) for where in ("in_process", "gateway", "direct")}
        for size in apps
    }


def wgs84_to_grid(lat: float, lon: float) -> tuple[int, int]:
    """The inverse of grid_to_wgs84 by fixed-point iteration (metres per degree locally): good to ~1 m."""
    easting = 400_000 + (lon + 2) * 111_200 * math.cos(math.radians(lat))
    northing = -100_000 + (lat - 49) * 111_200
    for _ in range(5):
        got_lat, got_lon = grid_to_wgs84(easting, northing)
        easting += (lon - got_lon) * 111_200 * math.cos(math.radians(lat))
        northing += (lat - got_lat) * 111_200
    return round(easting), round(northing)


def register_csv(council: str, sectors: list[tuple[str, float, float]], n: int) -> bytes:
    """A Transparency Code land and building register as councils publish it: 40 % of rows with GeoX/GeoY,
    40 % with latitude/longitude, the rest postcode only; 1 in 200 rows with a bad UPRN (rejected)."""
    rng, sites = estate_sites(council, sectors, n)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REGISTER_HEADER.split(","))
    for i, (sector, lat, lon) in enumerate(sites):
        asset_type, use = rng.choice(USES)
        uprn = "12A" if i % 200 == 7 else ("" if i % 10 == 3 else str(200_000_000_000 + i))
        geox = geoy = lat_s = lon_s = ""
        if i % 5 < 2:
            geox, geoy = map(str, wgs84_to_grid(lat, lon))
        elif i % 5 < 4:
            lat_s, lon_s = f"{lat:.6f}", f"{lon:.6f}"
        tenure = rng.choice(["Freehold", "Leasehold"])
        where = (rng.randint(1, 300), "Estate Road", "Town", postcode(rng, sector), geox, geoy, lat_s, lon_s)
        writer.writerow([council, council, uprn, f"LR-{i:06d}", f"{use} {i}", *where, tenure, asset_type])
    return out.getvalue().encode()


async def import_register(app: Any, council: str, content: bytes, rows: int) -> dict[str, Any]:
    runner = JobRunner(app.state.job_store, {KIND: import_handler(app.state.db, app.state.asset_service)})
    scopes = ("land:read", "land:write")
    timings = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://land") as c:
        for label in ("first_import", "reupload"):
            started = time.perf_counter()
            files = {"file": ("register.csv", content)}
            resp = await c.post("/api/v1/assets/imports", files=files, headers=internal(council, scopes))
            resp.raise_for_status()
            while await runner.run_once():
                pass
            elapsed = time.perf_counter() - started
            job = (await c.get(resp.headers["Location"], headers=internal(council, scopes))).raise_for_status().json()
            print(f"{label}: {rows} rows in {elapsed:.1f} s, {job['counts']}", flush=True)
            timings[label] = {
                "seconds": round(elapsed, 2),
                "rows_per_s": round(rows / elapsed),
                "counts": job["counts"],
                "status": job["status"],
            }
    return {"rows": rows, "bytes": len(content), **timings}


async def run(pg: bool, quick: bool, with_import: bool) -> None:
    if pg:
        os.environ.setdefault("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    else:
        os.environ.pop("TEST_DATABASE_URL", None)
    per_tenant, import_rows, n_queries = SCALES["quick" if quick else "full"]
    sectors = sectors_by_council()
    everyone, importer = tenants(sectors)
    qs = queries(per_tenant, sectors, n_queries)
    small, large = len(QUERIED) * per_tenant, len(everyone) * per_tenant
    database = {"database": "postgresql" if pg else "sqlite", "quick": quick}
    load_before = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory() as tmp:
        async with (
            temporary_database(Path(tmp), "bench_land_small") as small_url,
            temporary_database(Path(tmp), "bench_land_large") as large_url,
        ):
            urls = {small: small_url, large: large_url}
            apps = {}
            for size, url in urls.items():
                upgrade(SERVICE_ROOT, url)
                apps[size] = create_app(LandSettings(database_url=url, log_level="WARNING", log_json=False))
            started = time.perf_counter()
            for tenant, lad in everyone:
                rows = asset_rows(tenant, lad, sectors[lad], per_tenant)
                for size, app in apps.items():
                    if size == large or tenant in QUERIED:
                        await load(app.state.db, rows)
            for app in apps.values():
                await analyse(app.state.db)
            load_s = round(time.perf_counter() - started, 1)
            print(f"loaded {small} and {large} assets in {load_s} s", flush=True)
            with ExitStack() as stack:
                servers = {size: stack.enter_context(services(url, tmp, size)) for size, url in urls.items()}
                sizes = await measure(apps, servers, qs)
            growth = {
                f"{where}_{kind}_{p}": round(
                    sizes[str(large)][where][kind][f"{p}_ms"] / sizes[str(small)][where][kind][f"{p}_ms"], 2
                )
                for where in ("in_process", "gateway")
                for kind in ("radius", "bbox")
                for p in ("p50", "p99")
            }
            save(
                "search",
                {
                    **database,
                    "tenants": len(everyone),
                    "assets_per_tenant": per_tenant,
                    "queries_per_kind": n_queries,
                    "load_s": load_s,
                    "search": sizes,
                    "growth_large_over_small": growth,
                    "cpu_load_1min": {"before": load_before, "after": round(os.getloadavg()[0], 2)},
                },
            )
            if with_import:
                content = register_csv(importer, sectors[importer], import_rows)
                imported = await import_register(apps[large], importer, content, import_rows)
                save("import", {**database, "council": importer, "table_assets": large, **imported})
            for app in apps.values():
                await app.state.db.dispose()


def save(kind: str, result: dict[str, Any]) -> None:
    name = f"land_{kind}_{result['database']}"
    if result["quick"]:
        print(json.dumps({name: result}, indent=2), flush=True)
    else:
        record(name, result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a tenth of every size; prints, records nothing")
    parser.add_argument("--no-import", action="store_true", help="search only")
    args = parser.parse_args()
    asyncio.run(run(args.pg, args.quick, not args.no_import))


if __name__ == "__main__":
    main()
