"""`POST /internal/introspect`: lets a service check an API key presented to it directly (not public)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from localwealth_shared.auth import Principal, authenticate_request, bearer_credential
from localwealth_shared.http.problems import Forbidden, NotFound, Unauthorized

from gateway.admin.schemas import IntrospectionRequest
from gateway.edge.key_store import KeyStore

router = APIRouter(prefix="/internal")


async def internal_admin(request: Request) -> Principal:
    """Only a service holding the internal token secret may ask: an internal token with the `admin` scope."""
    credential = bearer_credential(request)
    if credential is None or credential.count(".") != 2:
        raise Unauthorized("an internal token is required")
    principal = await authenticate_request(request)
    if "admin" not in principal.scopes:
        raise Forbidden("the internal token lacks the admin scope", code="scope_missing")
    return principal


@router.post("/introspect", include_in_schema=False)
async def introspect(
    body: IntrospectionRequest,
    request: Request,
    _: Annotated[Principal, Depends(internal_admin)],
) -> dict[str, Any]:
    key_store: KeyStore = request.app.state.key_store
    principal = await key_store.principal_for_key(body.key)
    if principal is None:
        raise NotFound("unknown or revoked API key", code="api_key_not_found")
    return principal.claims()
