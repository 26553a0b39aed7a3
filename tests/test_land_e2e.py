"""Registry → broker → land, with real processes: an organisation registered through the gateway reaches the
land service's copy through its `registry.organisation` consumer, and can then nominate an Asset of
Community Value for its council."""

from __future__ import annotations

import time

import pytest

from .conftest import Platform

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def council_key(platform: Platform, lad: str) -> str:
    with platform.client() as admin:
        tenant = admin.post(
            "/api/v1/admin/tenants",
            json={"id": lad, "name": f"Council {lad}", "kind": "council", "area": {"lad_codes": [lad]}},
        )
        assert tenant.status_code in (201, 409), tenant.text  # development start-up creates the demo council
        scopes = ["registry:read", "registry:write", "land:read", "land:write"]
        created = admin.post("/api/v1/admin/api-keys", json={"tenant_id": lad, "name": "e2e", "scopes": scopes})
        created.raise_for_status()
        return str(created.json()["key"])


def test_a_new_organisation_reaches_land_through_events_and_nominates_an_asset(platform: Platform) -> None:
    with platform.client(council_key(platform, "E07000178")) as oxford:
        org = oxford.post(
            "/api/v1/organisations",
            json={
                "name": "Cowley Road Community Trust",
                "legal_form": "charity_trust",
                "identifiers": [{"scheme": "GB-CHC", "id": "1188888"}],
                "sites": [{"name": "Office", "postcode": "OX4 1BU", "is_operating_site": True}],
            },
        )
        assert org.status_code == 201, org.text
        body = {
            "address": "The Star, 21 Rectory Road, Oxford",
            "postcode": "OX4 1BU",
            "nominating_organisation_id": org.json()["id"],
            "received_date": "2026-11-02",
            "reasons": "Meeting place of the neighbourhood.",
        }
        deadline = time.monotonic() + 30
        while True:  # the organisation arrives through the broker, usually well within a second
            nominated = oxford.post("/api/v1/acv/nominations", json=body)
            if nominated.status_code != 422 or time.monotonic() > deadline:
                break
            assert nominated.json()["errors"][0]["type"] == "organisation.unknown", nominated.text
            time.sleep(0.2)
        assert nominated.status_code == 201, nominated.text
        assert nominated.json()["decision_due"] == "2026-12-27"
        assert nominated.json()["nominator_category"] == "charity"

        with platform.client(council_key(platform, "E07000177")) as cherwell:
            assert cherwell.get(f"/api/v1/acv/nominations/{nominated.json()['id']}").status_code == 404
