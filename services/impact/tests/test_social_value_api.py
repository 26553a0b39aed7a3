"""Social value through the API (SPEC §7.2): values by hand with and without SROI adjustments, price-year uplift
by reporting year, the double-counting guard naming both measures, a council's own (private) measure set,
delivered vs committed, ETag/If-Match, tenant isolation, and the per-organisation totals."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from impact.social_value.service import delivered_by_organisation

from .conftest import CHERWELL, ClientFactory

BASE = "/api/v1/social-value"
SETS = f"{BASE}/measure-sets"


def gbp(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "GBP"}


def measure(code: str, value: str, year: int = 2022) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Measure {code}",
        "unit": "unit",
        "proxy_value": value,
        "price_year": year,
        "licence": "Licensed to the council (test values)",
    }


def council_set(code: str = "oxford-toms", local_jobs_value: str = "100") -> dict[str, Any]:
    """A council's own set: two measures of one outcome (NT1, NT1a), and NT10 declared to overlap NT20."""
    return {
        "code": code,
        "name": "Oxford's licensed measures (test)",
        "version": "2024",
        "licence": "Licensed to Oxford City Council only",
        "themes": [
            {
                "code": "jobs",
                "name": "Jobs",
                "outcomes": [
                    {
                        "code": "jobs.local",
                        "name": "Local people employed",
                        "measures": [measure("NT1", local_jobs_value), measure("NT1a", "90")],
                    },
                    {"code": "jobs.training", "name": "Training", "measures": [measure("NT10", "250.50")]},
                    {"code": "jobs.apprentices", "name": "Apprentices", "measures": [measure("NT20", "1000")]},
                ],
            }
        ],
        "overlaps": [{"measures": ["NT10", "NT20"], "reason": "apprenticeships include their training weeks"}],
    }


async def put_set(client: httpx.AsyncClient, document: dict[str, Any], **headers: str) -> httpx.Response:
    return await client.put(f"{SETS}/{document['code']}", json=document, headers=headers)


async def commit(client: httpx.AsyncClient, award: str, lines: list[dict[str, Any]], **extra: Any) -> httpx.Response:
    return await client.post(f"{BASE}/awards/{award}/commitments", json={"commitments": lines, **extra})


async def deliver(client: httpx.AsyncClient, award: str, code: str, quantity: str, period: str) -> httpx.Response:
    body = {"measure_code": code, "quantity": quantity, "period": period}
    return await client.post(f"{BASE}/awards/{award}/actuals", json=body)


async def award_at(client: httpx.AsyncClient, award: str, year: int | None = None) -> dict[str, Any]:
    resp = await client.get(f"{BASE}/awards/{award}", params={"reporting_year": year} if year else {})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def test_values_without_adjustments_are_quantity_times_proxy_times_years(client: httpx.AsyncClient) -> None:
    resp = await commit(client, "award-1", [{"measure_code": "WELLBY", "quantity": "2", "years": 3}])
    assert resp.status_code == 201, resp.text
    assert resp.headers["Location"] == f"{BASE}/awards/award-1"
    award = await award_at(client, "award-1", 2019)  # the WELLBY's own price year: no uplift
    line = award["commitments"]["lines"][0]
    # 2 WELLBYs × £13,000 × 3 years, nothing taken off.
    assert (line["gross"], line["net"], line["uplift"]) == (gbp("78000.00"), gbp("78000.00"), "1.000000")
    assert [y["net"] for y in line["by_year"]] == [gbp("26000.00")] * 3
    assert award["commitments"]["net"] == gbp("78000.00")
    assert award["measure_set"] == {"code": "localwealth-open", "default": True}
    assert line["licence"].startswith("Open Government Licence")


async def test_sroi_adjustments_by_hand(client: httpx.AsyncClient) -> None:
    assert (await put_set(client, council_set())).status_code == 201
    adjustments = {"deadweight": "0.2", "displacement": "0.1", "attribution": "0.25", "drop_off": "0.5"}
    resp = await commit(
        client,
        "award-2",
        [{"measure_code": "NT1", "quantity": "10", "years": 2, "adjustments": adjustments}],
        measure_set="oxford-toms",
    )
    assert resp.status_code == 201, resp.text
    line = (await award_at(client, "award-2", 2022))["commitments"]["lines"][0]
    # gross = 10 × £100 × 2 years = 2000. After deadweight (20%) 1600, displacement (10%) 1440, attribution (25%)
    # 1080. Year 1 net = 1000 × 0.8 × 0.9 × 0.75 = 540, year 2 = 540 × (1 − 0.5) = 270: net 810, drop-off 270.
    assert line["gross"] == gbp("2000.00") and line["net"] == gbp("810.00")
    assert line["effects"] == {
        "deadweight": gbp("400.00"),
        "displacement": gbp("160.00"),
        "attribution": gbp("360.00"),
        "drop_off": gbp("270.00"),
    }
    assert [(y["year"], y["gross"], y["net"]) for y in line["by_year"]] == [
        (1, gbp("1000.00"), gbp("540.00")),
        (2, gbp("1000.00"), gbp("270.00")),
    ]
    assert line["adjustments"] == adjustments and line["quantity"] == "10"


async def test_reporting_year_uplifts_by_the_gdp_deflator(client: httpx.AsyncClient) -> None:
    await commit(client, "award-3", [{"measure_code": "WELLBY", "quantity": "1"}])
    # £13,000 (2019 prices) × 106.9 / 90.3 (ONS YBGB 2023 over 2019) = £15,389.81.
    in_2023 = (await award_at(client, "award-3", 2023))["commitments"]["lines"][0]
    assert in_2023["unit_value"] == gbp("15389.81") and in_2023["net"] == gbp("15389.81")
    assert in_2023["uplift"] == "1.183832" and in_2023["reporting_year"] == 2023
    # Without a reporting year: the index's latest year, 2024 (× 111.2 / 90.3).
    latest = await award_at(client, "award-3")
    assert latest["reporting_year"] == 2024 and latest["commitments"]["net"] == gbp("16008.86")
    outside = await client.get(f"{BASE}/awards/award-3", params={"reporting_year": 1995})
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["loc"] == ["query", "reporting_year"]
    assert outside.json()["errors"][0]["type"] == "year_not_in_index"


async def test_double_counting_is_refused_naming_both_measures(client: httpx.AsyncClient) -> None:
    await put_set(client, council_set())
    same_outcome = await commit(
        client,
        "award-4",
        [{"measure_code": "NT1", "quantity": "1"}, {"measure_code": "NT1a", "quantity": "1"}],
        measure_set="oxford-toms",
    )
    assert same_outcome.status_code == 422
    problem = same_outcome.json()
    assert problem["code"] == "double_counting" and problem["measures"] == ["NT1", "NT1a"]
    assert problem["errors"][0]["loc"] == ["body", "commitments", 1, "measure_code"]
    assert "'NT1'" in problem["detail"] and "'NT1a'" in problem["detail"] and "jobs.local" in problem["detail"]
    assert (await client.get(f"{BASE}/awards/award-4")).status_code == 404  # nothing was stored

    # Against what the award already has: first NT10, later NT20 (declared to overlap it).
    assert (
        await commit(client, "award-4", [{"measure_code": "NT10", "quantity": "5"}], measure_set="oxford-toms")
    ).status_code == 201
    overlap = await commit(client, "award-4", [{"measure_code": "NT20", "quantity": "1"}])
    assert overlap.status_code == 422
    assert overlap.json()["measures"] == ["NT10", "NT20"] and overlap.json()["reason"] == "declared_overlap"
    assert overlap.json()["errors"][0]["loc"] == ["body", "commitments", 0, "measure_code"]
    again = await commit(client, "award-4", [{"measure_code": "NT10", "quantity": "1"}])
    assert again.status_code == 422 and again.json()["reason"] == "same_measure"
    assert len((await award_at(client, "award-4"))["commitments"]["lines"]) == 1


async def test_actuals_delivered_share_and_overlapping_periods(client: httpx.AsyncClient) -> None:
    await commit(client, "award-5", [{"measure_code": "WELLBY", "quantity": "4", "years": 2}])
    first = await deliver(client, "award-5", "WELLBY", "2", "2024-25")
    assert first.status_code == 201, first.text
    award = await award_at(client, "award-5", 2019)
    assert award["delivery"] == [
        {"measure_code": "WELLBY", "committed": "8", "delivered": "2", "delivered_share": "0.2500"}
    ]
    assert award["actuals"]["lines"][0]["period"] == "2024-25" and award["actuals"]["net"] == gbp("26000.00")
    # Net delivered / net committed: 26,000 / 104,000.
    assert award["delivered_share"] == "0.2500"

    # A quarter of a year already claimed overlaps it; the next year's quarter does not.
    quarter = await deliver(client, "award-5", "WELLBY", "1", "2024-25-Q1")
    assert quarter.status_code == 422 and quarter.json()["code"] == "double_counting"
    assert quarter.json()["errors"][0]["loc"] == ["body", "measure_code"]
    assert (await deliver(client, "award-5", "WELLBY", "1", "2025-26-Q1")).status_code == 201

    for refused, loc, rule in (
        (await deliver(client, "award-5", "WELLBY", "-1", "2025-26-Q2"), "quantity", "greater_than_equal"),
        (await deliver(client, "award-5", "NOPE", "1", "2025-26-Q2"), "measure_code", "unknown_measure"),
        (await deliver(client, "award-5", "WELLBY", "1", "2025-27"), "period", "period.financial_year"),
    ):
        assert refused.status_code == 422, refused.text
        assert (refused.json()["errors"][0]["loc"], refused.json()["errors"][0]["type"]) == (["body", loc], rule)
    assert (await deliver(client, "no-such-award", "WELLBY", "1", "2024-25")).status_code == 404


async def test_a_councils_own_measure_set_is_private_to_it(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    created = await put_set(client, council_set())
    assert created.status_code == 201 and created.headers["ETag"] == 'W/"1"'
    listed = (await client.get(SETS)).json()["data"]
    assert [(s["code"], s["default"]) for s in listed] == [("localwealth-open", True), ("oxford-toms", False)]
    mine = (await client.get(f"{SETS}/oxford-toms")).json()
    assert mine["document"]["themes"][0]["outcomes"][0]["measures"][0]["proxy_value"] == "100"
    assert mine["measures"] == 4 and mine["edition"] == "2024"

    other = make_client(tenant=CHERWELL, area=(CHERWELL,))
    assert (await other.get(f"{SETS}/oxford-toms")).status_code == 404
    assert [s["code"] for s in (await other.get(SETS)).json()["data"]] == ["localwealth-open"]
    refused = await commit(
        other, "cherwell-award", [{"measure_code": "NT1", "quantity": "1"}], measure_set="oxford-toms"
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["type"] == "measure_set.unknown"
    # Cherwell may hold a set with the same code and its own values; neither sees the other's.
    assert (await put_set(other, council_set(local_jobs_value="70"))).status_code == 201
    await commit(other, "cherwell-award", [{"measure_code": "NT1", "quantity": "1"}], measure_set="oxford-toms")
    await commit(client, "oxford-award", [{"measure_code": "NT1", "quantity": "1"}], measure_set="oxford-toms")
    assert (await award_at(other, "cherwell-award", 2022))["commitments"]["net"] == gbp("70.00")
    assert (await award_at(client, "oxford-award", 2022))["commitments"]["net"] == gbp("100.00")


async def test_measure_set_uploads_are_checked(client: httpx.AsyncClient) -> None:
    doc = council_set()
    mismatch = await client.put(f"{SETS}/another-code", json=doc)
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["loc"] == ["body", "code"]
    reserved = await client.put(f"{SETS}/localwealth-open", json={**doc, "code": "localwealth-open"})
    assert reserved.status_code == 422 and reserved.json()["errors"][0]["type"] == "measure_set.reserved"
    twice = copy.deepcopy(doc)
    twice["themes"][0]["outcomes"][1]["measures"].append(measure("NT1", "5"))  # NT1 in two outcomes
    bad = await put_set(client, twice)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:2] == ["body", "themes"]
    assert "exactly one outcome" in bad.json()["errors"][0]["msg"]
    assert (await put_set(client, {**doc, "colour": "red"})).status_code == 422


async def test_a_measure_priced_in_a_year_the_index_lacks_is_refused_when_committed(client: httpx.AsyncClient) -> None:
    doc = council_set()
    doc["themes"][0]["outcomes"][0]["measures"][0]["price_year"] = 2030  # the bundled deflator ends in 2024
    await put_set(client, doc)
    resp = await commit(client, "award-12", [{"measure_code": "NT1", "quantity": "1"}], measure_set="oxford-toms")
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["loc"] == ["body", "commitments", 0, "measure_code"]
    assert resp.json()["errors"][0]["type"] == "year_not_in_index" and "2030" in resp.json()["errors"][0]["msg"]
    assert (await client.get(f"{BASE}/awards/award-12")).status_code == 404
    create_with_if_match = await put_set(client, council_set("new-set"), **{"If-Match": 'W/"1"'})
    assert create_with_if_match.status_code == 412


async def test_replacing_a_set_needs_the_current_etag_and_keeps_measures_in_use(client: httpx.AsyncClient) -> None:
    await put_set(client, council_set())
    await commit(client, "award-6", [{"measure_code": "NT10", "quantity": "2"}], measure_set="oxford-toms")
    stale = await put_set(client, council_set(local_jobs_value="120"), **{"If-Match": 'W/"7"'})
    assert stale.status_code == 412
    replaced = await put_set(client, council_set(local_jobs_value="120"), **{"If-Match": 'W/"1"'})
    assert replaced.status_code == 200 and replaced.headers["ETag"] == 'W/"2"'
    without_nt10 = council_set()
    without_nt10["themes"][0]["outcomes"].pop(1)
    without_nt10["overlaps"] = []
    in_use = await put_set(client, without_nt10)
    assert in_use.status_code == 409 and in_use.json()["measures"] == ["NT10"]
    # 2 training weeks × £250.50 in 2022 prices.
    assert (await award_at(client, "award-6", 2022))["commitments"]["net"] == gbp("501.00")


async def test_awards_are_private_to_their_council(client: httpx.AsyncClient, make_client: ClientFactory) -> None:
    await commit(client, "award-7", [{"measure_code": "WELLBY", "quantity": "1"}])
    other = make_client(tenant=CHERWELL, area=(CHERWELL,))
    assert (await other.get(f"{BASE}/awards/award-7")).status_code == 404
    assert (await deliver(other, "award-7", "WELLBY", "1", "2024-25")).status_code == 404
    assert (await other.patch(f"{BASE}/awards/award-7", json={"organisation_id": "x"})).status_code == 404
    assert (await other.get(f"{BASE}/summary")).json()["awards"] == 0
    assert (await award_at(client, "award-7"))["actuals"]["lines"] == []


async def test_the_summary_totals_committed_and_delivered(client: httpx.AsyncClient) -> None:
    await commit(client, "award-8", [{"measure_code": "WELLBY", "quantity": "2"}])
    await commit(
        client, "award-9", [{"measure_code": "WELLBY-0.1", "quantity": "10", "adjustments": {"deadweight": "0.5"}}]
    )
    await deliver(client, "award-8", "WELLBY", "1", "2024-25")
    summary = (await client.get(f"{BASE}/summary", params={"reporting_year": 2019})).json()
    # Committed: 2 × 13,000 + 10 × 1,300 × 0.5 = 32,500 net (39,000 gross); delivered 13,000.
    assert summary["awards"] == 2 and summary["reporting_year"] == 2019
    assert summary["committed"]["gross"] == gbp("39000.00") and summary["committed"]["net"] == gbp("32500.00")
    assert summary["committed"]["effects"]["deadweight"] == gbp("6500.00")
    assert summary["delivered"]["net"] == gbp("13000.00") and summary["delivered_share"] == "0.4000"


async def test_the_supplier_organisation_links_and_totals_across_councils(
    client: httpx.AsyncClient, make_client: ClientFactory, impact_app: FastAPI
) -> None:
    org = "9a0c3f4e-0000-4000-8000-000000000001"
    await commit(client, "award-10", [{"measure_code": "WELLBY", "quantity": "1"}], organisation_id=org)
    other = make_client(tenant=CHERWELL, area=(CHERWELL,))
    await commit(other, "award-11", [{"measure_code": "WELLBY-0.1", "quantity": "1"}])
    await deliver(other, "award-11", "WELLBY-0.1", "1", "2024-25")

    # Linking after the fact: PATCH with the ETag read (a stale one is refused).
    read = await client.get(f"{BASE}/awards/award-11")
    assert read.status_code == 404  # Oxford cannot link Cherwell's award
    etag = (await other.get(f"{BASE}/awards/award-11")).headers["ETag"]
    stale = await other.patch(f"{BASE}/awards/award-11", json={"organisation_id": org}, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    linked = await other.patch(f"{BASE}/awards/award-11", json={"organisation_id": org}, headers={"If-Match": etag})
    assert linked.status_code == 200 and linked.json()["organisation_id"] == org
    fixed = await commit(client, "award-10", [{"measure_code": "WELLBY-0.1", "quantity": "1"}], organisation_id="y")
    assert fixed.status_code == 422 and fixed.json()["errors"][0]["loc"] == ["body", "organisation_id"]

    async with impact_app.state.db.reader() as session:
        delivered, committed = await delivered_by_organisation(session, org, reporting_year=2019)
        nobody = await delivered_by_organisation(session, "no-such-organisation")
    # Committed 13,000 (Oxford) + 1,300 (Cherwell); delivered 1,300 (Cherwell), in 2019 prices.
    assert (delivered, committed) == (Decimal("1300.00"), Decimal("14300.00"))
    assert nobody == (Decimal(0), Decimal(0))
