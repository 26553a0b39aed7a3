"""Tenants and API keys: lifecycle, secrecy, who may do what, validation, concurrency and idempotency."""

from __future__ import annotations

from typing import Any

import httpx
from gateway.admin.bootstrap import ensure_dev_tenants
from gateway.admin.key_material import hash_key
from localwealth_shared.db import Database
from sqlalchemy import text

ADMIN = {"authorization": "Bearer dev-admin-key"}


async def test_tenant_lifecycle(gateway: httpx.AsyncClient) -> None:
    body = {
        "id": "E08000025",
        "name": "Birmingham City Council",
        "kind": "council",
        "area": {"lad_codes": ["E08000025", "E08000025"]},
    }
    created = await gateway.post("/api/v1/admin/tenants", headers=ADMIN, json=body)
    assert created.status_code == 201
    assert created.headers["location"] == "/api/v1/admin/tenants/E08000025"
    assert created.headers["etag"] == 'W/"1"'
    tenant = created.json()
    assert tenant["area"] == {"lad_codes": ["E08000025"]}  # duplicates collapsed
    assert tenant["version"] == 1

    again = await gateway.post("/api/v1/admin/tenants", headers=ADMIN, json=body)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "tenant_exists"

    fetched = await gateway.get("/api/v1/admin/tenants/E08000025", headers=ADMIN)
    assert fetched.status_code == 200 and fetched.json()["name"] == "Birmingham City Council"
    assert (await gateway.get("/api/v1/admin/tenants/nope", headers=ADMIN)).status_code == 404


async def test_tenant_list_is_keyset_paginated(gateway: httpx.AsyncClient, create_tenant: Any) -> None:
    for suffix in "abcde":
        await create_tenant(f"anchor-{suffix}", kind="anchor")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await gateway.get("/api/v1/admin/tenants", headers=ADMIN, params=params)).json()
        assert len(page["data"]) <= 2
        seen += [t["id"] for t in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"anchor-{s}" for s in "abcde"]

    bad = await gateway.get("/api/v1/admin/tenants", headers=ADMIN, params={"cursor": "garbage!"})
    assert bad.status_code == 422


async def test_tenant_patch_with_if_match(gateway: httpx.AsyncClient, create_tenant: Any) -> None:
    await create_tenant("E07000177")
    change = {"name": "Cherwell District Council", "area": {"lad_codes": ["E07000177", "E07000178"]}}
    ok = await gateway.patch("/api/v1/admin/tenants/E07000177", headers={**ADMIN, "If-Match": 'W/"1"'}, json=change)
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == 'W/"2"'
    assert ok.json()["area"]["lad_codes"] == ["E07000177", "E07000178"]

    stale = await gateway.patch(
        "/api/v1/admin/tenants/E07000177", headers={**ADMIN, "If-Match": 'W/"1"'}, json={"name": "Lost update"}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "version_mismatch"
    current = (await gateway.get("/api/v1/admin/tenants/E07000177", headers=ADMIN)).json()
    assert current["name"] == "Cherwell District Council" and current["version"] == 2

    unknown_field = await gateway.patch("/api/v1/admin/tenants/E07000177", headers=ADMIN, json={"colour": "red"})
    assert unknown_field.status_code == 422


async def test_validation_names_the_field(gateway: httpx.AsyncClient, create_tenant: Any) -> None:
    bad_lad = await gateway.post(
        "/api/v1/admin/tenants",
        headers=ADMIN,
        json={"id": "x1", "name": "X", "kind": "council", "area": {"lad_codes": ["E0700017", "Oxford"]}},
    )
    assert bad_lad.status_code == 422
    locs = [e["loc"] for e in bad_lad.json()["errors"]]
    assert ["body", "area", "lad_codes", 0] in locs and ["body", "area", "lad_codes", 1] in locs

    bad_kind = await gateway.post(
        "/api/v1/admin/tenants",
        headers=ADMIN,
        json={"id": "x1", "name": "X", "kind": "parish", "area": {"lad_codes": ["E07000178"]}},
    )
    assert bad_kind.status_code == 422 and bad_kind.json()["errors"][0]["loc"] == ["body", "kind"]

    await create_tenant("E06000001")
    bad_scope = await gateway.post(
        "/api/v1/admin/api-keys",
        headers=ADMIN,
        json={"tenant_id": "E06000001", "name": "k", "scopes": ["registry:read", "registry:delete"]},
    )
    assert bad_scope.status_code == 422
    problem = bad_scope.json()
    assert problem["errors"][0]["loc"] == ["body", "scopes"]
    assert "registry:delete" in problem["errors"][0]["msg"] and "registry:delete" in problem["detail"]

    unknown_param = await gateway.get("/api/v1/admin/api-keys", headers=ADMIN, params={"tenant": "E06000001"})
    assert unknown_param.status_code == 422
    assert unknown_param.json()["errors"][0]["loc"] == ["query", "tenant"]


async def test_key_shown_once_and_stored_hashed(
    gateway: httpx.AsyncClient, create_tenant: Any, migrated_url: str
) -> None:
    await create_tenant("E07000178")
    resp = await gateway.post(
        "/api/v1/admin/api-keys",
        headers=ADMIN,
        json={"tenant_id": "E07000178", "name": "finance ERP", "scopes": ["impact:write", "impact:read"]},
    )
    assert resp.status_code == 201
    assert resp.headers["cache-control"] == "no-store"
    created = resp.json()
    key = created["key"]
    assert key.startswith("lw_") and len(key) >= 3 + 43  # ≥ 32 random bytes, URL-safe base64
    assert created["scopes"] == ["impact:read", "impact:write"]
    assert key.startswith(created["prefix"]) and len(created["prefix"]) < 16

    listed = (await gateway.get("/api/v1/admin/api-keys", headers=ADMIN, params={"tenant_id": "E07000178"})).json()
    assert [k["id"] for k in listed["data"]] == [created["id"]]
    assert "key" not in listed["data"][0] and key not in str(listed)

    db = Database(migrated_url)
    try:
        async with db.reader() as session:
            rows = (await session.execute(text("SELECT * FROM api_keys"))).mappings().all()
    finally:
        await db.dispose()
    assert len(rows) == 1
    dumped = " ".join(str(v) for v in rows[0].values())
    assert key not in dumped and key[len(created["prefix"]) :] not in dumped
    assert rows[0]["key_hash"] == hash_key(key)


async def test_credentials_are_required_and_checked(
    gateway: httpx.AsyncClient, create_tenant: Any, create_key: Any, auth: Any
) -> None:
    missing = await gateway.get("/api/v1/admin/tenants")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert (await gateway.get("/api/v1/admin/tenants", headers=auth("lw_not-a-real-key"))).status_code == 401
    assert (await gateway.get("/api/v1/admin/tenants", headers={"authorization": "Basic abc"})).status_code == 401

    await create_tenant("E07000178")
    reader = await create_key("E07000178", "registry:read")
    forbidden = await gateway.get("/api/v1/admin/api-keys", headers=auth(reader["key"]))
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "scope_missing"


async def test_revoked_key_is_refused_on_the_next_request(
    gateway: httpx.AsyncClient, create_tenant: Any, create_key: Any, auth: Any
) -> None:
    await create_tenant("E07000178")
    admin_key = await create_key("E07000178", "admin")
    assert (await gateway.get("/api/v1/admin/api-keys", headers=auth(admin_key["key"]))).status_code == 200

    revoked = await gateway.delete(f"/api/v1/admin/api-keys/{admin_key['id']}", headers=ADMIN)
    assert revoked.status_code == 204
    assert (await gateway.get("/api/v1/admin/api-keys", headers=auth(admin_key["key"]))).status_code == 401

    listed = (await gateway.get("/api/v1/admin/api-keys", headers=ADMIN)).json()["data"]
    assert listed[0]["revoked_at"] is not None
    assert (await gateway.delete(f"/api/v1/admin/api-keys/{admin_key['id']}", headers=ADMIN)).status_code == 204
    assert (await gateway.delete("/api/v1/admin/api-keys/no-such-key", headers=ADMIN)).status_code == 404


async def test_tenant_admins_manage_only_their_own_keys(
    gateway: httpx.AsyncClient, create_tenant: Any, create_key: Any, auth: Any
) -> None:
    await create_tenant("E07000178")
    await create_tenant("E07000177")
    oxford_admin = auth((await create_key("E07000178", "admin"))["key"])
    cherwell_key = await create_key("E07000177", "registry:read")

    own = await create_key("E07000178", "registry:read", headers=oxford_admin)
    assert own["tenant_id"] == "E07000178"

    other = await gateway.post(
        "/api/v1/admin/api-keys",
        headers=oxford_admin,
        json={"tenant_id": "E07000177", "name": "sneaky", "scopes": ["admin"]},
    )
    assert other.status_code == 404
    assert (
        await gateway.get("/api/v1/admin/api-keys", headers=oxford_admin, params={"tenant_id": "E07000177"})
    ).status_code == 404
    other_key = f"/api/v1/admin/api-keys/{cherwell_key['id']}"
    assert (await gateway.delete(other_key, headers=oxford_admin)).status_code == 404
    assert (await gateway.get("/api/v1/admin/tenants/E07000177", headers=oxford_admin)).status_code == 404

    mine = (await gateway.get("/api/v1/admin/api-keys", headers=oxford_admin)).json()["data"]
    assert {k["tenant_id"] for k in mine} == {"E07000178"}
    tenants = (await gateway.get("/api/v1/admin/tenants", headers=oxford_admin)).json()["data"]
    assert [t["id"] for t in tenants] == ["E07000178"]

    create = await gateway.post(
        "/api/v1/admin/tenants",
        headers=oxford_admin,
        json={"id": "E07000179", "name": "South Oxfordshire", "kind": "council", "area": {"lad_codes": ["E07000179"]}},
    )
    assert create.status_code == 403 and create.json()["code"] == "platform_admin_required"
    patch = await gateway.patch("/api/v1/admin/tenants/E07000178", headers=oxford_admin, json={"name": "Renamed"})
    assert patch.status_code == 403
    assert (
        await gateway.patch("/api/v1/admin/tenants/E07000177", headers=oxford_admin, json={"name": "Renamed"})
    ).status_code == 404

    assert (await gateway.delete(f"/api/v1/admin/api-keys/{own['id']}", headers=oxford_admin)).status_code == 204


async def test_idempotency_key_on_tenant_creation(gateway: httpx.AsyncClient) -> None:
    body = {"id": "E07000180", "name": "Vale of White Horse", "kind": "council", "area": {"lad_codes": ["E07000180"]}}
    headers = {**ADMIN, "Idempotency-Key": "create-vale-1"}
    first = await gateway.post("/api/v1/admin/tenants", headers=headers, json=body)
    replay = await gateway.post("/api/v1/admin/tenants", headers=headers, json=body)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.headers["location"] == first.headers["location"]

    changed = await gateway.post("/api/v1/admin/tenants", headers=headers, json={**body, "name": "Other"})
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"

    # Without the key, a second create is a conflict: the replay above really was a replay.
    assert (await gateway.post("/api/v1/admin/tenants", headers=ADMIN, json=body)).status_code == 409


async def test_api_key_responses_are_never_stored_for_replay(
    gateway: httpx.AsyncClient, create_tenant: Any, migrated_url: str
) -> None:
    await create_tenant("E07000178")
    headers = {**ADMIN, "Idempotency-Key": "key-1"}
    body = {"tenant_id": "E07000178", "name": "k", "scopes": ["registry:read"]}
    first = (await gateway.post("/api/v1/admin/api-keys", headers=headers, json=body)).json()
    db = Database(migrated_url)
    try:
        async with db.reader() as session:
            stored = (await session.execute(text("SELECT count(*) FROM idempotency_keys"))).scalar_one()
    finally:
        await db.dispose()
    assert stored == 0
    assert first["key"].startswith("lw_")


async def test_development_start_creates_dev_and_demo_tenants(make_gateway: Any, migrated_url: str) -> None:
    client = await make_gateway(env="development")
    tenants = (await client.get("/api/v1/admin/tenants", headers=ADMIN)).json()["data"]
    by_id = {t["id"]: t for t in tenants}
    assert by_id["E07000178"]["name"] == "Oxford City Council"
    assert by_id["E07000178"]["kind"] == "council" and by_id["E07000178"]["area"]["lad_codes"] == ["E07000178"]
    assert "dev" in by_id

    db = Database(migrated_url)
    try:
        await ensure_dev_tenants(db)  # idempotent: a second start changes nothing
    finally:
        await db.dispose()
    again = (await client.get("/api/v1/admin/tenants", headers=ADMIN)).json()["data"]
    assert again == tenants
