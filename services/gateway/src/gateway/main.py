"""The gateway HTTP app (`uvicorn gateway.main:create_app --factory`): the single public entry point."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from localwealth_shared.auth import Authenticator
from localwealth_shared.db import Database
from localwealth_shared.http.app import create_service_app
from localwealth_shared.http.query_guard import forbid_unknown_query_params
from localwealth_shared.observability.logging import configure_logging
from starlette.middleware import Middleware

from gateway.admin.bootstrap import ensure_dev_tenants
from gateway.admin.endpoints import router as admin_router
from gateway.composite.profile import router as composite_router
from gateway.config import GatewaySettings, get_settings
from gateway.db import platform
from gateway.docs.endpoints import STATIC_PATH, static_files
from gateway.docs.endpoints import router as docs_router
from gateway.edge.introspection import router as introspection_router
from gateway.edge.key_store import KeyStore
from gateway.edge.tokens import TokenMinter
from gateway.local_idempotency import LocalIdempotencyMiddleware
from gateway.openapi.endpoints import router as openapi_router
from gateway.openapi.sources import ServiceDocuments
from gateway.proxy.forward import proxy_route
from gateway.proxy.upstreams import Upstreams
from gateway.readiness import router as readiness_router

DESCRIPTION = """The single public entry point of localwealth: community wealth building for UK councils and
other anchor institutions. Authenticate with `Authorization: Bearer <API key>`; keys belong to a tenant and
carry scopes. Errors are RFC 9457 problem+json; lists use keyset cursors (`limit`, `cursor`)."""

# Built-in routes of the app factory that the gateway serves differently: the merged OpenAPI document,
# offline docs, and readiness that also reports each service.
REPLACED_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/readyz"})


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("gateway", settings.log_level, json=settings.log_json)
    db = Database(settings.database_url)
    key_store = KeyStore(db)
    authenticator = Authenticator(
        secret=settings.internal_token_secret.get_secret_value(),
        admin_key=settings.admin_key.get_secret_value(),
        introspect=key_store.principal_for_key,
    )
    upstreams = Upstreams.from_settings(settings)

    async def on_startup(_app: FastAPI) -> None:
        if settings.env == "development":
            await ensure_dev_tenants(db)

    app = create_service_app(
        settings=settings,
        db=db,
        tables=None,
        title="localwealth API",
        description=DESCRIPTION,
        routers=[admin_router, composite_router],
        check_broker=False,
        authenticator=authenticator,
        on_startup=on_startup,
    )
    app.state.key_store = key_store
    app.state.upstreams = upstreams
    app.state.token_minter = TokenMinter(settings.internal_token_secret.get_secret_value())
    app.state.service_documents = ServiceDocuments(upstreams, settings.openapi_cache_ttl_s)

    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in REPLACED_PATHS]
    for router in (readiness_router, openapi_router, docs_router, introspection_router):
        app.include_router(router, dependencies=[Depends(forbid_unknown_query_params)])
    app.mount(STATIC_PATH, static_files(), name="swagger-ui")
    app.router.routes.append(proxy_route())  # last: every local route wins over forwarding

    # Innermost, like the app factory's own idempotency layer, but only for the gateway's own POSTs.
    app.user_middleware.append(
        Middleware(
            LocalIdempotencyMiddleware,
            db=db,
            tables=platform,
            authenticator=authenticator,
            ttl_hours=settings.idempotency_ttl_hours,
        )
    )

    factory_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        async with factory_lifespan(app_):
            try:
                yield
            finally:
                await upstreams.aclose()

    app.router.lifespan_context = lifespan
    return app
