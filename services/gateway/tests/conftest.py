"""Fixtures: a migrated gateway database, the gateway app in-process, and stand-in services over real HTTP.

The stand-in is a small app built with the platform's own `create_service_app`, served by uvicorn on a free
port, so routing, header forwarding, token verification and outages are exercised over real sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from gateway.config import SERVICE_ROOT, GatewaySettings
from gateway.main import create_app
from localwealth_shared.auth import Principal, require
from localwealth_shared.broker import free_port
from localwealth_shared.db import Database
from localwealth_shared.http.app import create_service_app
from localwealth_shared.http.problems import NotFound, Problem
from localwealth_shared.migrations import upgrade
from localwealth_shared.settings import ServiceSettings, service_config
from pydantic import BaseModel

ADMIN = {"authorization": "Bearer dev-admin-key"}
ECHOED_HEADERS = (
    "x-request-id",
    "traceparent",
    "idempotency-key",
    "if-match",
    "accept",
    "content-type",
    "cookie",
    "x-forwarded-for",
)


class StandInSettings(ServiceSettings):
    model_config = service_config("STANDIN_")
    env: str = "test"  # type: ignore[assignment]


RegistryReader = Annotated[Principal, Depends(require("registry:read"))]


class Tenant(BaseModel):
    """Named like the gateway's Tenant schema but different: the merged OpenAPI must keep both."""

    code: str


def stand_in_app(name: str, db_path: Path) -> FastAPI:
    router = APIRouter()

    @router.get("/api/v1/organisations/{org_id}/tender-matches")
    async def tender_matches(
        org_id: str, _: Annotated[Principal, Depends(require("procurement:read"))], limit: int = 50
    ) -> dict[str, Any]:
        return {
            "data": [{"tender": "ocds-1", "organisation": org_id}],
            "next_cursor": None,
            "limit": limit,
            "served_by": name,
        }

    @router.get("/api/v1/organisations/{org_id}/impact")
    async def impact(org_id: str, _: Annotated[Principal, Depends(require("impact:read"))]) -> dict[str, Any]:
        if org_id == "slow":
            await asyncio.sleep(5)
        if org_id == "boom":
            raise Problem("stand-in failure", status=500, code="boom")
        return {"organisation": org_id, "lm3": "1.80", "served_by": name}

    @router.get("/api/v1/organisations/{org_id}/big")
    async def big(_: RegistryReader, chunks: int = 64) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for i in range(chunks):
                yield bytes([65 + i % 26]) * 32_768

        return StreamingResponse(body(), media_type="application/octet-stream")

    @router.get("/api/v1/organisations/{org_id}")
    async def organisation(
        org_id: str, request: Request, response: Response, principal: RegistryReader, include: str | None = None
    ) -> dict[str, Any]:
        if org_id == "missing":
            raise NotFound(f"no organisation {org_id}", code="organisation_not_found")
        response.headers["ETag"] = 'W/"3"'
        response.headers["X-Upstream"] = name
        return {
            "id": org_id,
            "name": "Stand-in Co-operative Ltd",
            "served_by": name,
            "principal": principal.claims(),
            "path": request.url.path,
            "query": str(request.url.query),
            "headers": {h: request.headers.get(h) for h in ECHOED_HEADERS},
        }

    @router.post("/api/v1/organisations", status_code=201)
    async def create(
        request: Request,
        response: Response,
        _: Annotated[Principal, Depends(require("registry:write"))],
    ) -> dict[str, Any]:
        body = await request.body()
        response.headers["Location"] = "/api/v1/organisations/new-1"
        return {
            "received_bytes": len(body),
            "body": body.decode()[:200],
            "headers": {h: request.headers.get(h) for h in ECHOED_HEADERS},
        }

    @router.post("/api/v1/organisations/imports", status_code=202)
    async def imports(request: Request, _: Annotated[Principal, Depends(require("registry:write"))]) -> dict[str, Any]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return {"received_bytes": size}

    @router.get("/api/v1/reference/tenants/{code}", response_model=Tenant)
    async def reference_tenant(code: str, _: RegistryReader) -> dict[str, Any]:
        return {"code": code}

    @router.get("/api/v1/tenders/not-mine")
    async def not_mine(_: RegistryReader) -> dict[str, Any]:
        """Outside this service's routes in the gateway: must not appear in the merged document."""
        return {}

    settings = StandInSettings(database_url=f"sqlite+aiosqlite:///{db_path}")
    return create_service_app(
        settings=settings,
        db=Database(settings.database_url),
        tables=None,
        title=f"stand-in {name}",
        description="test double",
        routers=[router],
        check_broker=False,
    )


class UpstreamServer:
    """A stand-in service under uvicorn in this event loop; stop() and start() simulate an outage."""

    def __init__(self, name: str, app: FastAPI) -> None:
        self.name = name
        self.app = app
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_config=None, access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(500):
            if self._server.started:
                return
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        raise RuntimeError(f"stand-in {self.name} did not start")

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None


@pytest.fixture
async def start_upstream(tmp_path: Path) -> AsyncIterator[Callable[[str], Awaitable[UpstreamServer]]]:
    servers: list[UpstreamServer] = []

    async def start(name: str) -> UpstreamServer:
        server = UpstreamServer(name, stand_in_app(name, tmp_path / f"{name}.db"))
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
async def registry(start_upstream: Callable[[str], Awaitable[UpstreamServer]]) -> UpstreamServer:
    return await start_upstream("registry")


@pytest.fixture
async def migrated_url(database_url: str) -> str:
    upgrade(SERVICE_ROOT, database_url)
    return database_url


GatewayFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_gateway(migrated_url: str) -> AsyncIterator[GatewayFactory]:
    """Build a gateway (settings overrides as keyword arguments) and an in-process client for it."""
    stack: list[tuple[Any, httpx.AsyncClient]] = []

    async def make(**overrides: Any) -> httpx.AsyncClient:
        settings = GatewaySettings(**{"env": "test", "database_url": migrated_url, "log_json": False, **overrides})
        app = create_app(settings)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")
        client.app = app  # type: ignore[attr-defined]
        stack.append((lifespan, client))
        return client

    yield make
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def gateway(make_gateway: GatewayFactory, registry: UpstreamServer) -> httpx.AsyncClient:
    """A gateway with the stand-in registry deployed and the other services not deployed."""
    return await make_gateway(registry_url=registry.url)


@pytest.fixture
def create_tenant(gateway: httpx.AsyncClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(
        tenant_id: str,
        *,
        lad_codes: tuple[str, ...] = ("E07000178",),
        kind: str = "council",
        client: httpx.AsyncClient | None = None,
    ) -> dict[str, Any]:
        resp = await (client or gateway).post(
            "/api/v1/admin/tenants",
            headers=ADMIN,
            json={"id": tenant_id, "name": f"Tenant {tenant_id}", "kind": kind, "area": {"lad_codes": list(lad_codes)}},
        )
        assert resp.status_code == 201, resp.text
        return resp.json()  # type: ignore[no-any-return]

    return create


@pytest.fixture
def create_key(gateway: httpx.AsyncClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(
        tenant_id: str, *scopes: str, headers: dict[str, str] | None = None, client: httpx.AsyncClient | None = None
    ) -> dict[str, Any]:
        resp = await (client or gateway).post(
            "/api/v1/admin/api-keys",
            headers=headers or ADMIN,
            json={"tenant_id": tenant_id, "name": "test key", "scopes": list(scopes)},
        )
        assert resp.status_code == 201, resp.text
        return resp.json()  # type: ignore[no-any-return]

    return create


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


@pytest.fixture
def auth() -> Callable[[str], dict[str, str]]:
    return bearer
