"""OCDS import: the Contracts Finder sample (release package and JSON lines), compile by ocid, awards,
idempotent re-upload, other dialects reported per release, and the export of an imported tender."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import httpx
import orjson
import pytest
from localwealth_shared.contracts import validation_errors
from localwealth_shared.testing.databases import shared_data_dir
from procurement.db import platform
from procurement.ocds.export import schema_errors
from sqlalchemy import select

SAMPLE_DIR = shared_data_dir() / "samples/contracts-finder"
JSONL = SAMPLE_DIR / "contracts_finder_england_releases.jsonl"
PACKAGE = SAMPLE_DIR / "contracts_finder_search_release_package_2025-01-20_23.json"
needs_sample = pytest.mark.skipif(not JSONL.exists(), reason="shared Contracts Finder sample not present")


async def upload(client: httpx.AsyncClient, run_jobs, content: bytes, name: str = "releases.jsonl") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    resp = await client.post("/api/v1/tenders/imports", files={"file": (name, content)})
    assert resp.status_code == 202, resp.text
    await run_jobs()
    return (await client.get(resp.headers["Location"])).json()  # type: ignore[no-any-return]


async def event_types(app) -> Counter[str]:  # type: ignore[no-untyped-def]
    async with app.state.db.reader() as session:
        rows = (await session.execute(select(platform.outbox.c.type))).scalars().all()
    return Counter(t.rsplit(".", 2)[0].removeprefix("org.localwealth.procurement.") for t in rows)


@needs_sample
async def test_contracts_finder_lines_compile_by_ocid_and_reimport_changes_nothing(
    client: httpx.AsyncClient,
    run_jobs,
    procurement_app,  # type: ignore[no-untyped-def]
) -> None:
    lines = [json.loads(line) for line in JSONL.read_text().splitlines() if line.strip()]
    ocids = Counter(r["ocid"] for r in lines)
    job = await upload(client, run_jobs, JSONL.read_bytes())
    assert job["status"] in ("succeeded", "partially_succeeded"), job
    counts = job["counts"]
    assert counts["created"] + counts["updated"] + counts["rejected"] == len(lines)
    # Every release of the sample is importable: one tender per ocid, later releases update it.
    assert counts == {"created": len(ocids), "updated": len(lines) - len(ocids), "unchanged": 0, "rejected": 0}

    # One tender per ocid, holding the latest release's values.
    multi = next(o for o, n in ocids.items() if n > 1)
    releases = sorted((r for r in lines if r["ocid"] == multi), key=lambda r: r["date"])
    page = (await client.get("/api/v1/tenders", params={"limit": 200})).json()["data"]
    tenders = [t for t in page if t["ocid"] == multi]
    assert len(tenders) == 1
    latest_title = next(r["tender"]["title"] for r in reversed(releases) if r.get("tender", {}).get("title"))
    assert tenders[0]["title"] == latest_title

    # Suitability extension and CPV come through; buyer is the OCDS buyer.
    with_suitability = [t for t in page if t["suitability"] is not None]
    assert with_suitability and all(t["cpv_codes"] for t in page)
    merton = next(t for t in page if t["buyer"]["name"] == "London Borough of Merton")
    assert merton["buyer"]["tenant_id"] == "t-oxford"

    events = await event_types(procurement_app)
    assert events["award"] > 0 and events["tender"] > 0
    async with procurement_app.state.db.reader() as session:
        for row in (await session.execute(select(platform.outbox))).all():
            assert validation_errors(row.type, orjson.loads(row.payload)) == [], row.type
    again = await upload(client, run_jobs, JSONL.read_bytes())
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": len(lines), "rejected": 0}
    assert await event_types(procurement_app) == events


@needs_sample
async def test_release_package_imports_and_exports_valid_ocds(client: httpx.AsyncClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    package = json.loads(PACKAGE.read_text())
    job = await upload(client, run_jobs, PACKAGE.read_bytes(), "package.json")
    assert job["progress"]["total"] == len(package["releases"])
    assert job["counts"]["created"] >= 1
    tender = (await client.get("/api/v1/tenders", params={"limit": 1})).json()["data"][0]
    release = (await client.get(f"/api/v1/tenders/{tender['id']}/ocds")).json()
    assert schema_errors(release) == [] and release["ocid"] == tender["ocid"]


async def test_other_dialects_are_reported_per_release_not_failed(client: httpx.AsyncClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    releases = [
        # Scotland-style: no CPV, no value, no category, a buyer by name only.
        {"ocid": "ocds-r6ebe6-0001", "id": "r1", "date": "2025-02-01T00:00:00Z", "tag": ["tender"],
         "buyer": {"name": "Fife Council"}, "tender": {"id": "t1", "title": "Grounds maintenance"}},
        # No ocid: cannot be placed in a process.
        {"id": "r2", "date": "2025-02-01T00:00:00Z", "tender": {"title": "Lost"}},
        # No tender title: not a tender.
        {"ocid": "ocds-kuma6s-0002", "id": "r3", "date": "2025-02-01T00:00:00Z", "tag": ["planning"]},
        # An unknown CPV code is dropped with a warning; the rest imports.
        {"ocid": "ocds-kuma6s-0003", "id": "r4", "date": "2025-02-01T00:00:00Z", "tag": ["tender"],
         "tender": {"title": "Cleaning", "status": "active", "classification": {"scheme": "CPV", "id": "99999999"},
                    "value": {"amount": "12000", "currency": "GBP"}, "mainProcurementCategory": "services"}},
    ]  # fmt: skip
    content = b"\n".join(orjson.dumps(r) for r in releases) + b"\n{broken json\n42\n"
    job = await upload(client, run_jobs, content)
    assert job["status"] == "partially_succeeded"
    assert job["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 4}
    errors = (await client.get(f"/api/v1/tenders/imports/{job['id']}/errors", params={"limit": 200})).json()["data"]
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append(f"{e['field']}: {e['message']}")
    assert any("no CPV classification" in m for m in by_row[1])
    assert any("no tender value" in m for m in by_row[1])
    assert by_row[2] == ["ocid: the release has no ocid"]
    assert any("no tender title" in m for m in by_row[3])
    assert any("99999999 is not a CPV 2008 code" in m for m in by_row[4])
    assert any(m.startswith("release: not JSON") for m in by_row[5])
    assert by_row[6] == ["release: expected a release package, a release or a list of releases"]
    fife = next(t for t in (await client.get("/api/v1/tenders")).json()["data"] if t["ocid"] == "ocds-r6ebe6-0001")
    assert fife["buyer"]["name"] == "Fife Council" and fife["status"] == "active" and fife["value"] is None


async def test_unreadable_files_fail_the_job_with_a_reason(client: httpx.AsyncClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    job = await upload(client, run_jobs, b'{"records": []}', "record-package.json")
    assert job["status"] == "failed"
    empty = await client.post("/api/v1/tenders/imports", files={"file": ("x.json", b"  ")})
    assert empty.status_code == 422
