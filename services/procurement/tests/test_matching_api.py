"""Matching through the API on a read model fed by registry and impact events: both directions, reasons,
reservation eligibility, per-tenant weights and lotting advice."""

from __future__ import annotations

from typing import Any

import httpx
from localwealth_shared.contracts import validation_errors
from localwealth_shared.events.envelope import CloudEvent
from procurement.suppliers.read_model import (
    DEREGISTERED,
    SCORE_CHANGED,
    UPDATED,
    apply_organisation_event,
    apply_score_event,
)

from .events_support import BANBURY_SITE, OXFORD_SITE, organisation, registered, site
from .test_tenders_api import CARE_TENDER, with_


async def apply(app, *events: CloudEvent) -> None:  # type: ignore[no-untyped-def]
    for event in events:
        async with app.state.db.transaction() as session:
            if event.type == SCORE_CHANGED:
                await apply_score_event(session, event)
            else:
                await apply_organisation_event(session, event)


async def seed(app) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    orgs = {
        "local": organisation("Cowley Kitchen Co-op", cpv=["55520000"], sites=[site(*OXFORD_SITE, office=True)]),
        "office_only": organisation(
            "Banbury Meals",
            cpv=["55500000"],
            sites=[site(*OXFORD_SITE, office=True, operating=False), site(*BANBURY_SITE)],
        ),
        "printer": organisation("Oxford Print Co-op", cpv=["79810000"], sites=[site(*OXFORD_SITE)]),
    }
    for org in orgs.values():
        assert validation_errors("org.localwealth.registry.organisation.registered.v1", org) == []
    await apply(app, *(registered(o) for o in orgs.values()))
    return orgs


async def test_suppliers_for_a_reserved_tender_are_explained(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    orgs = await seed(procurement_app)
    tender = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    resp = await client.get(f"/api/v1/tenders/{tender['id']}/matches")
    assert resp.status_code == 200, resp.text
    matches = resp.json()["data"]
    assert [m["organisation_id"] for m in matches] == [orgs["local"]["id"], orgs["office_only"]["id"]]
    best, office_only = matches
    assert best["eligible"] is True and best["reasons"][0] == "CPV 55520000 matches exactly"
    assert any(r.startswith("operating site 2.") or r.startswith("operating site 1.") for r in best["reasons"])
    assert office_only["eligible"] is False
    assert (
        office_only["reasons"][0] == "not eligible: reserved to the local area and only the registered office is there"
    )
    assert "CPV 55520000 matches at group level (supplier offers 55500000)" in office_only["reasons"]
    assert resp.json()["weights"]["cpv"] == 0.35


async def test_lot_matches_use_the_lots_codes_and_value(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    await seed(procurement_app)
    tender = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    matches = (await client.get(f"/api/v1/tenders/{tender['id']}/matches", params={"lot_id": "1"})).json()["data"]
    assert matches[0]["lot_id"] == "1" and "£60,000 contract against £300,000 turnover" in matches[0]["reasons"]
    bad = await client.get(f"/api/v1/tenders/{tender['id']}/matches", params={"lot_id": "9"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "lot_id"]


async def test_open_tenders_for_an_organisation(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    orgs = await seed(procurement_app)
    open_tender = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    await client.post("/api/v1/tenders", json=with_(status="planned", title="Draft"))
    await client.post("/api/v1/tenders", json=with_(cpv_codes=["45000000"], lots=[], title="Building works"))
    resp = await client.get(f"/api/v1/organisations/{orgs['local']['id']}/tender-matches")
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert {m["tender_id"] for m in data} == {open_tender["id"]}  # no drafts, no unrelated CPV
    assert {m["lot_id"] for m in data} == {None, "1", "2"}
    assert (await client.get("/api/v1/organisations/nobody/tender-matches")).status_code == 404


async def test_impact_scores_and_updates_and_deregistration(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    orgs = await seed(procurement_app)
    tender = (await client.post("/api/v1/tenders", json=with_(reservation=None))).json()
    url = f"/api/v1/tenders/{tender['id']}/matches"
    local_id = orgs["local"]["id"]
    score = {"organisation_id": local_id, "score": 72.0, "version": 1}
    await apply(procurement_app, CloudEvent(type=SCORE_CHANGED, source="/localwealth/impact", data=score))
    best = (await client.get(url)).json()["data"][0]
    assert best["organisation_id"] == local_id and "impact score 72/100" in best["reasons"]

    renamed = {**orgs["local"], "name": "Cowley Kitchen", "version": 2}
    stale = {**orgs["local"], "name": "Old name", "version": 1}
    await apply(procurement_app, registered(renamed, UPDATED), registered(stale, UPDATED))
    assert (await client.get(url)).json()["data"][0]["name"] == "Cowley Kitchen"

    gone = {"id": local_id, "name": "Cowley Kitchen", "canonical_identifier": None, "version": 3}
    await apply(procurement_app, registered(gone, DEREGISTERED))
    assert local_id not in {m["organisation_id"] for m in (await client.get(url)).json()["data"]}


async def test_tenant_weights_change_the_ranking(make_client, procurement_app) -> None:  # type: ignore[no-untyped-def]
    await seed(procurement_app)
    client = make_client()
    assert (await client.get("/api/v1/tenders/matching-weights")).json()["is_default"] is True
    weights = {"cpv": 0, "geography": 0, "capacity": 0, "social_economy": 1, "certifications": 0, "impact": 0}
    resp = await client.put("/api/v1/tenders/matching-weights", json=weights)
    assert resp.status_code == 200 and resp.json() == {
        "weights": {**weights, "social_economy": 1.0},
        "is_default": False,
    }
    tender = (await client.post("/api/v1/tenders", json=with_(reservation=None))).json()
    scores = [m["score"] for m in (await client.get(f"/api/v1/tenders/{tender['id']}/matches")).json()["data"]]
    assert scores == [1.0, 1.0]  # every seeded supplier is a worker co-op VCSE: social economy alone decides
    other = make_client(tenant="t-cherwell")
    assert (await other.get("/api/v1/tenders/matching-weights")).json()["is_default"] is True
    zero = {k: 0 for k in weights}
    assert (await client.put("/api/v1/tenders/matching-weights", json=zero)).status_code == 422


async def test_lotting_advice_counts_local_social_economy_suppliers(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    orgs = await seed(procurement_app)
    big = with_(value={"amount": "2000000", "currency": "GBP", "amount_gross": "2400000"}, reservation=None, lots=[])
    tender = (await client.post("/api/v1/tenders", json=big)).json()
    resp = await client.get(
        f"/api/v1/tenders/{tender['id']}/lotting-advice", params={"lot_value": ["2000000", "250000"]}
    )
    assert resp.status_code == 200, resp.text
    advice = resp.json()
    assert advice["area_lad_codes"] == ["E07000178"]
    by_size = {o["lot_value"]: o for o in advice["options"]}
    # £300k turnover: a £2m lot is far too big, a £250k lot fits; the office-only supplier is not local.
    assert by_size["2000000"]["eligible_local_social_economy_suppliers"] == 0
    assert by_size["250000"] == {
        "lot_value": "250000",
        "lots": 8,
        "eligible_local_social_economy_suppliers": 1,
        "organisation_ids": [orgs["local"]["id"]],
    }


async def test_another_tenants_draft_has_no_matches(make_client, procurement_app) -> None:  # type: ignore[no-untyped-def]
    draft = (await make_client().post("/api/v1/tenders", json=with_(status="planned"))).json()
    other = make_client(tenant="t-cherwell")
    assert (await other.get(f"/api/v1/tenders/{draft['id']}/matches")).status_code == 404
    assert (
        await other.get(f"/api/v1/tenders/{draft['id']}/lotting-advice", params={"lot_value": 1})
    ).status_code == 404
