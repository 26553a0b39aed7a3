"""Alerts: a published tender matching a subscription emits procurement.match.found.v1 and queues a webhook
call; the call is signed per Standard Webhooks (verified with the `standardwebhooks` library), retried with
back-off on failure, and every attempt shows in the delivery log."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from localwealth_shared.contracts import validation_errors
from procurement.alerts.sender import WebhookSender
from procurement.db import platform
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from .conftest import ClientFactory
from .events_support import OXFORD_SITE, organisation, registered, site
from .test_matching_api import apply
from .test_tenders_api import CARE_TENDER, first_error, with_


class Receiver:
    """A webhook endpoint (an httpx transport) that fails the first `failures` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if len(self.calls) <= self.failures:
            return httpx.Response(503)
        return httpx.Response(204)


async def subscribe(client: httpx.AsyncClient, app, **changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    org = organisation("Alert Kitchen Co-op", cpv=["55520000"], sites=[site(*OXFORD_SITE)])
    await apply(app, registered(org))
    body = {
        "organisation_id": org["id"],
        "cpv_codes": ["55000000"],
        "lad_codes": ["E07000178"],
        "min_value": "10000",
        "max_value": "500000",
        "webhook_url": "https://hooks.example.org/lw",
        **changes,
    }
    resp = await client.post("/api/v1/alerts/subscriptions", json=body)
    assert resp.status_code == 201, resp.text
    return org, resp.json()


async def match_events(app) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with app.state.db.reader() as session:
        rows = (await session.execute(select(platform.outbox))).all()
    return [orjson.loads(r.payload) for r in rows if r.type == "org.localwealth.procurement.match.found.v1"]


async def test_a_matching_publication_is_delivered_signed_after_retries(
    client: httpx.AsyncClient, procurement_app
) -> None:  # type: ignore[no-untyped-def]
    org, sub = await subscribe(client, procurement_app)
    assert sub["secret"].startswith("whsec_")
    assert (await client.get(f"/api/v1/alerts/subscriptions/{sub['id']}")).json()["secret"] is None
    draft = (await client.post("/api/v1/tenders", json=with_(status="planned"))).json()
    assert await match_events(procurement_app) == []  # planned: nothing yet
    await client.patch(f"/api/v1/tenders/{draft['id']}", json={"status": "active"})
    events = await match_events(procurement_app)
    assert len(events) == 1
    assert validation_errors("org.localwealth.procurement.match.found.v1", events[0]) == []
    assert events[0]["organisation_id"] == org["id"] and events[0]["tender_id"] == draft["id"]
    assert "CPV 55520000 matches exactly" in events[0]["reasons"]

    receiver = Receiver(failures=2)
    sender = WebhookSender(procurement_app.state.db, base_backoff_s=0, transport=httpx.MockTransport(receiver.handler))
    for _ in range(3):
        assert await sender.send_due() == 1
    assert await sender.send_due() == 0
    await sender.client.aclose()

    log = (await client.get(f"/api/v1/alerts/subscriptions/{sub['id']}/deliveries")).json()
    assert len(log) == 1 and log[0]["status"] == "delivered" and log[0]["attempts"] == 3
    assert log[0]["last_status_code"] == 204
    last = receiver.calls[-1]
    verified = Webhook(sub["secret"]).verify(last.content, dict(last.headers))
    assert verified["type"] == "org.localwealth.procurement.match.found.v1"
    assert verified["data"]["tender_id"] == draft["id"]
    assert {r.headers["webhook-id"] for r in receiver.calls} == {log[0]["id"]}  # retries keep the message id


async def test_a_delivery_that_keeps_failing_is_marked_failed(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    _, sub = await subscribe(client, procurement_app)
    await client.post("/api/v1/tenders", json=CARE_TENDER)
    receiver = Receiver(failures=99)
    sender = WebhookSender(
        procurement_app.state.db, max_attempts=2, base_backoff_s=0, transport=httpx.MockTransport(receiver.handler)
    )
    while await sender.send_due():
        pass
    await sender.client.aclose()
    log = (await client.get(f"/api/v1/alerts/subscriptions/{sub['id']}/deliveries")).json()
    assert [(d["status"], d["attempts"], d["last_error"]) for d in log] == [("failed", 2, "HTTP 503")]


async def test_non_matching_tenders_do_not_alert(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    await subscribe(client, procurement_app)
    await client.post("/api/v1/tenders", json=with_(cpv_codes=["45000000"], lots=[]))  # other CPV division
    await client.post("/api/v1/tenders", json=with_(delivery={"postcode": "M1 1AE"}))  # Manchester
    big = {"amount": "900000", "currency": "GBP", "amount_gross": "1080000"}
    await client.post("/api/v1/tenders", json=with_(value=big, reservation=None))  # over max_value
    assert await match_events(procurement_app) == []


async def test_subscriptions_are_validated_and_private(make_client: ClientFactory, procurement_app) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    _, sub = await subscribe(client, procurement_app)
    bad = await client.post(
        "/api/v1/alerts/subscriptions",
        json={"organisation_id": "nobody", "webhook_url": "https://x.example/"},
    )
    assert first_error(bad)["type"] == "organisation.unknown"
    other = make_client(tenant="t-cherwell")
    assert (await other.get(f"/api/v1/alerts/subscriptions/{sub['id']}")).status_code == 404
    assert (await other.get("/api/v1/alerts/subscriptions")).json() == []
    assert (await other.delete(f"/api/v1/alerts/subscriptions/{sub['id']}")).status_code == 404
    assert (await client.delete(f"/api/v1/alerts/subscriptions/{sub['id']}")).status_code == 204
