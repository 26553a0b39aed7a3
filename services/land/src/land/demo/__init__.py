"""Demo data for `make run`: some of the demo council's land and buildings and one Asset of Community Value
whose moratorium is running today (dates are relative to the day the demo is loaded).

The assets are illustrative (real Oxford postcodes, invented records). The ACV nominator and bidder are
real Oxford co-operatives from the demo registry, found through the gateway once the registry's events
have reached the land service.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import httpx
from localwealth_shared.clock import today
from localwealth_shared.demo import demo_council_client

ASSETS = [
    {
        "name": "Former Cowley Road library",
        "reference": "DEMO-001",
        "address": "Cowley Road, Oxford",
        "postcode": "OX4 1HZ",
        "tenure": "freehold",
        "asset_type": "building",
        "current_use": "vacant",
        "status": "surplus",
        "valuation": {"amount": "640000.00", "currency": "GBP"},
    },
    {
        "name": "Rose Hill allotments",
        "reference": "DEMO-002",
        "address": "Rose Hill, Oxford",
        "postcode": "OX4 4HF",
        "tenure": "freehold",
        "asset_type": "land",
        "current_use": "allotments",
        "status": "in_use",
    },
    {
        "name": "Blackbird Leys community hall",
        "reference": "DEMO-003",
        "address": "Blackbird Leys Road, Oxford",
        "postcode": "OX4 6HW",
        "tenure": "freehold",
        "asset_type": "building",
        "current_use": "community hall",
        "status": "for_disposal",
        "valuation": {"amount": "310000.00", "currency": "GBP"},
    },
    {
        "name": "Jericho boatyard site",
        "reference": "DEMO-004",
        "address": "Canal Street, Oxford",
        "postcode": "OX2 6BH",
        "tenure": "leasehold",
        "asset_type": "land",
        "current_use": "boatyard",
        "status": "in_use",
    },
]
ELIGIBLE_FORMS = ("registered_society_community_benefit", "charity_trust", "community_interest_company")
EVENTS_WAIT_S = 90


def _oxford_bodies(client: httpx.Client) -> list[str]:
    found: list[str] = []
    for form in ELIGIBLE_FORMS:
        page = client.get("/api/v1/organisations", params={"lad": "E07000178", "legal_form": form, "limit": 5})
        found += [o["id"] for o in page.json().get("data", [])]
    return found


def _when_known(action: Callable[[], httpx.Response]) -> httpx.Response:
    """Retry while the land service has not yet received the organisation from the registry's events."""
    deadline = time.monotonic() + EVENTS_WAIT_S
    while True:
        response = action()
        unknown = response.status_code == 422 and "organisation.unknown" in response.text
        if not unknown or time.monotonic() > deadline:
            return response
        time.sleep(1)


def seed(base_url: str, admin_key: str, log: Callable[[str], None] = print) -> None:
    with demo_council_client(base_url, admin_key) as client:
        if client.get("/api/v1/assets", params={"limit": 1}).json().get("data"):
            log("land: the demo council already has assets, demo data not loaded")
            return
        for asset in ASSETS:
            client.post("/api/v1/assets", json=asset).raise_for_status()
        bodies = _oxford_bodies(client)
        if len(bodies) < 2:
            log("land: no Oxford community bodies in the registry; demo ACV listing skipped")
            return
        day = today()
        nominated = _when_known(
            lambda: client.post(
                "/api/v1/acv/nominations",
                json={
                    "address": "The Star, 21 Rectory Road, Oxford",
                    "postcode": "OX4 1BU",
                    "name": "The Star (pub)",
                    "nominating_organisation_id": bodies[0],
                    "received_date": (day - timedelta(days=120)).isoformat(),
                    "reasons": "The pub hosts the neighbourhood's clubs, meetings and events.",
                    "non_distributing": True,
                },
            )
        )
        if nominated.status_code != 201:
            log(f"land: demo nomination refused ({nominated.status_code}): {nominated.text[:200]}")
            return
        case = nominated.json()["id"]
        client.post(
            f"/api/v1/acv/nominations/{case}/decision",
            json={"decision": "listed", "decision_date": (day - timedelta(days=70)).isoformat()},
        )
        client.post(
            f"/api/v1/acv/listings/{case}/disposal-notices",
            json={"received_date": (day - timedelta(days=20)).isoformat()},
        )
        bid = _when_known(
            lambda: client.post(
                f"/api/v1/acv/listings/{case}/bid-requests",
                json={
                    "organisation_id": bodies[1],
                    "received_date": (day - timedelta(days=10)).isoformat(),
                    "non_distributing": True,
                },
            )
        )
        listing = client.get(f"/api/v1/acv/listings/{case}").json()
        log(
            f"land: {len(ASSETS)} demo assets; ACV listing {case} with a moratorium until "
            f"{listing.get('full_moratorium_ends') or listing.get('interim_moratorium_ends')}"
            + ("" if bid.status_code == 201 else f" (bid request refused: {bid.text[:120]})")
        )
