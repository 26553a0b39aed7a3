"""ACV over HTTP: nominations, decisions, listings, reviews, disposal notices, bid requests; every event
written validates against its contract; cases are private to their council."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from localwealth_shared.contracts import validation_errors
from sqlalchemy import select

from .conftest import CHERWELL, OXFORD, ClientFactory

AddOrganisation = Callable[..., Awaitable[str]]


async def nominate(client: httpx.AsyncClient, organisation_id: str, **overrides: Any) -> httpx.Response:
    body = {
        "address": "The Star Inn, 21 Rectory Road, Oxford",
        "postcode": "OX4 1BU",
        "nominating_organisation_id": organisation_id,
        "received_date": "2025-01-31",
        "reasons": "The pub is the meeting place of the Cowley Road community.",
        **overrides,
    }
    return await client.post("/api/v1/acv/nominations", json=body)


async def listed_case(client: httpx.AsyncClient, organisation_id: str, decision_date: str = "2025-03-20") -> str:
    response = await nominate(client, organisation_id)
    assert response.status_code == 201, response.text
    case_id = response.json()["id"]
    decided = await client.post(
        f"/api/v1/acv/nominations/{case_id}/decision", json={"decision": "listed", "decision_date": decision_date}
    )
    assert decided.status_code == 200, decided.text
    return str(case_id)


async def test_nomination_by_a_local_charity_is_due_in_eight_weeks(
    client: httpx.AsyncClient, known_organisation: AddOrganisation
) -> None:
    charity = await known_organisation("charity_trust")
    response = await nominate(client, charity)
    assert response.status_code == 201, response.text
    case = response.json()
    assert (case["status"], case["decision_due"], case["regime"]) == ("nominated", "2025-03-27", "LA2011")
    assert case["nominator_category"] == "charity"
    asset = (await client.get(f"/api/v1/assets/{case['asset_id']}")).json()
    assert asset["postcode"] == "OX4 1BU"


@pytest.mark.parametrize(
    ("legal_form", "kwargs", "body", "reason"),
    [
        ("credit_union", {}, {"non_distributing": True}, "credit union is excluded"),
        ("company_limited_by_shares", {}, {}, "not a body that may nominate"),
        ("unincorporated_association", {"members": 12}, {"non_distributing": True}, "the registry records 12"),
        ("company_limited_by_guarantee", {}, {}, "does not distribute surplus"),
        ("charity_trust", {"lad": "E09000033"}, {}, "no local connection"),
    ],
)
async def test_ineligible_nominators_are_refused_with_the_reason(
    client: httpx.AsyncClient,
    known_organisation: AddOrganisation,
    legal_form: str,
    kwargs: dict[str, Any],
    body: dict[str, Any],
    reason: str,
) -> None:
    org = await known_organisation(legal_form, **kwargs)
    response = await nominate(client, org, **body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["body", "nominating_organisation_id"]
    assert problem["errors"][0]["type"] == "acv.nominator_ineligible"
    assert reason in problem["detail"]


async def test_unknown_organisation_asset_and_bad_bodies_are_422(
    client: httpx.AsyncClient, known_organisation: AddOrganisation
) -> None:
    charity = await known_organisation("charity_trust")
    unknown = await nominate(client, "00000000-0000-0000-0000-000000000000")
    assert unknown.json()["errors"][0]["type"] == "organisation.unknown"
    no_asset = await nominate(client, charity, address=None, postcode=None, asset_id="nope")
    assert no_asset.status_code == 422 and no_asset.json()["errors"][0]["type"] == "asset.unknown"
    neither = await nominate(client, charity, address=None)
    assert neither.status_code == 422
    bad_date = await nominate(client, charity, received_date="2025-02-30")
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["loc"] == ["body", "received_date"]


async def test_spec_worked_example_through_the_api(
    client: httpx.AsyncClient, known_organisation: AddOrganisation
) -> None:
    charity, cic = await known_organisation("charity_trust"), await known_organisation("community_interest_company")
    case_id = await listed_case(client, charity)
    listing = (await client.get(f"/api/v1/acv/listings/{case_id}")).json()
    assert (listing["listed_on"], listing["listing_ends"]) == ("2025-03-20", "2030-03-19")
    assert listing["review_request_deadline"] == "2025-05-14"

    notice = await client.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2025-03-03"})
    assert notice.status_code == 422  # before the listing
    notice = await client.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2025-04-01"})
    assert notice.status_code == 201, notice.text
    clocks = notice.json()
    assert clocks["interim_moratorium_ends"] == "2025-05-12"
    assert clocks["protected_period_ends"] == "2026-09-30"
    assert clocks["full_moratorium_ends"] is None

    late = await client.post(
        f"/api/v1/acv/listings/{case_id}/bid-requests", json={"organisation_id": cic, "received_date": "2025-05-13"}
    )
    assert late.status_code == 422 and late.json()["errors"][0]["type"] == "acv.bid_request_too_late"
    in_time = await client.post(
        f"/api/v1/acv/listings/{case_id}/bid-requests", json={"organisation_id": cic, "received_date": "2025-05-12"}
    )
    assert in_time.status_code == 201, in_time.text
    assert in_time.json()["full_moratorium_ends"] == "2025-09-30"
    again = await client.post(
        f"/api/v1/acv/listings/{case_id}/bid-requests", json={"organisation_id": cic, "received_date": "2025-05-01"}
    )
    assert again.status_code == 409

    second = await client.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2026-01-10"})
    assert second.status_code == 201
    body = second.json()
    assert body["disposal_notices"][-1]["starts_moratorium"] is False
    assert "protected period" in body["disposal_notices"][-1]["reason"]
    assert body["interim_moratorium_ends"] == "2025-05-12"  # unchanged: the first notice still governs


async def test_ineligible_bidder_gets_no_full_moratorium(
    client: httpx.AsyncClient, known_organisation: AddOrganisation
) -> None:
    charity = await known_organisation("charity_trust")
    association = await known_organisation("unincorporated_association", members=80)
    case_id = await listed_case(client, charity)
    await client.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2025-04-01"})
    response = await client.post(
        f"/api/v1/acv/listings/{case_id}/bid-requests",
        json={"organisation_id": association, "received_date": "2025-04-02", "non_distributing": True},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "acv.bidder_ineligible"


async def test_review_and_tribunal_appeal_deadlines(
    client: httpx.AsyncClient, known_organisation: AddOrganisation
) -> None:
    case_id = await listed_case(client, await known_organisation("parish_council"))
    base = f"/api/v1/acv/listings/{case_id}"
    too_late = await client.post(f"{base}/review-request", json={"requested_on": "2025-05-15"})
    assert too_late.status_code == 422 and too_late.json()["errors"][0]["type"] == "acv.review_too_late"
    assert (await client.post(f"{base}/appeal", json={"lodged_on": "2025-05-01"})).status_code == 409
    assert (await client.post(f"{base}/review-request", json={"requested_on": "2025-05-14"})).status_code == 200
    decided = await client.post(f"{base}/review-decision", json={"outcome": "upheld", "decided_on": "2025-06-30"})
    assert decided.json()["appeal_deadline"] == "2025-07-27"
    late_appeal = await client.post(f"{base}/appeal", json={"lodged_on": "2025-07-28"})
    assert late_appeal.status_code == 422
    appeal = await client.post(f"{base}/appeal", json={"lodged_on": "2025-07-27"})
    assert appeal.status_code == 200 and appeal.json()["appeal_lodged_on"] == "2025-07-27"


async def test_not_listed_and_double_decisions(client: httpx.AsyncClient, known_organisation: AddOrganisation) -> None:
    case_id = (await nominate(client, await known_organisation("charity_trust"))).json()["id"]
    url = f"/api/v1/acv/nominations/{case_id}/decision"
    early = await client.post(url, json={"decision": "not_listed", "decision_date": "2025-01-30"})
    assert early.status_code == 422
    decided = await client.post(url, json={"decision": "not_listed", "decision_date": "2025-03-01"})
    assert decided.json()["status"] == "not_listed"
    assert (await client.post(url, json={"decision": "listed", "decision_date": "2025-03-02"})).status_code == 409
    assert (await client.get(f"/api/v1/acv/listings/{case_id}")).status_code == 404


async def test_cases_are_private_to_their_council(
    make_client: ClientFactory, known_organisation: AddOrganisation
) -> None:
    oxford, cherwell = make_client(), make_client(tenant=CHERWELL, area=(CHERWELL,))
    case_id = await listed_case(oxford, await known_organisation("charity_trust"))
    assert (await cherwell.get(f"/api/v1/acv/nominations/{case_id}")).status_code == 404
    assert (await cherwell.get(f"/api/v1/acv/listings/{case_id}")).status_code == 404
    assert (
        await cherwell.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2025-04-01"})
    ).status_code == 404
    assert (await cherwell.get("/api/v1/acv/listings")).json()["data"] == []
    assert [c["id"] for c in (await oxford.get("/api/v1/acv/listings")).json()["data"]] == [case_id]


async def test_every_event_written_validates_against_its_contract(
    client: httpx.AsyncClient, known_organisation: AddOrganisation, land_app: FastAPI
) -> None:
    charity, cic = await known_organisation("charity_trust"), await known_organisation("community_interest_company")
    case_id = await listed_case(client, charity)
    await client.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2025-04-01"})
    await client.post(
        f"/api/v1/acv/listings/{case_id}/bid-requests", json={"organisation_id": cic, "received_date": "2025-04-02"}
    )
    other = (await nominate(client, charity)).json()["id"]
    await client.post(
        f"/api/v1/acv/nominations/{other}/decision", json={"decision": "not_listed", "decision_date": "2025-03-01"}
    )
    await client.patch(
        f"/api/v1/assets/{(await client.get(f'/api/v1/acv/listings/{case_id}')).json()['asset_id']}",
        json={"status": "for_disposal"},
    )
    outbox = land_app.state.db and land_app.state.asset_service.outbox.table
    async with land_app.state.db.reader() as session:
        rows = (await session.execute(select(outbox.c.type, outbox.c.payload))).all()
    types = [r.type for r in rows]
    for kind in (
        "asset.registered",
        "asset.updated",
        "acv.nominated",
        "acv.listed",
        "acv.not-listed",
        "acv.disposal-notified",
    ):
        assert f"org.localwealth.land.{kind}.v1" in types
    import orjson

    for row in rows:
        assert validation_errors(row.type, orjson.loads(row.payload)) == [], row.type
    assert OXFORD  # the council the cases belong to


async def test_digital_land_csv_export(client: httpx.AsyncClient, known_organisation: AddOrganisation) -> None:
    import csv
    import io

    charity, cic = await known_organisation("charity_trust"), await known_organisation("community_interest_company")
    case_id = await listed_case(client, charity)
    await client.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2025-04-01"})
    await client.post(
        f"/api/v1/acv/listings/{case_id}/bid-requests", json={"organisation_id": cic, "received_date": "2025-04-02"}
    )
    await nominate(client, charity, reasons='=HYPERLINK("http://evil")')  # a formula must not survive
    response = await client.get("/api/v1/acv/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "reference",
        "name",
        "description",
        "address-text",
        "point",
        "geometry",
        "nomination-date",
        "nominating-group",
        "decision",
        "decision-date",
        "start-date",
        "end-date",
        "notification-to-sell-date",
        "protected-period-start-date",
        "interested-group",
        "organisation",
    ]
    listed = next(r for r in rows if r["reference"] == case_id)
    assert listed["decision"] == "listed" and listed["start-date"] == "2025-03-20"
    assert listed["end-date"] == "2030-03-19" and listed["notification-to-sell-date"] == "2025-04-01"
    assert listed["point"].startswith("POINT (-1.") and listed["organisation"] == OXFORD
    assert listed["nominating-group"].startswith("Test body") and listed["interested-group"].startswith("Test body")
    assert next(r for r in rows if r["reference"] != case_id)["description"].startswith("'=")
