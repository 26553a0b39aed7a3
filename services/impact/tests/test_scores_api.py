"""Impact scores through the API and the outbox: computed when the registry tells us of an organisation,
announced once per change with a payload that matches its contract, 404 for an unknown organisation."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from impact.db import platform
from impact.scores.service import SCORE_CHANGED
from localwealth_shared.contracts import validation_errors
from sqlalchemy import select

LIVING_WAGE = [{"scheme": "real_living_wage", "status": "active"}]


async def published(app: FastAPI) -> list[dict[str, Any]]:
    outbox = platform.outbox
    async with app.state.db.reader() as session:
        rows = (
            await session.execute(select(outbox.c.type, outbox.c.key, outbox.c.payload).order_by(outbox.c.id))
        ).all()
    return [{"key": key, **orjson.loads(payload)} for type_, key, payload in rows if type_ == SCORE_CHANGED]


async def test_a_new_organisation_gets_an_explained_score_announced_once(
    impact_app: FastAPI, client: httpx.AsyncClient, known_organisation: Any
) -> None:
    org = await known_organisation("Cowley Road Bakery Co-operative Limited", certifications=LIVING_WAGE)
    resp = await client.get(f"/api/v1/organisations/{org}/impact")
    assert resp.status_code == 200 and resp.headers["etag"] == 'W/"1"'
    body = resp.json()
    assert 0 < body["score"] <= 100 and body["components"]["fair_employment"]["points"] == 20.0
    assert body["components"]["social_value"]["points"] is None
    assert any("Real Living Wage" in reason for reason in body["explanation"])
    events = await published(impact_app)
    assert [(e["key"], e["score"], e["previous_score"], e["version"]) for e in events] == [
        (org, body["score"], None, 1)
    ]  # fmt: skip
    assert validation_errors(SCORE_CHANGED, {k: v for k, v in events[0].items() if k != "key"}) == []
    # The same registry version again, and a new version that changes nothing scored: no new event.
    await known_organisation("Cowley Road Bakery Co-operative Limited", certifications=LIVING_WAGE, org_id=org)
    await known_organisation("Cowley Road Bakery Co-op Ltd", certifications=LIVING_WAGE, org_id=org, version=2)
    assert len(await published(impact_app)) == 1
    # Losing the accreditation changes the score: announced, with the previous score.
    await known_organisation("Cowley Road Bakery Co-op Ltd", org_id=org, version=3)
    events = await published(impact_app)
    assert len(events) == 2 and events[1]["previous_score"] == body["score"] and events[1]["score"] < body["score"]
    assert (await client.get(f"/api/v1/organisations/{org}/impact")).json()["version"] == 2


async def test_an_unknown_organisation_is_404(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/v1/organisations/nope/impact")
    assert resp.status_code == 404 and resp.json()["code"] == "organisation_not_found"


async def test_social_value_delivered_on_contracts_moves_the_score(
    impact_app: FastAPI, client: httpx.AsyncClient, known_organisation: Any
) -> None:
    org = await known_organisation("Cowley Road Bakery Co-operative Limited", certifications=LIVING_WAGE)
    before = (await client.get(f"/api/v1/organisations/{org}/impact")).json()
    committed = await client.post(
        "/api/v1/social-value/awards/award-1/commitments",
        json={"organisation_id": org, "commitments": [{"measure_code": "WELLBY", "quantity": "4"}]},
    )
    assert committed.status_code == 201, committed.text
    nothing_yet = (await client.get(f"/api/v1/organisations/{org}/impact")).json()
    assert nothing_yet["components"]["social_value"]["points"] == 0.0 and nothing_yet["score"] < before["score"]
    delivered = await client.post(
        "/api/v1/social-value/awards/award-1/actuals",
        json={"measure_code": "WELLBY", "quantity": "2", "period": "2024-25"},
    )
    assert delivered.status_code == 201, delivered.text
    half = (await client.get(f"/api/v1/organisations/{org}/impact")).json()
    assert half["components"]["social_value"]["points"] == 12.5
    assert "delivered 50%" in half["components"]["social_value"]["reason"]
    assert [e["score"] for e in await published(impact_app)] == [before["score"], nothing_yet["score"], half["score"]]
