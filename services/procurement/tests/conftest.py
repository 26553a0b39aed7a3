"""Procurement test fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL) and API clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from localwealth_shared.auth import Principal, issue_internal_token
from localwealth_shared.migrations import upgrade
from localwealth_shared.settings import DEV_INTERNAL_TOKEN_SECRET
from procurement.config import SERVICE_ROOT, ProcurementSettings
from procurement.main import create_app

OXFORD = "E07000178"
CHERWELL = "E07000177"
SCOPES = ("procurement:read", "procurement:write")


@pytest.fixture
async def procurement_settings(database_url: str) -> ProcurementSettings:
    upgrade(SERVICE_ROOT, database_url)
    return ProcurementSettings(
        env="test",
        database_url=database_url,
        log_json=False,
        log_level="WARNING",
        kafka_bootstrap_servers="127.0.0.1:1",
    )


@pytest.fixture
async def procurement_app(procurement_settings: ProcurementSettings) -> AsyncIterator[FastAPI]:
    app = create_app(procurement_settings)
    yield app
    await app.state.db.dispose()


def token(
    tenant: str = "t-oxford",
    scopes: tuple[str, ...] = SCOPES,
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


ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client(procurement_app: FastAPI) -> AsyncIterator[ClientFactory]:
    clients: list[httpx.AsyncClient] = []

    def factory(
        tenant: str = "t-oxford",
        scopes: tuple[str, ...] = SCOPES,
        area: tuple[str, ...] = (OXFORD,),
        kind: str = "council",
        auth: bool = True,
    ) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token(tenant, scopes, area, kind)}"} if auth else {}
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(procurement_app), base_url="http://procurement", headers=headers
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()


@pytest.fixture
def run_jobs(procurement_app: FastAPI) -> Callable[[], object]:
    """Run queued import jobs the way the worker does."""
    from localwealth_shared.jobs import JobRunner
    from procurement.main import OUTBOX
    from procurement.ocds.importer import KIND, ocds_import_handler

    app = procurement_app
    runner = JobRunner(app.state.job_store, {KIND: ocds_import_handler(app.state.db, app.state.tender_service, OUTBOX)})

    async def run() -> None:
        while await runner.run_once():
            pass

    return run
