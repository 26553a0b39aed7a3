"""Community Asset Transfer over HTTP: the stage machine (illegal → 409), scoring, the decision with its
undervalue, completion making the asset community-owned, council policies, and privacy between councils."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from localwealth_shared.contracts import validation_errors
from sqlalchemy import select

from .conftest import CHERWELL, ClientFactory
from .test_assets_api import create

AddOrganisation = Callable[..., Awaitable[str]]


async def apply(client: httpx.AsyncClient, known_organisation: AddOrganisation) -> dict[str, Any]:
    asset = await create(client)
    trust = await known_organisation("registered_society_community_benefit")
    response = await client.post(
        "/api/v1/cat/applications",
        json={
            "asset_id": asset["id"],
            "organisation_id": trust,
            "proposed_use": "Community hub and café",
            "applied_on": "2026-01-05",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def move(client: httpx.AsyncClient, app_id: str, to: str, on: str) -> httpx.Response:
    return await client.post(f"/api/v1/cat/applications/{app_id}/transitions", json={"to": to, "on": on})


async def test_full_journey_to_completion_transfers_the_asset(
    client: httpx.AsyncClient, known_organisation: AddOrganisation, land_app: FastAPI
) -> None:
    app = await apply(client, known_organisation)
    assert (app["stage"], app["stage_target_days"]) == ("expression_of_interest", 28)
    url = f"/api/v1/cat/applications/{app['id']}"
    for stage, on in (("business_case", "2026-01-20"), ("assessment", "2026-04-01"), ("decision", "2026-05-01")):
        assert (await move(client, app["id"], stage, on)).status_code == 200
    scored = await client.post(
        f"{url}/scores",
        json={
            "scores": {
                "community_benefit": 5,
                "financial_sustainability": 4,
                "governance_and_capacity": 3,
                "local_support": 5,
            }
        },
    )
    assert scored.json()["score"] == 40 + 20 + 12 + 15
    early = await move(client, app["id"], "heads_of_terms", "2026-05-02")
    assert early.status_code == 409 and "approving decision" in early.json()["detail"]
    decided = await client.post(
        f"{url}/decision",
        json={
            "outcome": "approved",
            "transfer_type": "long_lease",
            "decided_on": "2026-05-20",
            "market_value": {"amount": "2750000.00", "currency": "GBP"},
            "consideration": {"amount": "1.00", "currency": "GBP"},
        },
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["undervalue"] == {"amount": "2749999.00", "currency": "GBP"}
    assert body["requires_secretary_of_state_consent"] is True
    assert (await move(client, app["id"], "heads_of_terms", "2026-06-01")).status_code == 200
    done = await move(client, app["id"], "completed", "2026-09-01")
    assert done.status_code == 200 and done.json()["completed_on"] == "2026-09-01"
    asset = (await client.get(f"/api/v1/assets/{app['asset_id']}")).json()
    assert (asset["status"], asset["community_owned"]) == ("transferred", True)
    assert (await move(client, app["id"], "withdrawn", "2026-09-02")).status_code == 409

    outbox = land_app.state.asset_service.outbox.table
    async with land_app.state.db.reader() as session:
        rows = (await session.execute(select(outbox.c.type, outbox.c.payload))).all()
    kinds = [r.type for r in rows]
    for kind in ("transfer.applied", "transfer.decided", "transfer.completed", "asset.transferred"):
        assert kinds.count(f"org.localwealth.land.{kind}.v1") == 1
    for row in rows:
        assert validation_errors(row.type, orjson.loads(row.payload)) == [], row.type


async def test_illegal_transitions_are_409_and_bad_decisions_422(
    client: httpx.AsyncClient, known_organisation: AddOrganisation
) -> None:
    app = await apply(client, known_organisation)
    url = f"/api/v1/cat/applications/{app['id']}"
    skip = await move(client, app["id"], "assessment", "2026-01-10")
    assert skip.status_code == 409 and skip.json()["code"] == "cat.illegal_transition"
    assert (await move(client, app["id"], "nonsense", "2026-01-10")).status_code == 409
    assert (await client.post(f"{url}/decision", json={"outcome": "approved"})).status_code == 409
    before = await move(client, app["id"], "business_case", "2026-01-01")
    assert before.status_code == 422
    for stage, on in (("business_case", "2026-01-20"), ("assessment", "2026-04-01"), ("decision", "2026-05-01")):
        await move(client, app["id"], stage, on)
    incomplete = await client.post(f"{url}/decision", json={"outcome": "approved", "transfer_type": "freehold"})
    assert incomplete.status_code == 422 and incomplete.json()["errors"][0]["loc"] == ["body", "market_value"]
    wrong_scores = await client.post(f"{url}/scores", json={"scores": {"community_benefit": 9}})
    assert wrong_scores.status_code == 422
    rejected = await client.post(f"{url}/decision", json={"outcome": "rejected", "decided_on": "2026-05-10"})
    assert rejected.json()["stage"] == "rejected"
    assert (await move(client, app["id"], "heads_of_terms", "2026-05-11")).status_code == 409


async def test_council_policy_shapes_new_applications(
    client: httpx.AsyncClient, known_organisation: AddOrganisation
) -> None:
    assert (await client.get("/api/v1/cat/policy")).json()["is_default"] is True
    bad = await client.put("/api/v1/cat/policy", json={"stages": [{"name": "eoi"}, {"name": "completed"}]})
    assert bad.status_code == 422 and "decision" in bad.json()["detail"]
    weights = await client.put(
        "/api/v1/cat/policy",
        json={
            "stages": [{"name": "eoi", "target_days": 10}, {"name": "decision"}, {"name": "completed"}],
            "criteria": [{"name": "benefit", "weight_pct": 70}],
        },
    )
    assert weights.status_code == 422 and "sum to 100" in weights.json()["detail"]
    policy = {
        "stages": [{"name": "eoi", "target_days": 10}, {"name": "decision", "target_days": 30}, {"name": "completed"}],
        "criteria": [{"name": "benefit", "weight_pct": 100}],
    }
    assert (await client.put("/api/v1/cat/policy", json=policy)).status_code == 200
    app = await apply(client, known_organisation)
    assert (app["stage"], app["stage_target_days"], app["overdue"]) == ("eoi", 10, True)


async def test_applications_are_private_to_their_council(
    make_client: ClientFactory, known_organisation: AddOrganisation
) -> None:
    oxford, cherwell = make_client(), make_client(tenant=CHERWELL, area=(CHERWELL,))
    app = await apply(oxford, known_organisation)
    assert (await cherwell.get(f"/api/v1/cat/applications/{app['id']}")).status_code == 404
    assert (await move(cherwell, app["id"], "business_case", "2026-02-01")).status_code == 404
    assert (await cherwell.get("/api/v1/cat/applications")).json()["data"] == []
    other_asset = await cherwell.post(
        "/api/v1/cat/applications",
        json={"asset_id": app["asset_id"], "organisation_id": app["organisation_id"], "proposed_use": "x"},
    )
    assert other_asset.status_code == 422 and other_asset.json()["errors"][0]["type"] == "asset.unknown"
