"""The clock scheduler: one event per ended clock, however often it runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import orjson
from fastapi import FastAPI
from land.acv.scheduler import announce_ended_clocks
from localwealth_shared.contracts import validation_errors
from sqlalchemy import select

from .test_acv_api import listed_case


async def _events(app: FastAPI, kind: str) -> list[dict[str, object]]:
    outbox = app.state.asset_service.outbox.table
    async with app.state.db.reader() as session:
        rows = (await session.execute(select(outbox.c.type, outbox.c.payload).order_by(outbox.c.id))).all()
    found = [orjson.loads(r.payload) for r in rows if r.type == f"org.localwealth.land.acv.{kind}.v1"]
    for payload in found:
        assert validation_errors(f"org.localwealth.land.acv.{kind}.v1", payload) == []
    return found


async def test_moratorium_end_is_announced_once_and_full_end_after_a_late_recorded_bid(
    client: httpx.AsyncClient, known_organisation: Callable[..., Awaitable[str]], land_app: FastAPI
) -> None:
    db, outbox = land_app.state.db, land_app.state.asset_service.outbox
    case_id = await listed_case(client, await known_organisation("charity_trust"))
    await client.post(f"/api/v1/acv/listings/{case_id}/disposal-notices", json={"received_date": "2025-04-01"})

    assert await announce_ended_clocks(db, outbox, date(2025, 5, 12)) == 0  # the interim period's last day
    assert await announce_ended_clocks(db, outbox, date(2025, 5, 13)) == 1
    assert await announce_ended_clocks(db, outbox, date(2025, 5, 13)) == 0  # a second run writes nothing
    assert [(e["moratorium"], e["ended_on"]) for e in await _events(land_app, "moratorium-ended")] == [
        ("interim", "2025-05-12")
    ]

    # A request received in time but recorded after the interim end still starts the full moratorium ...
    cic = await known_organisation("community_interest_company")
    response = await client.post(
        f"/api/v1/acv/listings/{case_id}/bid-requests", json={"organisation_id": cic, "received_date": "2025-05-10"}
    )
    assert response.status_code == 201
    assert await announce_ended_clocks(db, outbox, date(2025, 9, 30)) == 0
    # ... and its end is announced too, once.
    assert await announce_ended_clocks(db, outbox, date(2025, 10, 1)) == 1
    assert await announce_ended_clocks(db, outbox, date(2025, 10, 2)) == 0
    ended = await _events(land_app, "moratorium-ended")
    assert [(e["moratorium"], e["ended_on"]) for e in ended] == [("interim", "2025-05-12"), ("full", "2025-09-30")]


async def test_listing_expiry_is_announced_once(
    client: httpx.AsyncClient, known_organisation: Callable[..., Awaitable[str]], land_app: FastAPI
) -> None:
    db, outbox = land_app.state.db, land_app.state.asset_service.outbox
    case_id = await listed_case(client, await known_organisation("parish_council"))
    assert await announce_ended_clocks(db, outbox, date(2030, 3, 19)) == 0
    assert await announce_ended_clocks(db, outbox, date(2030, 3, 20)) == 1
    assert await announce_ended_clocks(db, outbox, date(2030, 3, 21)) == 0
    expired = await _events(land_app, "listing-expired")
    assert [(e["id"], e["status"], e["listing_ends"]) for e in expired] == [(case_id, "expired", "2030-03-19")]
    assert (await client.get(f"/api/v1/acv/listings/{case_id}")).json()["status"] == "expired"
