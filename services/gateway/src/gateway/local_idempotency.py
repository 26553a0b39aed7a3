"""Idempotency-Key handling for the gateway's own creating POST (tenants) and nothing else.

Proxied requests keep their Idempotency-Key header and the owning service applies it; handling it here
too would buffer every proxied body and store every service's responses in the gateway's database.
`POST /api/v1/admin/api-keys` is left out on purpose: its response carries the key's only plaintext
copy, which must never be stored.
"""

from __future__ import annotations

from localwealth_shared.auth import Authenticator
from localwealth_shared.db import Database
from localwealth_shared.http.idempotency import IdempotencyMiddleware
from localwealth_shared.http.middleware import ASGIApp, Receive, Scope, Send
from localwealth_shared.platform_tables import PlatformTables

IDEMPOTENT_PATHS = frozenset({"/api/v1/admin/tenants"})


class LocalIdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, *, db: Database, tables: PlatformTables, authenticator: Authenticator, ttl_hours: int
    ) -> None:
        self.app = app
        self.idempotent = IdempotencyMiddleware(
            app, db=db, tables=tables, authenticator=authenticator, ttl_hours=ttl_hours
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in IDEMPOTENT_PATHS:
            await self.idempotent(scope, receive, send)
        else:
            await self.app(scope, receive, send)
