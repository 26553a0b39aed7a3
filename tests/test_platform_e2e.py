"""The platform as users meet it: keys issued by the gateway, requests routed to the registry, a key
revoked at once, and the gateway degrading (not failing) when the registry is down."""

from __future__ import annotations

import pytest

from .conftest import Platform

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def test_a_tenant_key_works_through_the_gateway_and_is_refused_at_once_when_revoked(platform: Platform) -> None:
    with platform.client() as admin:
        tenant = admin.post(
            "/api/v1/admin/tenants",
            json={
                "id": "E08000035",
                "name": "Leeds City Council",
                "kind": "council",
                "area": {"lad_codes": ["E08000035"]},
            },
        )
        assert tenant.status_code == 201, tenant.text
        created = admin.post(
            "/api/v1/admin/api-keys",
            json={"tenant_id": "E08000035", "name": "portal", "scopes": ["registry:read", "registry:write"]},
        )
        assert created.status_code == 201, created.text
        key = created.json()["key"]

    with platform.client(key) as leeds:
        org = leeds.post(
            "/api/v1/organisations", json={"name": "Leeds Bread Co-op", "sites": [{"postcode": "LS6 1AA"}]}
        )
        assert org.status_code == 201, org.text
        assert org.json()["created_by"] == "E08000035"
        assert org.json()["sites"][0]["lad_code"] == "E08000035"
        assert leeds.get(f"/api/v1/organisations/{org.json()['id']}").status_code == 200
        assert leeds.get("/api/v1/admin/api-keys").status_code == 403  # no admin scope

        with platform.client() as admin:
            assert admin.delete(f"/api/v1/admin/api-keys/{created.json()['id']}").status_code == 204
        refused = leeds.get(f"/api/v1/organisations/{org.json()['id']}")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_services_verify_credentials_themselves(platform: Platform) -> None:
    import httpx

    assert httpx.get(f"{platform.registry_url}/api/v1/organisations").status_code == 401
    forged = httpx.get(f"{platform.registry_url}/api/v1/organisations", headers={"Authorization": "Bearer lw_guess"})
    assert forged.status_code == 401


def test_with_the_registry_down_routes_answer_503_and_the_profile_degrades(platform: Platform) -> None:
    with platform.client() as admin:
        org = admin.post("/api/v1/organisations", json={"name": "Resilient Co-op"}).json()
        profile = admin.get(f"/api/v1/organisations/{org['id']}/profile")
        assert profile.status_code == 200
        assert profile.json()["organisation"]["name"] == "Resilient Co-op"
        assert "registry" not in profile.json()["degraded"]

        platform.registry_api.stop()
        direct = admin.get(f"/api/v1/organisations/{org['id']}")
        assert direct.status_code == 503 and direct.json()["code"] == "service_unavailable"
        degraded = admin.get(f"/api/v1/organisations/{org['id']}/profile")
        assert degraded.status_code == 200
        assert degraded.json()["organisation"] is None and "registry" in degraded.json()["degraded"]
        ready = admin.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["registry"] != "ok"
        assert admin.get("/readyz", params={"scope": "self"}).status_code == 200

        platform.registry_api.start()
        assert admin.get(f"/api/v1/organisations/{org['id']}").status_code == 200
