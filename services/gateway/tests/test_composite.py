"""The organisation profile composite: concurrent fan-out, and degradation instead of failure."""

from __future__ import annotations

import time
from typing import Any

import httpx

ADMIN = {"authorization": "Bearer dev-admin-key"}


async def test_profile_combines_all_three_services(make_gateway: Any, start_upstream: Any) -> None:
    registry, procurement, impact = [await start_upstream(n) for n in ("registry", "procurement", "impact")]
    client = await make_gateway(registry_url=registry.url, procurement_url=procurement.url, impact_url=impact.url)
    resp = await client.get("/api/v1/organisations/org-1/profile", headers={**ADMIN, "x-request-id": "profile-1"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["organisation"]["id"] == "org-1" and body["organisation"]["served_by"] == "registry"
    assert body["organisation"]["headers"]["x-request-id"] == "profile-1"
    assert body["tender_matches"]["served_by"] == "procurement" and body["tender_matches"]["limit"] == 5
    assert body["impact"] == {"organisation": "org-1", "lm3": "1.80", "served_by": "impact"}
    assert body["degraded"] == [] and body["degraded_reasons"] == {}


async def test_profile_degrades_when_a_service_is_down_slow_or_absent(make_gateway: Any, start_upstream: Any) -> None:
    registry, procurement, impact = [await start_upstream(n) for n in ("registry", "procurement", "impact")]
    client = await make_gateway(
        registry_url=registry.url, procurement_url=procurement.url, impact_url=impact.url, composite_timeout_s=1.0
    )
    await procurement.stop()
    started = time.monotonic()
    resp = await client.get("/api/v1/organisations/slow/profile", headers=ADMIN)
    elapsed = time.monotonic() - started
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["organisation"]["id"] == "slow"
    assert body["tender_matches"] is None and body["impact"] is None
    assert sorted(body["degraded"]) == ["impact", "procurement"]
    assert body["degraded_reasons"] == {"procurement": "unavailable", "impact": "timeout"}
    assert elapsed < 4  # the slow part was cut off, not waited for (it sleeps 5 s)

    # A failing part is told apart from a slow one (a generous timeout, so a loaded machine cannot blur them).
    patient = await make_gateway(registry_url=registry.url, impact_url=impact.url, composite_timeout_s=10)
    failing = (await patient.get("/api/v1/organisations/boom/profile", headers=ADMIN)).json()
    assert failing["degraded_reasons"]["impact"] == "http_500"


async def test_profile_with_only_the_registry_deployed(gateway: httpx.AsyncClient) -> None:
    resp = await gateway.get("/api/v1/organisations/org-2/profile", headers=ADMIN)
    assert resp.status_code == 200
    body = resp.json()
    assert body["organisation"]["id"] == "org-2"
    assert body["degraded_reasons"] == {"procurement": "not_deployed", "impact": "not_deployed"}


async def test_profile_is_404_when_the_registry_has_no_such_organisation(gateway: httpx.AsyncClient) -> None:
    resp = await gateway.get("/api/v1/organisations/missing/profile", headers=ADMIN)
    assert resp.status_code == 404
    assert resp.json()["code"] == "organisation_not_found"


async def test_profile_with_the_registry_down_is_still_an_answer(registry: Any, gateway: httpx.AsyncClient) -> None:
    await registry.stop()
    resp = await gateway.get("/api/v1/organisations/org-3/profile", headers=ADMIN)
    assert resp.status_code == 200
    assert resp.json()["organisation"] is None and "registry" in resp.json()["degraded"]


async def test_profile_needs_registry_read_and_skips_parts_the_key_cannot_see(
    gateway: httpx.AsyncClient,
    create_tenant: Any,
    create_key: Any,
    auth: Any,
) -> None:
    await create_tenant("E07000178")
    no_registry = await create_key("E07000178", "impact:read")
    assert (await gateway.get("/api/v1/organisations/o/profile", headers=auth(no_registry["key"]))).status_code == 403
    assert (await gateway.get("/api/v1/organisations/o/profile")).status_code == 401

    registry_only = await create_key("E07000178", "registry:read")
    body = (await gateway.get("/api/v1/organisations/o/profile", headers=auth(registry_only["key"]))).json()
    assert body["organisation"]["principal"]["tid"] == "E07000178"
    assert body["degraded_reasons"]["procurement"] == "scope_missing: procurement:read"
