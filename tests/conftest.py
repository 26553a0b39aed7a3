"""End-to-end fixtures: the services (API + worker each) and the gateway as real processes, on free ports,
with the session's real broker and throw-away databases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from localwealth_shared.broker import EmbeddedBroker, free_port
from localwealth_shared.testing.databases import temporary_database

ROOT = Path(__file__).resolve().parents[1]
ADMIN = {"Authorization": "Bearer dev-admin-key"}


@dataclass
class Process:
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.popen = subprocess.Popen(
            self.command, env=self.env, cwd=ROOT, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )
        if self.port is not None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if self.popen.poll() is not None:
                    raise RuntimeError(f"{self.command} exited: {self.log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                        return
                except httpx.HTTPError:
                    time.sleep(0.1)
            raise RuntimeError(f"{self.command} did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.popen = None


@dataclass
class Platform:
    gateway_url: str
    urls: dict[str, str]
    apis: dict[str, Process]
    processes: list[Process]

    @property
    def registry_url(self) -> str:
        return self.urls["registry"]

    @property
    def registry_api(self) -> Process:
        return self.apis["registry"]

    def client(self, key: str = "dev-admin-key") -> httpx.Client:
        return httpx.Client(base_url=self.gateway_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "localwealth_shared.cli", *args]


SERVICES = ("registry", "land")  # each with an API and a worker process, behind the gateway


@contextmanager
def running_platform(broker: EmbeddedBroker, tmp_path: Path, services: tuple[str, ...]) -> Iterator[Platform]:
    """`services` (API + worker each) and the gateway as real processes on free ports and fresh databases."""
    import asyncio

    if broker.process is None:
        broker.start()
    loop = asyncio.new_event_loop()
    databases = {name: temporary_database(tmp_path, f"e2e_{name}") for name in (*services, "gateway")}
    urls = {name: loop.run_until_complete(cm.__aenter__()) for name, cm in databases.items()}
    ports = {name: free_port() for name in (*services, "gateway")}
    env = {
        **os.environ,
        "LOCALWEALTH_ENV": "development",
        "LOCALWEALTH_LOG_JSON": "true",
        "LOCALWEALTH_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "GATEWAY_COMPOSITE_TIMEOUT_S": "2",
        **{f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()},
        **{f"GATEWAY_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in services},
    }
    for name in (*services, "gateway"):
        subprocess.run(cli(name, "migrate"), env=env, cwd=ROOT, check=True, capture_output=True)
    apis = {
        name: Process(cli(name, "api", "--port", str(ports[name])), env, tmp_path / f"{name}-api.log", ports[name])
        for name in (*services, "gateway")
    }
    workers = [Process(cli(name, "worker"), env, tmp_path / f"{name}-worker.log") for name in services]
    processes = [*apis.values(), *workers]
    try:
        for process in processes:
            process.start()
        service_urls = {name: f"http://127.0.0.1:{ports[name]}" for name in services}
        yield Platform(f"http://127.0.0.1:{ports['gateway']}", service_urls, apis, processes)
    finally:
        for process in reversed(processes):
            process.stop()
        for cm in reversed(databases.values()):
            loop.run_until_complete(cm.__aexit__(None, None, None))
        loop.close()


@pytest.fixture
def platform(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[Platform]:
    with running_platform(broker, tmp_path, SERVICES) as running:
        yield running


@pytest.fixture
def cwb_platform(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[Platform]:
    """Registry, procurement and impact: the loop from spend and tenders to matches and scores."""
    with running_platform(broker, tmp_path, ("registry", "procurement", "impact")) as running:
        yield running
