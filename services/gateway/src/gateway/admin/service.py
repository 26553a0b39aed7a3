"""Business rules for tenants and API keys: who may manage what, key issue and revocation.

The platform admin (the admin key, or any admin key of the platform tenant `dev`) manages every tenant
and key. A tenant's own key with the `admin` scope manages its own keys only; anything belonging to
another tenant answers 404, never 403, so tenants cannot learn about each other. Services never commit:
the request (or CLI command) commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from localwealth_shared.auth import ADMIN_TENANT_ID, Principal
from localwealth_shared.clock import utcnow
from localwealth_shared.http.pagination import decode_cursor, page_of
from localwealth_shared.http.problems import Conflict, Forbidden, NotFound
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.admin import repository
from gateway.admin.key_material import display_prefix, generate_key, hash_key
from gateway.db import ApiKey, Tenant


def is_platform_admin(principal: Principal) -> bool:
    return principal.tenant_id == ADMIN_TENANT_ID and principal.has_scope("admin")


def _require_platform_admin(principal: Principal, action: str) -> None:
    if not is_platform_admin(principal):
        raise Forbidden(f"only the platform admin may {action}", code="platform_admin_required")


def _tenant_not_found(tenant_id: str) -> NotFound:
    return NotFound(f"no tenant {tenant_id}", code="tenant_not_found")


def _may_see_tenant(principal: Principal, tenant_id: str) -> bool:
    return is_platform_admin(principal) or principal.tenant_id == tenant_id


async def create_tenant(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: str,
    name: str,
    kind: str,
    lad_codes: Sequence[str],
) -> Tenant:
    _require_platform_admin(principal, "create tenants")
    if await repository.get_tenant(session, tenant_id) is not None:
        raise Conflict(f"tenant {tenant_id} already exists", code="tenant_exists")
    now = utcnow()
    tenant = Tenant(
        id=tenant_id, name=name, kind=kind, lad_codes=list(lad_codes), created_at=now, updated_at=now, version=1
    )
    session.add(tenant)
    try:
        await session.flush()
    except IntegrityError as exc:  # created concurrently between the check and the insert
        raise Conflict(f"tenant {tenant_id} already exists", code="tenant_exists") from exc
    return tenant


async def get_tenant(session: AsyncSession, principal: Principal, tenant_id: str) -> Tenant:
    tenant = await repository.get_tenant(session, tenant_id) if _may_see_tenant(principal, tenant_id) else None
    if tenant is None:
        raise _tenant_not_found(tenant_id)
    return tenant


async def list_tenants(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Tenant], str | None]:
    after_id = decode_cursor(cursor, [str])[0] if cursor else None
    only_id = None if is_platform_admin(principal) else principal.tenant_id
    rows = await repository.list_tenants(session, limit=limit, after_id=after_id, only_id=only_id)
    return page_of(rows, limit, lambda t: [t.id])


async def update_tenant(session: AsyncSession, principal: Principal, tenant: Tenant, changes: dict[str, Any]) -> Tenant:
    """The tenant record (kind, area) drives every service's rules, so only the platform admin changes it."""
    _require_platform_admin(principal, "change tenants")
    if "area" in changes:
        changes["lad_codes"] = list(changes.pop("area")["lad_codes"])
    changed = False
    for field, value in changes.items():
        if value is not None and getattr(tenant, field) != value:
            setattr(tenant, field, value)
            changed = True
    if changed:
        tenant.updated_at = utcnow()
        tenant.version += 1
        await session.flush()
    return tenant


async def create_key(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: str,
    name: str,
    scopes: Sequence[str],
) -> tuple[ApiKey, str]:
    """Issue a key; the plaintext is returned once and never stored."""
    await get_tenant(session, principal, tenant_id)  # 404 for a tenant the caller may not manage
    plaintext = generate_key()
    key = ApiKey(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        name=name,
        key_hash=hash_key(plaintext),
        prefix=display_prefix(plaintext),
        scopes=sorted(set(scopes)),
        created_at=utcnow(),
        revoked_at=None,
    )
    session.add(key)
    await session.flush()
    return key, plaintext


async def list_keys(
    session: AsyncSession,
    principal: Principal,
    *,
    tenant_id: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ApiKey], str | None]:
    if tenant_id is not None:
        await get_tenant(session, principal, tenant_id)
    elif not is_platform_admin(principal):
        tenant_id = principal.tenant_id
    after_key = tuple(decode_cursor(cursor, [datetime, str])) if cursor else None
    rows = await repository.list_keys(session, tenant_id=tenant_id, limit=limit, after_key=after_key)
    return page_of(rows, limit, lambda k: [k.created_at, k.id])


async def revoke_key(session: AsyncSession, principal: Principal, key_id: str) -> None:
    """Revoke at once (idempotent): the next request with the key gets 401 on every replica."""
    key = await repository.get_key(session, key_id)
    if key is None or not _may_see_tenant(principal, key.tenant_id):
        raise NotFound(f"no API key {key_id}", code="api_key_not_found")
    await repository.revoke_key(session, key_id, utcnow())
