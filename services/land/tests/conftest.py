"""Land test fixtures: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), API clients for two
councils, and registry organisations delivered the way the consumer applies them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from land.config import SERVICE_ROOT, LandSettings
from land.main import create_app
from land.organisations.read_model import apply_organisation_event
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.migrations import upgrade
from localwealth_shared.testing.clients import CHERWELL, OXFORD, ClientFactory, client_factory

__all__ = ["CHERWELL", "OXFORD", "ClientFactory"]


@pytest.fixture
async def land_settings(database_url: str) -> LandSettings:
    upgrade(SERVICE_ROOT, database_url)
    return LandSettings(
        env="test",
        database_url=database_url,
        log_json=False,
        log_level="WARNING",
        kafka_bootstrap_servers="127.0.0.1:1",
    )


@pytest.fixture
async def land_app(land_settings: LandSettings) -> AsyncIterator[FastAPI]:
    app = create_app(land_settings)
    yield app
    await app.state.db.dispose()


@pytest.fixture
async def make_client(land_app: FastAPI) -> AsyncIterator[ClientFactory]:
    async with client_factory(land_app, base_url="http://land", scopes=("land:read", "land:write"), tenant=OXFORD) as f:
        yield f


@pytest.fixture
def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()


def registry_event(
    legal_form: str | None,
    *,
    members: int | None = None,
    lad: str = OXFORD,
    version: int = 1,
    org_id: str | None = None,
) -> CloudEvent:
    """A `registry.organisation.registered` event as the registry publishes it (public projection)."""
    org_id = org_id or str(uuid.uuid4())
    data: dict[str, Any] = {
        "id": org_id,
        "name": f"Test body {org_id[:8]}",
        "legal_form": legal_form,
        "members": members,
        "sites": [{"name": "Hall", "postcode": "OX4 1AA", "lad_code": lad, "is_operating_site": True}],
        "version": version,
    }
    return CloudEvent(
        type="org.localwealth.registry.organisation.registered.v1", source="/localwealth/registry", data=data
    )


@pytest.fixture
def known_organisation(land_app: FastAPI) -> Callable[..., Awaitable[str]]:
    """Deliver a registry organisation to the land read model (as the consumer would) and return its id."""

    async def add(legal_form: str | None, **kwargs: Any) -> str:
        event = registry_event(legal_form, **kwargs)
        async with land_app.state.db.transaction() as session:
            await apply_organisation_event(session, event)
        return str(event.data["id"])

    return add
