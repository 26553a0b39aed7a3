"""Resolve a presented API key to its Principal: one indexed look-up by hash on every request.

No cache on purpose: a revoked key must be refused on the very next request by every gateway replica,
and the query is a unique-index equality match joined to the tenant's primary key.
"""

from __future__ import annotations

from localwealth_shared.auth import Principal
from localwealth_shared.db import Database
from sqlalchemy import select

from gateway.admin.key_material import hash_key, looks_like_key
from gateway.db import ApiKey, Tenant


class KeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._query = (
            select(ApiKey.id, ApiKey.scopes, Tenant.id.label("tenant_id"), Tenant.kind, Tenant.name, Tenant.lad_codes)
            .join(Tenant, Tenant.id == ApiKey.tenant_id)
            .where(ApiKey.revoked_at.is_(None))
        )

    async def principal_for_key(self, credential: str) -> Principal | None:
        if not looks_like_key(credential):
            return None
        async with self.db.reader() as session:
            row = (await session.execute(self._query.where(ApiKey.key_hash == hash_key(credential)))).first()
        if row is None:
            return None
        return Principal(
            tenant_id=row.tenant_id,
            scopes=frozenset(row.scopes),
            key_id=row.id,
            tenant_kind=row.kind,
            area_lad_codes=tuple(row.lad_codes),
            tenant_name=row.name,
        )
