"""Registry test fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL) and API clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from localwealth_shared.jobs import JobRunner
from localwealth_shared.migrations import upgrade
from localwealth_shared.testing.clients import ClientFactory, client_factory
from localwealth_shared.testing.clients import token as shared_token
from localwealth_shared.testing.databases import shared_data_dir
from registry.config import SERVICE_ROOT, RegistrySettings
from registry.imports.runner import KIND, import_handler
from registry.main import create_app

COOPS_UK_SAMPLE = shared_data_dir() / "samples/coops-uk/coops_uk_open_data_standard_2023-03.csv"


@pytest.fixture
async def registry_settings(database_url: str) -> RegistrySettings:
    upgrade(SERVICE_ROOT, database_url)
    return RegistrySettings(
        env="test",
        database_url=database_url,
        log_json=False,
        log_level="WARNING",
        kafka_bootstrap_servers="127.0.0.1:1",
    )


@pytest.fixture
async def registry_app(registry_settings: RegistrySettings) -> AsyncIterator[FastAPI]:
    app = create_app(registry_settings)
    yield app
    await app.state.db.dispose()


SCOPES = ("registry:read", "registry:write")


def token(tenant: str = "t-oxford", scopes: tuple[str, ...] = SCOPES, area: tuple[str, ...] = ("E07000178",)) -> str:
    return shared_token(tenant, scopes, area)


@pytest.fixture
async def make_client(registry_app: FastAPI) -> AsyncIterator[ClientFactory]:
    async with client_factory(registry_app, base_url="http://registry", scopes=SCOPES) as factory:
        yield factory


@pytest.fixture
def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()


@pytest.fixture
def run_jobs(registry_app: FastAPI) -> Callable[[], object]:
    """Run queued import jobs the way the worker does."""
    runner = JobRunner(
        registry_app.state.job_store,
        {KIND: import_handler(registry_app.state.db, registry_app.state.organisation_service)},
    )

    async def run() -> None:
        while await runner.run_once():
            pass

    return run
