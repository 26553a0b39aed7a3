"""All tenant and API key queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from localwealth_shared.http.pagination import after
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db import ApiKey, Tenant


async def get_tenant(session: AsyncSession, tenant_id: str) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def list_tenants(
    session: AsyncSession,
    *,
    limit: int,
    after_id: str | None,
    only_id: str | None = None,
) -> Sequence[Tenant]:
    stmt = select(Tenant).order_by(Tenant.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Tenant.id > after_id)
    if only_id is not None:
        stmt = stmt.where(Tenant.id == only_id)
    return (await session.execute(stmt)).scalars().all()


async def get_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_keys(
    session: AsyncSession,
    *,
    tenant_id: str | None,
    limit: int,
    after_key: tuple[datetime, str] | None,
) -> Sequence[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id).limit(limit + 1)
    if tenant_id is not None:
        stmt = stmt.where(ApiKey.tenant_id == tenant_id)
    if after_key is not None:
        stmt = stmt.where(after([ApiKey.created_at, ApiKey.id], after_key))
    return (await session.execute(stmt)).scalars().all()


async def revoke_key(session: AsyncSession, key_id: str, at: datetime) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=at))
