"""Scottish asset transfer requests over HTTP: validation, extensions, decisions, deemed refusal, privacy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from .conftest import CHERWELL, ClientFactory
from .test_assets_api import create

URL = "/api/v1/scotland/asset-transfer-requests"


async def new_request(client: httpx.AsyncClient, known_organisation: Callable[..., Awaitable[str]]) -> dict[str, Any]:
    asset = await create(client)
    body = {
        "asset_id": asset["id"],
        "organisation_id": await known_organisation("registered_society_community_benefit"),
        "request_type": "ownership",
        "proposed_use": "Community-run hall",
        "received_date": "2025-02-20",
    }
    response = await client.post(URL, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_validation_extension_decision_and_review_deadline(
    client: httpx.AsyncClient, known_organisation: Callable[..., Awaitable[str]]
) -> None:
    request = await new_request(client, known_organisation)
    url = f"{URL}/{request['id']}"
    assert (
        await client.post(f"{url}/decision", json={"decision": "agreed", "decision_date": "2025-03-01"})
    ).status_code == 409
    validated = await client.post(f"{url}/validation", json={"validation_date": "2025-03-03"})
    assert validated.json()["decision_due"] == "2025-09-02"
    assert (await client.get(url, params={"on": "2025-03-10"})).json()["status"] == "validated"
    short = await client.post(f"{url}/extensions", json={"agreed_on": "2025-08-01", "decision_due": "2025-09-01"})
    assert short.status_code == 422
    extended = await client.post(f"{url}/extensions", json={"agreed_on": "2025-08-01", "decision_due": "2025-11-17"})
    assert extended.json()["decision_due"] == "2025-11-17" and len(extended.json()["extensions"]) == 1
    refused = await client.post(f"{url}/decision", json={"decision": "refused", "decision_date": "2025-11-17"})
    assert refused.json()["status"] == "refused"
    assert refused.json()["review_deadline"] == "2025-12-15"  # 20 Scottish working days, St Andrew's Day off
    assert (
        await client.post(f"{url}/decision", json={"decision": "agreed", "decision_date": "2025-11-18"})
    ).status_code == 409


async def test_no_decision_in_time_is_a_deemed_refusal(
    client: httpx.AsyncClient, known_organisation: Callable[..., Awaitable[str]]
) -> None:
    request = await new_request(client, known_organisation)
    url = f"{URL}/{request['id']}"
    await client.post(f"{url}/validation", json={"validation_date": "2025-06-16"})  # due 2025-12-15
    on_time = (await client.get(url, params={"on": "2025-12-15"})).json()
    assert (on_time["status"], on_time["review_deadline"]) == ("validated", None)
    late = (await client.get(url, params={"on": "2025-12-16"})).json()
    assert late["status"] == "deemed_refused"
    assert late["review_deadline"] == "2026-01-16"  # from 16 Dec, over Christmas and 1–2 January


async def test_requests_are_private_and_bad_input_is_422(
    make_client: ClientFactory, known_organisation: Callable[..., Awaitable[str]]
) -> None:
    oxford, cherwell = make_client(), make_client(tenant=CHERWELL, area=(CHERWELL,))
    request = await new_request(oxford, known_organisation)
    assert (await cherwell.get(f"{URL}/{request['id']}")).status_code == 404
    assert (await cherwell.get(URL)).json()["data"] == []
    bad = await oxford.post(
        URL,
        json={
            **{k: request[k] for k in ("asset_id", "organisation_id")},
            "request_type": "freehold",
            "proposed_use": "x",
            "received_date": "2025-01-01",
        },
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "request_type"]
    early = await oxford.post(f"{URL}/{request['id']}/validation", json={"validation_date": "2025-01-01"})
    assert early.status_code == 422
