"""Impact test fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), API clients for two
councils, registry organisations delivered the way the consumer applies them, and the Oxford spend files."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from impact.config import SERVICE_ROOT, ImpactSettings
from impact.db import platform
from impact.main import create_app, thresholds_of
from impact.organisations.read_model import organisations_consumer
from impact.spend.importer import KIND, spend_import_handler
from impact.suppliers.rerun import KIND as RECONCILE
from impact.suppliers.rerun import reconcile_handler
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.jobs import JobRunner, JobStore
from localwealth_shared.migrations import upgrade
from localwealth_shared.testing.clients import CHERWELL, OXFORD, ClientFactory, client_factory

__all__ = ["CHERWELL", "OXFORD", "OXFORD_FILES", "ClientFactory", "oxford_file", "registry_event"]

OXFORD_FILES = sorted((SERVICE_ROOT / "src/impact/demo/council-spend-oxford").glob("*.csv.gz"))


def oxford_file(name: str) -> bytes:
    return gzip.decompress((SERVICE_ROOT / "src/impact/demo/council-spend-oxford" / f"{name}.csv.gz").read_bytes())


@pytest.fixture
async def impact_settings(database_url: str) -> ImpactSettings:
    upgrade(SERVICE_ROOT, database_url)
    return ImpactSettings(
        env="test",
        database_url=database_url,
        log_json=False,
        log_level="WARNING",
        kafka_bootstrap_servers="127.0.0.1:1",
    )


@pytest.fixture
async def impact_app(impact_settings: ImpactSettings) -> AsyncIterator[FastAPI]:
    app = create_app(impact_settings)
    yield app
    await app.state.db.dispose()


@pytest.fixture
async def make_client(impact_app: FastAPI) -> AsyncIterator[ClientFactory]:
    async with client_factory(
        impact_app, base_url="http://impact", scopes=("impact:read", "impact:write"), tenant=OXFORD
    ) as factory:
        yield factory


@pytest.fixture
def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()


@pytest.fixture
def run_imports(impact_app: FastAPI, impact_settings: ImpactSettings) -> Callable[[], Awaitable[None]]:
    """Run every queued job (imports, reconciliations) as the worker would."""

    async def run() -> None:
        runner = JobRunner(
            JobStore(impact_app.state.db, platform),
            {
                KIND: spend_import_handler(impact_app.state.db, thresholds_of(impact_settings)),
                RECONCILE: reconcile_handler(impact_app.state.db, thresholds_of(impact_settings)),
            },
        )
        while await runner.run_once():
            pass

    return run


@pytest.fixture
def upload(client: httpx.AsyncClient, run_imports: Callable[[], Awaitable[None]]):  # type: ignore[no-untyped-def]
    """Upload a file as the calling council, run the job, and return the finished job document."""

    async def go(content: bytes, filename: str = "spend.csv", data: dict[str, str] | None = None,
                 as_client: httpx.AsyncClient | None = None) -> dict[str, Any]:  # fmt: skip
        http = as_client or client
        resp = await http.post("/api/v1/spend/imports", files={"file": (filename, content)}, data=data or {})
        assert resp.status_code == 202, resp.text
        await run_imports()
        job = await http.get(resp.headers["Location"], params={})
        assert job.status_code == 200
        return dict(job.json())

    return go


def registry_event(
    name: str,
    *,
    legal_form: str | None = "registered_society_cooperative",
    lad: str = OXFORD,
    identifiers: list[dict[str, str]] | None = None,
    flags: dict[str, bool] | None = None,
    certifications: list[dict[str, Any]] | None = None,
    version: int = 1,
    org_id: str | None = None,
    event_type: str = "org.localwealth.registry.organisation.registered.v1",
) -> CloudEvent:
    """A `registry.organisation` event as the registry publishes it (the public projection)."""
    org_id = org_id or str(uuid.uuid4())
    data: dict[str, Any] = {
        "id": org_id,
        "name": name,
        "legal_form": legal_form,
        "identifiers": identifiers or [],
        "sites": [{"name": "Office", "postcode": "OX4 1AA", "lad_code": lad, "is_operating_site": True}],
        "flags": flags or {"is_sme": True, "is_vcse": False, "is_social_economy": True},
        "certifications": certifications or [],
        "version": version,
    }
    return CloudEvent(type=event_type, source="/localwealth/registry", data=data)


@pytest.fixture
def known_organisation(impact_app: FastAPI, impact_settings: ImpactSettings) -> Callable[..., Awaitable[str]]:
    """Deliver a registry organisation through the consumer's own batch handler (read model, re-matching, score)
    and return its id."""

    async def add(name: str, **kwargs: Any) -> str:
        event = registry_event(name, **kwargs)
        consumer = organisations_consumer(thresholds_of(impact_settings))
        assert consumer.batch_handler is not None
        async with impact_app.state.db.transaction() as session:
            await consumer.batch_handler(session, [event])
        return str(event.data["id"])

    return add
