"""Pytest plugin: fixtures shared by every test suite.

- `broker`: a real Tansu broker (session-wide, free port); `broker.stop()` / `broker.start()` for fault tests.
- `database_url`: an empty database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set).
- `unique_name`: unique topic / group names so tests never see each other's messages.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from localwealth_shared.broker import EmbeddedBroker, free_port
from localwealth_shared.testing.databases import temporary_database


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    instance = EmbeddedBroker(port=free_port(), log_path=log)
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def running_broker(broker: EmbeddedBroker) -> EmbeddedBroker:
    """The session broker, restarted first if an earlier fault test left it stopped."""
    if broker.process is None:
        broker.start()
    return broker


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    async with temporary_database(tmp_path) as url:
        yield url


@pytest.fixture
def unique_name() -> str:
    return f"t{uuid.uuid4().hex[:10]}"
