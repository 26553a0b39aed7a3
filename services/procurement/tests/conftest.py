"""Procurement test fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL) and API clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from localwealth_shared.migrations import upgrade
from localwealth_shared.testing.clients import CHERWELL, OXFORD, ClientFactory, client_factory
from localwealth_shared.testing.clients import token as shared_token
from procurement.config import SERVICE_ROOT, ProcurementSettings
from procurement.main import create_app

__all__ = ["CHERWELL", "OXFORD", "ClientFactory"]
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


def token(tenant: str = "t-oxford", scopes: tuple[str, ...] = SCOPES, **kwargs: Any) -> str:
    return shared_token(tenant, scopes, **kwargs)


@pytest.fixture
async def make_client(procurement_app: FastAPI) -> AsyncIterator[ClientFactory]:
    async with client_factory(procurement_app, base_url="http://procurement", scopes=SCOPES) as factory:
        yield factory


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
