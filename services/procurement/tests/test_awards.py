"""Awards: linking the supplier to a registry organisation, the award event, and the buyer-only rule."""

from __future__ import annotations

import httpx
import orjson
from localwealth_shared.contracts import validation_errors
from procurement.db import platform
from sqlalchemy import select

from .conftest import ClientFactory
from .events_support import OXFORD_SITE, organisation, registered, site
from .test_matching_api import apply
from .test_tenders_api import CARE_TENDER, first_error, with_

IDENTIFIER = {"scheme": "GB-COH", "id": "IP012345"}


async def seeded(app) -> dict:  # type: ignore[no-untyped-def,type-arg]
    org = organisation(
        "The Cowley Kitchen Co-operative Limited",
        cpv=["55520000"],
        sites=[site(*OXFORD_SITE)],
        identifiers=[{"scheme": "GB-MPR", "id": "IP012345"}, {"scheme": "GB-COH", "id": "IP012345"}],
    )
    await apply(app, registered(org))
    return org


async def award_events(app) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    async with app.state.db.reader() as session:
        rows = (await session.execute(select(platform.outbox).order_by(platform.outbox.c.id))).all()
    return [orjson.loads(r.payload) for r in rows if r.type == "org.localwealth.procurement.award.made.v1"]


async def test_suppliers_link_by_id_identifier_or_name(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    org = await seeded(procurement_app)
    tender = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    url = f"/api/v1/tenders/{tender['id']}/awards"
    by_id = await client.post(url, json={"supplier": {"organisation_id": org["id"]}, "lot_id": "1"})
    assert by_id.status_code == 201, by_id.text
    assert by_id.json()["supplier"]["linked_by"] == "organisation_id"
    assert by_id.json()["supplier"]["name"] == org["name"]
    by_identifier = await client.post(url, json={"supplier": {"identifier": {"scheme": "gb-coh", "id": "ip012345"}}})
    assert by_identifier.json()["supplier"]["organisation_id"] == org["id"]
    assert by_identifier.json()["supplier"]["identifier"] == IDENTIFIER
    by_name = await client.post(
        url,
        json={
            "supplier": {"name": "cowley kitchen co-operative ltd"},
            "value": {"amount": "59000.00", "currency": "GBP"},
            "date": "2026-05-01",
        },
    )
    assert by_name.json()["supplier"]["organisation_id"] == org["id"]
    assert by_name.json()["supplier"]["linked_by"] == "name"
    unknown = await client.post(url, json={"supplier": {"name": "Somebody Else Ltd"}})
    assert unknown.status_code == 201 and unknown.json()["supplier"]["organisation_id"] is None

    events = await award_events(procurement_app)
    assert len(events) == 4
    for event in events:
        assert validation_errors("org.localwealth.procurement.award.made.v1", event) == []
        assert event["tender_id"] == tender["id"]
    assert events[2]["value"] == {"amount": "59000.00", "currency": "GBP"} and events[2]["date"] == "2026-05-01"
    listed = (await client.get(url)).json()["data"]
    assert [a["id"] for a in listed] == [e["id"] for e in events]


async def test_bad_awards_are_422_and_only_the_buyer_may_award(
    make_client: ClientFactory,
    procurement_app,  # type: ignore[no-untyped-def]
) -> None:
    client = make_client()
    tender = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    url = f"/api/v1/tenders/{tender['id']}/awards"
    assert first_error(await client.post(url, json={"supplier": {}}))["loc"] == ["body", "supplier"]
    error = first_error(await client.post(url, json={"supplier": {"organisation_id": "nope"}}))
    assert error["type"] == "supplier.unknown_organisation"
    error = first_error(await client.post(url, json={"supplier": {"identifier": {"scheme": "GB-COH", "id": "!"}}}))
    assert error["loc"] == ["body", "supplier", "identifier"]
    assert first_error(await client.post(url, json={"supplier": {"name": "x"}, "lot_id": "9"}))["type"] == "lot.unknown"
    other = make_client(tenant="t-cherwell")
    assert (await other.post(url, json={"supplier": {"name": "x"}})).status_code == 404
    draft = (await client.post("/api/v1/tenders", json=with_(status="planned"))).json()
    error = first_error(await client.post(f"/api/v1/tenders/{draft['id']}/awards", json={"supplier": {"name": "x"}}))
    assert error["type"] == "award.planned"
    assert await award_events(procurement_app) == []
