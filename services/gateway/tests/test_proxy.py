"""Routing and forwarding over real HTTP to a stand-in service: auth at the edge, tokens, headers, outages."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from gateway.proxy.routing import GATEWAY, ROUTES, resolve
from localwealth_shared.auth import TOKEN_AUDIENCE, admin_principal

ADMIN = {"authorization": "Bearer dev-admin-key"}
WRONG_SECRET = "a-wrong-secret-of-sufficient-length-0123456789"


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("/api/v1/organisations/abc/profile", GATEWAY),
        ("/api/v1/organisations/abc/profile/extra", "registry"),
        ("/api/v1/organisations/abc/tender-matches", "procurement"),
        ("/api/v1/organisations/abc/tender-matches/summary", "procurement"),
        ("/api/v1/organisations/abc/impact", "impact"),
        ("/api/v1/organisations", "registry"),
        ("/api/v1/organisations/abc", "registry"),
        ("/api/v1/organisations/imports/123", "registry"),
        ("/api/v1/reference/cpv", "registry"),
        ("/api/v1/tenders", "procurement"),
        ("/api/v1/alerts/1", "procurement"),
        ("/api/v1/assets/uprn-1", "land"),
        ("/api/v1/acv", "land"),
        ("/api/v1/cat/applications", "land"),
        ("/api/v1/scotland/requests", "land"),
        ("/api/v1/spend/imports", "impact"),
        ("/api/v1/lm3", "impact"),
        ("/api/v1/indicators", "impact"),
        ("/api/v1/social-value/x", "impact"),
        ("/api/v1/admin/tenants", GATEWAY),
        ("/api/v1/organisationsx", None),
        ("/api/v1/tendersfoo", None),
        ("/api/v1/unknown", None),
        ("/api/v2/organisations", None),
    ],
)
def test_routing_table(path: str, owner: str | None) -> None:
    assert resolve(path) == owner


def test_routing_table_is_data() -> None:
    assert len(ROUTES) >= 8 and all(rule.pattern.pattern.startswith("^/api/v1/") for rule in ROUTES)


async def test_forwards_with_an_internal_token_and_end_to_end_headers(
    gateway: httpx.AsyncClient, create_tenant: Any, create_key: Any, auth: Any
) -> None:
    await create_tenant("E07000178", lad_codes=("E07000178", "E07000177"))
    key = await create_key("E07000178", "registry:read")
    resp = await gateway.get(
        "/api/v1/organisations/org%201?include=sites",
        headers={
            **auth(key["key"]),
            "x-request-id": "req-123",
            "traceparent": f"00-{'a' * 32}-{'b' * 16}-01",
            "if-match": 'W/"2"',
            "accept": "application/json",
            "cookie": "session=secret",
        },
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["served_by"] == "registry"
    assert body["path"] == "/api/v1/organisations/org 1" and body["query"] == "include=sites"
    principal = body["principal"]
    assert principal["tid"] == "E07000178" and principal["sub"] == key["id"]
    assert principal["tkind"] == "council" and principal["tname"] == "Tenant E07000178"
    assert principal["area"] == ["E07000178", "E07000177"] and principal["scopes"] == ["registry:read"]

    forwarded = body["headers"]
    assert forwarded["x-request-id"] == "req-123"
    assert forwarded["traceparent"].startswith(f"00-{'a' * 32}-")  # same trace, the gateway's span
    assert forwarded["if-match"] == 'W/"2"' and forwarded["accept"] == "application/json"
    assert forwarded["cookie"] is None
    assert forwarded["x-forwarded-for"]

    assert resp.headers["etag"] == 'W/"3"' and resp.headers["x-upstream"] == "registry"
    assert resp.headers["x-request-id"] == "req-123"
    assert resp.headers.get_list("x-request-id") == ["req-123"]  # not duplicated by the proxy


async def test_platform_admin_key_is_forwarded_as_a_token(gateway: httpx.AsyncClient) -> None:
    resp = await gateway.get("/api/v1/organisations/abc", headers=ADMIN)
    assert resp.status_code == 200
    assert resp.json()["principal"]["tid"] == "dev"


async def test_upstream_receives_a_short_lived_signed_token(registry: Any, gateway: httpx.AsyncClient) -> None:
    """The service itself refuses requests without the gateway's token (defence in depth)."""
    async with httpx.AsyncClient(base_url=registry.url) as direct:
        assert (await direct.get("/api/v1/organisations/abc")).status_code == 401
        unknown_key = await direct.get("/api/v1/organisations/abc", headers={"authorization": "Bearer lw_x"})
        assert unknown_key.status_code == 401
    token = gateway.app.state.token_minter.token_for(admin_principal())  # type: ignore[attr-defined]
    claims = jwt.decode(token, options={"verify_signature": False}, audience=TOKEN_AUDIENCE)
    assert 0 < claims["exp"] - claims["iat"] <= 300


async def test_scope_checks_happen_in_the_service(
    gateway: httpx.AsyncClient, create_tenant: Any, create_key: Any, auth: Any
) -> None:
    await create_tenant("E07000178")
    key = await create_key("E07000178", "impact:read")
    resp = await gateway.get("/api/v1/organisations/abc", headers=auth(key["key"]))
    assert resp.status_code == 403
    assert resp.headers["content-type"] == "application/problem+json"


async def test_credentials_are_checked_at_the_edge(
    gateway: httpx.AsyncClient, create_tenant: Any, create_key: Any, auth: Any
) -> None:
    assert (await gateway.get("/api/v1/organisations/abc")).status_code == 401
    assert (await gateway.get("/api/v1/organisations/abc", headers=auth("lw_unknown"))).status_code == 401
    forged = jwt.encode(
        {
            "tid": "x",
            "sub": "y",
            "scopes": ["admin"],
            "iat": 1,
            "exp": 9_999_999_999,
            "iss": "localwealth-gateway",
            "aud": TOKEN_AUDIENCE,
        },
        WRONG_SECRET,
        algorithm="HS256",
    )
    assert (await gateway.get("/api/v1/organisations/abc", headers=auth(forged))).status_code == 401

    await create_tenant("E07000178")
    key = await create_key("E07000178", "registry:read")
    assert (await gateway.get("/api/v1/organisations/abc", headers=auth(key["key"]))).status_code == 200
    assert (await gateway.delete(f"/api/v1/admin/api-keys/{key['id']}", headers=ADMIN)).status_code == 204
    after = await gateway.get("/api/v1/organisations/abc", headers=auth(key["key"]))
    assert after.status_code == 401
    assert after.json()["code"] == "unauthorized"


async def test_unmatched_paths_are_404_problems(gateway: httpx.AsyncClient) -> None:
    for path in ("/api/v1/unknown", "/api/v1/admin/nothing-here", "/api/v1/organisationsx"):
        resp = await gateway.get(path, headers=ADMIN)
        assert resp.status_code == 404, path
        assert resp.headers["content-type"] == "application/problem+json"
    wrong_method = await gateway.post("/api/v1/organisations/abc/profile", headers=ADMIN, json={})
    assert wrong_method.status_code == 405


async def test_service_not_deployed_is_503(gateway: httpx.AsyncClient) -> None:
    resp = await gateway.get("/api/v1/tenders", headers=ADMIN)
    assert resp.status_code == 503
    problem = resp.json()
    assert problem["code"] == "service_not_deployed" and problem["service"] == "procurement"
    assert (await gateway.get("/api/v1/tenders")).status_code == 401  # unauthenticated callers learn nothing


async def test_upstream_down_is_503_naming_the_service(registry: Any, gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/api/v1/organisations/abc", headers=ADMIN)).status_code == 200
    await registry.stop()
    resp = await gateway.get("/api/v1/organisations/abc", headers=ADMIN)
    assert resp.status_code == 503
    assert resp.json()["code"] == "service_unavailable" and resp.json()["service"] == "registry"
    assert resp.headers["retry-after"]
    await registry.start()
    assert (await gateway.get("/api/v1/organisations/abc", headers=ADMIN)).status_code == 200


async def test_upstream_timeout_is_503(make_gateway: Any, start_upstream: Any) -> None:
    impact = await start_upstream("impact")
    client = await make_gateway(impact_url=impact.url, upstream_timeout_s=0.3)
    resp = await client.get("/api/v1/organisations/slow/impact", headers=ADMIN)
    assert resp.status_code == 503 and resp.json()["service"] == "impact"


async def test_request_bodies_and_creation_headers_pass_through(gateway: httpx.AsyncClient) -> None:
    resp = await gateway.post(
        "/api/v1/organisations", headers={**ADMIN, "Idempotency-Key": "abc-1"}, json={"name": "Bread Co-op"}
    )
    assert resp.status_code == 201
    assert resp.headers["location"] == "/api/v1/organisations/new-1"
    body = resp.json()
    assert body["body"] == '{"name":"Bread Co-op"}'
    assert body["headers"]["idempotency-key"] == "abc-1"
    assert body["headers"]["content-type"] == "application/json"


async def test_large_uploads_stream_through_and_oversized_bodies_are_413(make_gateway: Any, registry: Any) -> None:
    client = await make_gateway(registry_url=registry.url, max_body_bytes=10_000, max_upload_bytes=3_000_000)
    payload = b"x" * 2_500_000  # over the proxy's buffering threshold: streamed
    ok = await client.post(
        "/api/v1/organisations/imports", headers={**ADMIN, "content-type": "text/csv"}, content=payload
    )
    assert ok.status_code == 202, ok.text
    assert ok.json()["received_bytes"] == len(payload)

    async def chunks() -> Any:
        for _ in range(40):
            yield b"y" * 100_000

    too_big = await client.post(
        "/api/v1/organisations/imports", headers={**ADMIN, "content-type": "text/csv"}, content=chunks()
    )
    assert too_big.status_code == 413
    not_an_upload = await client.post("/api/v1/organisations", headers=ADMIN, json={"pad": "z" * 20_000})
    assert not_an_upload.status_code == 413


async def test_large_responses_stream_back(gateway: httpx.AsyncClient) -> None:
    resp = await gateway.get("/api/v1/organisations/abc/big", headers=ADMIN, params={"chunks": 64})
    assert resp.status_code == 200
    assert len(resp.content) == 64 * 32_768
    assert resp.content[:1] == b"A" and resp.content[-1:] == bytes([65 + 63 % 26])
    assert resp.headers["content-type"] == "application/octet-stream"
