"""Importing a council's land and building register: real-world header variants, eastings/northings,
row-level errors while the rest import, and a re-upload that changes nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from land.imports.runner import KIND, import_handler
from localwealth_shared.jobs import JobRunner

from .conftest import CHERWELL, ClientFactory

REGISTER = (
    "Organisation Name,UPRN,Asset Reference,Property Name,Street Number,Street,Town,Postcode,GeoX,GeoY,Tenure Type,"
    "Property Type\n"
    "Oxford City Council,100120812345,OCC-001,Town Hall,,St Aldate's,Oxford,OX1 1BX,451350,206050,Freehold,Building\n"
    "Oxford City Council,,OCC-002,Rose Hill allotments,,Rose Hill,Oxford,OX4 4HF,,,Leasehold (125 years),Land\n"
    "Oxford City Council,12A,OCC-003,Bad UPRN,,High St,Oxford,OX1 4AA,,,Freehold,Building\n"
    "Oxford City Council,100120899999,OCC-004,Bad tenure,,High St,Oxford,OX1 4AA,,,Licence,Building\n"
    "Oxford City Council,100120812345,OCC-005,Town Hall again,,St Aldate's,Oxford,OX1 1BX,,,Freehold,Building\n"
    "Oxford City Council,100120877777,OCC-006,Bad postcode,,High St,Oxford,NOT A CODE,,,Freehold,Building\n"
).encode("cp1252")


@pytest.fixture
def run_jobs(land_app: FastAPI):  # type: ignore[no-untyped-def]
    runner = JobRunner(
        land_app.state.job_store, {KIND: import_handler(land_app.state.db, land_app.state.asset_service)}
    )

    async def run() -> None:
        while await runner.run_once():
            pass

    return run


async def upload(client: httpx.AsyncClient, run_jobs, content: bytes) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = await client.post("/api/v1/assets/imports", files={"file": ("register.csv", content)})
    assert response.status_code == 202, response.text
    await run_jobs()
    return (await client.get(response.headers["Location"])).json()  # type: ignore[no-any-return]


async def test_register_imports_valid_rows_and_reports_each_rejected_row(client: httpx.AsyncClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    job = await upload(client, run_jobs, REGISTER)
    assert job["status"] == "partially_succeeded"
    assert job["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 4}
    errors = (await client.get(f"/api/v1/assets/imports/{job['id']}/errors")).json()["data"]
    by_row = {e["row"]: e for e in errors}
    assert set(by_row) == {4, 5, 6, 7}
    assert "UPRN" in by_row[4]["message"] and by_row[5]["field"] == "tenure"
    assert "row 2" in by_row[6]["message"] and by_row[7]["field"] == "postcode"
    assets = {a["reference"]: a for a in (await client.get("/api/v1/assets")).json()["data"]}
    town_hall = assets["OCC-001"]
    assert town_hall["uprn"] == "100120812345" and town_hall["tenure"] == "freehold"
    assert town_hall["point"]["lat"] == pytest.approx(51.7507, abs=0.002)  # from the easting/northing
    assert town_hall["point"]["lon"] == pytest.approx(-1.2574, abs=0.002)
    assert town_hall["lad_code"] == "E07000178" and town_hall["address"] == "St Aldate's, Oxford"
    assert assets["OCC-002"]["tenure"] == "leasehold" and assets["OCC-002"]["lad_code"] == "E07000178"


async def test_reupload_changes_nothing_and_a_changed_row_updates(client: httpx.AsyncClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    await upload(client, run_jobs, REGISTER)
    again = await upload(client, run_jobs, REGISTER)
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 4}
    changed = await upload(client, run_jobs, REGISTER.replace(b"Rose Hill allotments", b"Rose Hill gardens"))
    assert changed["counts"]["updated"] == 1 and changed["counts"]["created"] == 0
    assert len((await client.get("/api/v1/assets")).json()["data"]) == 2


async def test_a_file_without_identity_columns_fails_with_a_clear_message(client: httpx.AsyncClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    job = await upload(client, run_jobs, b"colour,size\nred,1\n")
    assert job["status"] == "failed"
    errors = (await client.get(f"/api/v1/assets/imports/{job['id']}/errors")).json()["data"]
    assert "UPRN or asset reference" in errors[0]["message"]
    assert (await client.post("/api/v1/assets/imports", files={"file": ("x.csv", b"")})).status_code == 422


async def test_import_jobs_are_private_to_their_council(make_client: ClientFactory, run_jobs) -> None:  # type: ignore[no-untyped-def]
    oxford, cherwell = make_client(), make_client(tenant=CHERWELL, area=(CHERWELL,))
    job = await upload(oxford, run_jobs, REGISTER)
    assert (await cherwell.get(f"/api/v1/assets/imports/{job['id']}")).status_code == 404
    assert (await cherwell.get("/api/v1/assets")).json()["data"] == []
