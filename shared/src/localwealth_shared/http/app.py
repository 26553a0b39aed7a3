"""Build a service's FastAPI app with the platform conventions already wired in.

Every service gets: problem+json errors, request ids and JSON request logs, Prometheus `/metrics`,
`/healthz` (alive) and `/readyz` (database and broker reachable), body-size and media-type guards,
unknown-query-parameter rejection, Idempotency-Key handling and credential verification.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import text

from localwealth_shared.auth import Authenticator
from localwealth_shared.db import Database
from localwealth_shared.http.idempotency import IdempotencyMiddleware
from localwealth_shared.http.middleware import BodyGuardMiddleware, RequestContextMiddleware
from localwealth_shared.http.problems import install_problem_handlers, problem_responses
from localwealth_shared.http.query_guard import forbid_unknown_query_params
from localwealth_shared.http.responses import JSONDocResponse
from localwealth_shared.observability.metrics import render
from localwealth_shared.platform_tables import PlatformTables
from localwealth_shared.settings import ServiceSettings

ReadinessCheck = Callable[[], Awaitable[None]]


async def broker_reachable(bootstrap_servers: str, connect_timeout_s: float = 1.0) -> None:
    """A TCP connect to any bootstrap server; the API process itself never talks to Kafka."""
    errors = []
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), connect_timeout_s)
            writer.close()
            return
        except (TimeoutError, OSError, ValueError) as exc:
            errors.append(f"{server}: {exc or type(exc).__name__}")
    raise ConnectionError("; ".join(errors))


def create_service_app(
    *,
    settings: ServiceSettings,
    db: Database,
    tables: PlatformTables | None,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "1.0.0",
    extra_readiness: dict[str, ReadinessCheck] | None = None,
    on_startup: Callable[[FastAPI], Awaitable[None]] | None = None,
    check_broker: bool = True,
    authenticator: Authenticator | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            await on_startup(app)
        yield
        await db.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.authenticator = authenticator or Authenticator(
        secret=settings.internal_token_secret.get_secret_value(),
        admin_key=settings.admin_key.get_secret_value(),
        gateway_url=getattr(settings, "gateway_url", None),
    )
    install_problem_handlers(app)

    for router in routers:
        # Every route rejects unknown query parameters (422 problem), so every route documents that answer.
        app.include_router(
            router, dependencies=[Depends(forbid_unknown_query_params)], responses=problem_responses(422)
        )

    checks: dict[str, ReadinessCheck] = {}

    async def database_check() -> None:
        async with db.reader() as session:
            await session.execute(text("SELECT 1"))

    checks["database"] = database_check
    if check_broker:
        checks["broker"] = lambda: broker_reachable(settings.kafka_bootstrap_servers)
    checks.update(extra_readiness or {})

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONDocResponse:
        results: dict[str, Any] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=2.0)
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {exc or type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONDocResponse(
            {"status": "ready" if ready else "not_ready", "service": settings.service_name, "checks": results},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics(_request: Request) -> Response:
        body, content_type = render()
        return Response(body, media_type=content_type)

    if tables is not None:
        app.add_middleware(
            IdempotencyMiddleware,
            db=db,
            tables=tables,
            authenticator=app.state.authenticator,
            ttl_hours=settings.idempotency_ttl_hours,
        )
    app.add_middleware(
        BodyGuardMiddleware, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes
    )
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    return app
