"""`/api/v1/admin/...`: tenants and API keys (scope `admin`), served by the gateway itself."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from localwealth_shared.auth import Principal, require
from localwealth_shared.http.concurrency import check_if_match, set_etag
from localwealth_shared.http.pagination import Cursor, Limit
from localwealth_shared.http.problems import problem_responses
from localwealth_shared.http.sessions import ReadSession, WriteSession

from gateway.admin import service
from gateway.admin.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPage, Tenant, TenantCreate, TenantPage, TenantPatch
from gateway.db import ApiKey as ApiKeyRow
from gateway.db import Tenant as TenantRow

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

Admin = Annotated[Principal, Depends(require("admin"))]


Writer = WriteSession
Reader = ReadSession


def tenant_view(tenant: TenantRow) -> dict[str, Any]:
    return {
        "id": tenant.id,
        "name": tenant.name,
        "kind": tenant.kind,
        "area": {"lad_codes": list(tenant.lad_codes)},
        "created_at": tenant.created_at,
        "updated_at": tenant.updated_at,
        "version": tenant.version,
    }


def key_view(key: ApiKeyRow) -> dict[str, Any]:
    return {
        "id": key.id,
        "tenant_id": key.tenant_id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": list(key.scopes),
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }


@router.post(
    "/tenants",
    status_code=status.HTTP_201_CREATED,
    response_model=Tenant,
    responses=problem_responses(401, 403, 409, 422),
    summary="Create a tenant (platform admin)",
)
async def create_tenant(body: TenantCreate, response: Response, principal: Admin, session: Writer) -> dict[str, Any]:
    tenant = await service.create_tenant(
        session, principal, tenant_id=body.id, name=body.name, kind=body.kind, lad_codes=body.area.lad_codes
    )
    response.headers["Location"] = f"/api/v1/admin/tenants/{tenant.id}"
    set_etag(response, tenant.version)
    return tenant_view(tenant)


@router.get("/tenants", response_model=TenantPage, responses=problem_responses(401, 403, 422), summary="List tenants")
async def list_tenants(principal: Admin, session: Reader, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    rows, next_cursor = await service.list_tenants(session, principal, limit=limit, cursor=cursor)
    return {"data": [tenant_view(t) for t in rows], "next_cursor": next_cursor}


@router.get(
    "/tenants/{tenant_id}", response_model=Tenant, responses=problem_responses(401, 403, 404), summary="Get a tenant"
)
async def get_tenant(tenant_id: str, response: Response, principal: Admin, session: Reader) -> dict[str, Any]:
    tenant = await service.get_tenant(session, principal, tenant_id)
    set_etag(response, tenant.version)
    return tenant_view(tenant)


@router.patch(
    "/tenants/{tenant_id}",
    response_model=Tenant,
    responses=problem_responses(401, 403, 404, 412, 422),
    summary="Change a tenant (platform admin; If-Match supported)",
)
async def update_tenant(
    tenant_id: str,
    body: TenantPatch,
    request: Request,
    response: Response,
    principal: Admin,
    session: Writer,
) -> dict[str, Any]:
    tenant = await service.get_tenant(session, principal, tenant_id)
    check_if_match(request, tenant.version)
    tenant = await service.update_tenant(session, principal, tenant, body.model_dump(exclude_unset=True))
    set_etag(response, tenant.version)
    return tenant_view(tenant)


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=problem_responses(401, 403, 404, 422),
    summary="Issue an API key (shown once)",
)
async def create_api_key(body: ApiKeyCreate, response: Response, principal: Admin, session: Writer) -> dict[str, Any]:
    key, plaintext = await service.create_key(
        session, principal, tenant_id=body.tenant_id, name=body.name, scopes=body.scopes
    )
    response.headers["Location"] = f"/api/v1/admin/api-keys/{key.id}"
    response.headers["Cache-Control"] = "no-store"  # the only response that ever carries the secret
    return {**key_view(key), "key": plaintext}


@router.get(
    "/api-keys",
    response_model=ApiKeyPage,
    responses=problem_responses(401, 403, 404, 422),
    summary="List API keys (never their secrets)",
)
async def list_api_keys(
    principal: Admin,
    session: Reader,
    tenant_id: Annotated[str | None, Query(max_length=100, description="Only this tenant's keys.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    rows, next_cursor = await service.list_keys(session, principal, tenant_id=tenant_id, limit=limit, cursor=cursor)
    return {"data": [key_view(k) for k in rows], "next_cursor": next_cursor}


@router.delete(
    "/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
    summary="Revoke an API key at once",
)
async def revoke_api_key(key_id: str, principal: Admin, session: Writer) -> Response:
    await service.revoke_key(session, principal, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
