"""Readiness, health, metrics and key introspection for services."""

from __future__ import annotations

from typing import Any

import httpx
from localwealth_shared.auth import Authenticator, Principal, admin_principal, issue_internal_token

ADMIN = {"authorization": "Bearer dev-admin-key"}
SECRET = "dev-internal-token-secret-change-me"


async def test_readyz_reports_each_service(registry: Any, gateway: httpx.AsyncClient) -> None:
    ready = await gateway.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {
        "database": "ok",
        "registry": "ok",
        "procurement": "not_deployed",
        "land": "not_deployed",
        "impact": "not_deployed",
    }
    await registry.stop()
    degraded = await gateway.get("/readyz")
    assert degraded.status_code == 503
    assert degraded.json()["checks"]["registry"].startswith("unavailable")
    own = await gateway.get("/readyz", params={"scope": "self"})
    assert own.status_code == 200 and own.json()["checks"] == {"database": "ok"}
    assert (await gateway.get("/readyz", params={"scope": "everything"})).status_code == 422
    assert (await gateway.get("/readyz", params={"verbose": "1"})).status_code == 422


async def test_readyz_fails_without_the_gateway_database(make_gateway: Any) -> None:
    broken = await make_gateway(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    resp = await broken.get("/readyz", params={"scope": "self"})
    assert resp.status_code == 503 and resp.json()["checks"]["database"].startswith("unavailable")


async def test_health_and_metrics(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/healthz")).json() == {"status": "ok", "service": "gateway"}
    await gateway.get("/api/v1/organisations/abc", headers=ADMIN)
    metrics = await gateway.get("/metrics")
    assert metrics.status_code == 200 and "localwealth_http_requests_total" in metrics.text


async def test_introspection_lets_services_check_keys(
    gateway: httpx.AsyncClient, create_tenant: Any, create_key: Any, auth: Any
) -> None:
    await create_tenant("E07000178")
    key = await create_key("E07000178", "land:read")
    internal = auth(issue_internal_token(admin_principal(), SECRET))

    resp = await gateway.post("/internal/introspect", headers=internal, json={"key": key["key"]})
    assert resp.status_code == 200
    principal = Principal.from_claims(resp.json())
    assert principal.tenant_id == "E07000178" and principal.scopes == frozenset({"land:read"})
    assert principal.key_id == key["id"] and principal.area_lad_codes == ("E07000178",)

    assert (await gateway.post("/internal/introspect", headers=internal, json={"key": "lw_nope"})).status_code == 404
    assert (await gateway.post("/internal/introspect", json={"key": key["key"]})).status_code == 401
    assert (await gateway.post("/internal/introspect", headers=ADMIN, json={"key": key["key"]})).status_code == 401
    reader_token = auth(issue_internal_token(principal, SECRET))
    as_reader = await gateway.post("/internal/introspect", headers=reader_token, json={"key": key["key"]})
    assert as_reader.status_code == 403

    # The shared Authenticator of a service uses this endpoint for keys presented to it directly.
    transport = httpx.ASGITransport(app=gateway.app)  # type: ignore[attr-defined]
    authenticator = Authenticator(secret=SECRET, admin_key="dev-admin-key", gateway_url="http://gateway.test")
    authenticator._http = httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
    try:
        seen = await authenticator.authenticate(key["key"])
        assert seen.tenant_id == "E07000178"
        await gateway.delete(f"/api/v1/admin/api-keys/{key['id']}", headers=ADMIN)
        revoked = await gateway.post("/internal/introspect", headers=internal, json={"key": key["key"]})
        assert revoked.status_code == 404
    finally:
        await authenticator._http.aclose()
