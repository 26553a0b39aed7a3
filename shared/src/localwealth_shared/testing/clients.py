"""API clients for service tests: in-process (ASGI) httpx clients carrying the internal token the gateway
would forward for a tenant, with its scopes and area."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from localwealth_shared.auth import Principal, issue_internal_token
from localwealth_shared.settings import DEV_INTERNAL_TOKEN_SECRET

OXFORD, CHERWELL = "E07000178", "E07000177"

ClientFactory = Callable[..., httpx.AsyncClient]


def token(
    tenant: str = "t-oxford",
    scopes: tuple[str, ...] = (),
    area: tuple[str, ...] = (OXFORD,),
    kind: str = "council",
) -> str:
    principal = Principal(
        tenant_id=tenant,
        scopes=frozenset(scopes),
        key_id=f"key-{tenant}",
        area_lad_codes=area,
        tenant_kind=kind,
        tenant_name=f"{tenant} council",
    )
    return issue_internal_token(principal, DEV_INTERNAL_TOKEN_SECRET)


@asynccontextmanager
async def client_factory(
    app: Any, *, base_url: str, scopes: tuple[str, ...], tenant: str = "t-oxford"
) -> AsyncIterator[ClientFactory]:
    """`factory(tenant=, scopes=, area=, kind=, auth=)` → a client for `app`; all are closed on exit."""
    clients: list[httpx.AsyncClient] = []
    default_tenant, default_scopes = tenant, scopes

    def factory(
        tenant: str = default_tenant,
        scopes: tuple[str, ...] = default_scopes,
        area: tuple[str, ...] = (OXFORD,),
        kind: str = "council",
        auth: bool = True,
    ) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token(tenant, scopes, area, kind)}"} if auth else {}
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base_url, headers=headers)
        clients.append(client)
        return client

    try:
        yield factory
    finally:
        for client in clients:
            await client.aclose()
