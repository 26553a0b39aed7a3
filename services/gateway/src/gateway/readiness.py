"""`GET /readyz`: the gateway's database and every configured service; `?scope=self` for the gateway alone.

Kubernetes should probe `?scope=self`: one service being down is answered per route (503 problems,
degraded composites) and must not take the gateway out of its load balancer.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gateway.config import SERVICES
from gateway.proxy.upstreams import Upstreams

router = APIRouter()

CHECK_TIMEOUT_S = 2.0


async def _database(request: Request) -> str:
    async def probe() -> None:
        async with request.app.state.db.reader() as session:
            await session.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT_S)
        return "ok"
    except Exception as exc:
        return f"unavailable: {exc or type(exc).__name__}"


async def _service(upstreams: Upstreams, service: str) -> str:
    client = upstreams.client(service)
    if client is None:
        return "not_deployed"
    try:
        response = await client.get("/readyz", timeout=CHECK_TIMEOUT_S)
    except httpx.HTTPError as exc:
        return f"unavailable: {type(exc).__name__}"
    return "ok" if response.status_code == 200 else f"unavailable: status {response.status_code}"


@router.get("/readyz", include_in_schema=False)
async def readyz(
    request: Request,
    scope: Annotated[Literal["self", "all"], Query(description="`self`: only the gateway's own database.")] = "all",
) -> JSONResponse:
    upstreams: Upstreams = request.app.state.upstreams
    services = [] if scope == "self" else list(SERVICES)
    results = await asyncio.gather(_database(request), *(_service(upstreams, s) for s in services))
    checks = dict(zip(["database", *services], results, strict=True))
    ready = all(v in ("ok", "not_deployed") for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "service": "gateway", "checks": checks},
        status_code=200 if ready else 503,
    )
