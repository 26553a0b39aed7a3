"""Bulk imports: the whole Co-operatives UK file, row-level errors, idempotent re-upload, tenant isolation."""

from __future__ import annotations

import httpx
import pytest

from .conftest import COOPS_UK_SAMPLE, ClientFactory

GENERIC_CSV = (
    b"name,legal_form,companies_house_number,postcode,employees,cpv_codes\n"
    b"Cowley Road Bakery CIC,Community Interest Company,12345678,OX4 1AA,8,15612500\n"
    b"Jericho Repair Cafe,unincorporated association,,OX2 6AA,,\n"
    b"Broken Employees Ltd,Company limited by guarantee,,OX1 1BX,lots,\n"
    b",Company,,OX1 1BX,,\n"
    b"Bad Postcode Co-op,Society,,NOT-A-PC,,\n"
)


async def upload(client: httpx.AsyncClient, content: bytes, fmt: str) -> str:
    resp = await client.post("/api/v1/organisations/imports", files={"file": ("upload", content)}, data={"format": fmt})
    assert resp.status_code == 202, resp.text
    assert resp.headers["location"] == f"/api/v1/organisations/imports/{resp.json()['id']}"
    return resp.headers["location"]


async def test_generic_csv_imports_valid_rows_and_reports_each_rejected_row(
    client: httpx.AsyncClient, run_jobs
) -> None:
    job_url = await upload(client, GENERIC_CSV, "csv")
    assert (await client.get(job_url)).json()["status"] == "queued"
    await run_jobs()
    job = (await client.get(job_url)).json()
    assert job["status"] == "partially_succeeded"
    assert job["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    assert job["progress"] == {"processed": 5, "total": 5}
    rejected_rows = {(e["row"], e["field"]) for e in job["errors"]}
    assert (4, "employees") in rejected_rows
    assert any(row == 5 for row, _ in rejected_rows)
    assert (6, "sites.0.postcode") in rejected_rows
    csv_text = (await client.get(job_url + "/errors.csv")).text
    assert csv_text.splitlines()[0] == "row,field,message"

    second = await upload(client, GENERIC_CSV, "csv")
    await run_jobs()
    again = (await client.get(second)).json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 3}


async def test_import_jobs_are_private_to_their_tenant(make_client: ClientFactory, run_jobs) -> None:
    job_url = await upload(make_client("t-oxford"), GENERIC_CSV, "csv")
    other = make_client("t-leeds")
    assert (await other.get(job_url)).status_code == 404
    assert (await other.get(job_url + "/errors")).status_code == 404


async def test_an_unreadable_file_fails_the_job_with_a_reason(client: httpx.AsyncClient, run_jobs) -> None:
    job_url = await upload(client, b"[{not json", "hsds-json")
    await run_jobs()
    job = (await client.get(job_url)).json()
    assert job["status"] == "failed" and job["message"]
    assert (
        await client.post("/api/v1/organisations/imports", files={"file": ("e", b"")}, data={"format": "csv"})
    ).status_code == 422
    bad_format = await client.post("/api/v1/organisations/imports", files={"file": ("x", b"a")}, data={"format": "xls"})
    assert bad_format.status_code == 422 and ["body", "format"] in [e["loc"] for e in bad_format.json()["errors"]]


@pytest.mark.slow
@pytest.mark.skipif(not COOPS_UK_SAMPLE.exists(), reason="Co-operatives UK sample not present beside the repository")
async def test_the_whole_coops_uk_file_imports_and_a_second_upload_changes_nothing(
    client: httpx.AsyncClient, run_jobs, registry_app
) -> None:
    content = COOPS_UK_SAMPLE.read_bytes()
    first = await upload(client, content, "coops-uk")
    await run_jobs()
    job = (await client.get(first)).json()
    assert job["status"] == "succeeded", job
    assert job["counts"] == {"created": 7272, "updated": 0, "unchanged": 0, "rejected": 0}
    # Rows kept with something dropped or flagged carry a warning each (e.g. Co-ops UK's padded SIC codes).
    assert job["error_count"] > 0 and all(e["message"].startswith("warning") for e in job["errors"])

    from registry.db import platform
    from sqlalchemy import func, select

    async with registry_app.state.db.reader() as session:
        events_after_first = (await session.execute(select(func.count()).select_from(platform.outbox))).scalar_one()
    assert events_after_first == 7272

    second = await upload(client, content, "coops-uk")
    await run_jobs()
    job = (await client.get(second)).json()
    assert job["counts"] == {"created": 0, "updated": 0, "unchanged": 7272, "rejected": 0}
    async with registry_app.state.db.reader() as session:
        assert (await session.execute(select(func.count()).select_from(platform.outbox))).scalar_one() == 7272
    found = (await client.get("/api/v1/organisations", params={"q": "The Co-operative Group"})).json()["data"][0]
    assert found["sites"][0]["postcode"] == "M60 0AG" and found["flags"]["is_social_economy"] is True
