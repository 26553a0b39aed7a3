"""The CWB indicators through the API: local spend and its classes (exact shares, coverage), the five pillars
fed by spend, registry, procurement and land events, CSV and SVG for reports, tenant isolation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from impact.activity.consumer import apply_activity_event
from localwealth_shared.events.envelope import CloudEvent

from .conftest import CHERWELL, OXFORD, ClientFactory

LEDGER = (
    b"Paid Date,Supplier Name,Amount,Trans No,Expenditure Category\n"
    b"01/04/2017,COWLEY ROAD BAKERY CO-OP,1500.00,T1,Catering\n"
    b"02/07/2017,COWLEY ROAD BAKERY CO-OP,500.00,T2,Catering\n"
    b"03/04/2017,BANBURY HAULAGE LTD,3000.00,T3,Transport\n"
    b"04/04/2017,REDACTED - PERSONAL DATA,1000.00,T4,=Grants\n"
    b"05/04/2017,SOMEONE NOT IN THE REGISTRY,4000.00,T5,Consultancy\n"
    b"05/04/2016,COWLEY ROAD BAKERY CO-OP,999.99,T6,Catering\n"
)  # 2017-18: £10,000 — £2,000 with a local Real Living Wage co-op, £3,000 with a non-local SME


async def seed(known_organisation: Any, upload: Any) -> dict[str, str]:
    bakery = await known_organisation(
        "Cowley Road Bakery Co-operative Limited",
        certifications=[{"scheme": "real_living_wage", "status": "active"}],
    )
    haulage = await known_organisation(
        "Banbury Haulage Ltd", legal_form="company_limited_by_shares", lad=CHERWELL,
        flags={"is_sme": True, "is_vcse": False, "is_social_economy": False},
    )  # fmt: skip
    job = await upload(LEDGER, filename="spend.csv")
    assert job["status"] == "succeeded", job
    return {"bakery": bakery, "haulage": haulage}


async def test_local_spend_shares_are_exact_and_say_their_coverage(
    client: httpx.AsyncClient, known_organisation: Any, upload: Any
) -> None:
    await seed(known_organisation, upload)
    body = (await client.get("/api/v1/indicators/local-spend", params={"period": "2017-18"})).json()
    (group,) = body["groups"]
    assert group["total"]["amount"] == "10000.00"
    assert group["by_class"]["local"]["amount"] == "2000.00" and group["shares"]["local"] == "0.2000"
    assert group["shares"]["sme"] == "0.5000"  # the co-op (SME by its flags) and the haulier
    assert group["shares"]["social_economy"] == "0.2000" and group["shares"]["real_living_wage"] == "0.2000"
    assert group["coverage"] == {"reconciled_share": "0.5000", "redacted_share": "0.1000"}
    by_year = (await client.get("/api/v1/indicators/local-spend", params={"by": "financial_year"})).json()
    assert [g["group"] for g in by_year["groups"]] == ["2016-17", "2017-18"]
    by_quarter = (
        await client.get("/api/v1/indicators/local-spend", params={"period": "2017-18", "by": "quarter"})
    ).json()
    assert {g["group"]: g["by_class"]["local"]["amount"] for g in by_quarter["groups"]} == {
        "2017-18-Q1": "1500.00", "2017-18-Q2": "500.00"
    }  # fmt: skip
    by_category = (await client.get("/api/v1/indicators/local-spend", params={"by": "category"})).json()
    assert {g["group"] for g in by_category["groups"]} >= {"Catering", "Transport", "=Grants"}
    by_area = (await client.get("/api/v1/indicators/local-spend", params={"by": "service_area"})).json()
    assert [g["group"] for g in by_area["groups"]] == ["(uncategorised)"]  # this ledger has no service areas


def event(kind: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(
        type=f"org.localwealth.{kind}.v1", source="/test", data=data, time=datetime(2017, 6, 1, tzinfo=UTC)
    )


async def deliver(app: FastAPI, *events: CloudEvent) -> None:
    async with app.state.db.transaction() as session:
        for e in events:
            await apply_activity_event(session, e)


def tender(tender_id: str, *, buyer: str = OXFORD, reserved: bool, lots: int, version: int = 1) -> CloudEvent:
    return event("procurement.tender.published", {
        "id": tender_id, "ocid": f"ocds-x-{tender_id}", "buyer": {"tenant_id": buyer}, "version": version,
        "tender_period": {"start_date": "2017-05-01"}, "value": {"amount": "50000.00", "currency": "GBP"},
        "reservation": {"scope": "local_area" if reserved else "none"}, "lots": [{"id": str(i)} for i in range(lots)],
    })  # fmt: skip


async def test_the_five_pillars_from_spend_registry_procurement_and_land(
    impact_app: FastAPI, client: httpx.AsyncClient, known_organisation: Any, upload: Any
) -> None:
    ids = await seed(known_organisation, upload)
    await deliver(
        impact_app,
        tender("t1", reserved=True, lots=3),
        tender("t2", reserved=False, lots=1),
        tender("t2", reserved=True, lots=1, version=0),  # an older version arriving late changes nothing
        tender("t3", reserved=True, lots=2, buyer=CHERWELL),  # another council's tender
        event("land.transfer.completed", {
            "id": "cat-1", "asset_id": "a1", "organisation_id": ids["bakery"], "council": OXFORD, "version": 6,
            "stage": "completed", "transfer_type": "long_lease", "completed_on": "2017-09-30",
            "market_value": {"amount": "250000.00", "currency": "GBP"},
        }),
        event("land.acv.listed", {"id": "acv-1", "council": OXFORD, "version": 2, "status": "listed",
                                  "listed_on": "2017-05-20", "listing_ends": "2022-05-19"}),
        event("procurement.award.made", {
            "id": "aw-1", "tender_id": "t1", "ocid": "ocds-x-t1", "buyer": {"tenant_id": OXFORD}, "date": "2017-06-10",
            "supplier": {"organisation_id": ids["bakery"], "name": "Cowley Road Bakery"},
            "value": {"amount": "30000.00", "currency": "GBP"},
        }),
        event("procurement.award.made", {
            "id": "aw-2", "tender_id": "t2", "ocid": "ocds-x-t2", "buyer": {"tenant_id": OXFORD}, "date": "2017-07-10",
            "supplier": {"organisation_id": ids["haulage"], "name": "Banbury Haulage"},
            "value": {"amount": "70000.00", "currency": "GBP"},
        }),
        event("land.asset.registered", {"id": "a1", "owner": OXFORD, "status": "for_disposal", "version": 1}),
        event("land.asset.registered", {"id": "a2", "owner": OXFORD, "status": "in_use", "version": 1}),
        event("land.asset.transferred", {"id": "a1", "organisation_id": ids["bakery"], "version": 5}),
        event("land.asset.transferred", {"id": "unknown", "organisation_id": ids["bakery"], "version": 5}),
    )  # fmt: skip
    body = (await client.get("/api/v1/indicators", params={"period": "2017-18"})).json()
    assert body["period"]["financial_year"] == "2017-18" and body["area"] == {"lad_codes": [OXFORD]}
    pillars = {p["id"]: {i["id"]: i for i in p["indicators"]} for p in body["pillars"]}
    assert list(pillars) == [
        "plural_ownership", "financial_power", "fair_employment", "progressive_procurement", "land_and_property"
    ]  # fmt: skip
    for indicator in (i for p in pillars.values() for i in p.values()):
        assert {"value", "unit", "period", "method", "coverage"} <= set(indicator), indicator
    assert pillars["plural_ownership"]["social_economy_spend_share"]["value"] == "0.2000"
    assert pillars["plural_ownership"]["cooperatives_in_area"]["value"] == 1
    assert pillars["fair_employment"]["real_living_wage_spend_share"]["value"] == "0.2000"
    procurement = pillars["progressive_procurement"]
    assert procurement["local_spend_share"]["value"] == "0.2000"
    assert procurement["local_spend_share"]["coverage"]["reconciled_share"] == "0.5000"
    assert procurement["tenders_reserved_share"]["value"] == "0.5000"
    assert procurement["tenders_lotted_share"]["value"] == "0.5000"
    assert procurement["lm3"]["value"] is None
    assert procurement["awards_local_share"]["value"] == "0.3000"
    assert procurement["awards_social_economy_share"]["value"] == "0.3000"
    assert procurement["awards_local_share"]["coverage"]["linked_share"] == "1.0000"
    land = pillars["land_and_property"]
    assert (
        land["assets_transferred"]["value"] == 1
        and land["assets_transferred"]["coverage"]["market_value"] == "250000.00"
    )
    assert land["acv_listed"]["value"] == 1 and land["community_owned_assets"]["value"] == 1
    assert pillars["financial_power"]["local_investment"]["value"] is None
    # Redelivering every event changes no figure.
    await deliver(impact_app, tender("t1", reserved=True, lots=3), tender("t2", reserved=False, lots=1))
    assert (await client.get("/api/v1/indicators", params={"period": "2017-18"})).json() == body


async def test_the_council_supplies_local_investment(client: httpx.AsyncClient) -> None:
    resp = await client.put(
        "/api/v1/indicators/inputs/local_investment/2017-18", json={"amount": {"amount": "1500000.00"}, "note": "LGPS"}
    )
    assert resp.status_code == 200 and resp.json()["version"] == 1
    body = (await client.get("/api/v1/indicators", params={"period": "2017-18"})).json()
    investment = body["pillars"][1]["indicators"][0]
    assert investment["value"] == "1500000.00" and investment["coverage"] == {"supplied": True, "note": "LGPS"}
    bad = await client.put("/api/v1/indicators/inputs/local_investment/2017-19", json={"amount": {"amount": "1"}})
    assert bad.status_code == 422


async def test_lm3_analysis_of_the_period_feeds_the_pillar(
    client: httpx.AsyncClient, known_organisation: Any, upload: Any
) -> None:
    await seed(known_organisation, upload)
    created = await client.post("/api/v1/lm3/analyses", json={"from_spend": {"period": "2017-18"}})
    assert created.status_code == 201, created.text
    body = (await client.get("/api/v1/indicators", params={"period": "2017-18"})).json()
    lm3 = next(i for i in body["pillars"][3]["indicators"] if i["id"] == "lm3")
    assert lm3["value"] == created.json()["lm3"] and lm3["coverage"]["analysis_id"] == created.json()["id"]
    assert "of the period" in lm3["method"]


async def test_indicators_as_csv_and_charts(client: httpx.AsyncClient, known_organisation: Any, upload: Any) -> None:
    await seed(known_organisation, upload)
    resp = await client.get("/api/v1/indicators/export.csv", params={"period": "2017-18"})
    assert resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert {r["indicator"] for r in rows} >= {"local_spend_share", "lm3", "assets_transferred"}
    assert next(r for r in rows if r["indicator"] == "local_spend_share")["value"] == "0.2000"
    for chart, params in (("local-spend", {"by": "financial_year"}), ("spend-by-category", {"period": "2017-18"})):
        svg = await client.get(f"/api/v1/indicators/charts/{chart}.svg", params=params)
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        assert svg.text.startswith("<svg") and "</svg>" in svg.text
    categories = (await client.get("/api/v1/indicators/charts/spend-by-category.svg")).text
    assert "Consultancy" in categories and "=Grants" in categories and "<script" not in categories


async def test_another_council_sees_none_of_it(
    make_client: ClientFactory, known_organisation: Any, upload: Any
) -> None:
    await seed(known_organisation, upload)
    other = make_client(tenant=CHERWELL, area=(CHERWELL,))
    body = (await other.get("/api/v1/indicators", params={"period": "2017-18"})).json()
    local = next(i for i in body["pillars"][3]["indicators"] if i["id"] == "local_spend_share")
    assert local["value"] is None and local["coverage"]["spend"] == "0.00"
    assert (await other.get("/api/v1/indicators/local-spend")).json()["groups"] == []


async def test_the_default_period_is_the_latest_financial_year_with_spend(
    client: httpx.AsyncClient, known_organisation: Any, upload: Any
) -> None:
    await seed(known_organisation, upload)
    assert (await client.get("/api/v1/indicators")).json()["period"]["financial_year"] == "2017-18"
    assert Decimal("0.2") == Decimal(
        (await client.get("/api/v1/indicators")).json()["pillars"][3]["indicators"][0]["value"]
    )
