"""End-to-end fixtures: the registry (API + worker) and the gateway as real processes, on free ports,
with the session's real broker and throw-away databases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
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
    registry_url: str
    registry_api: Process
    processes: list[Process]

    def client(self, key: str = "dev-admin-key") -> httpx.Client:
        return httpx.Client(base_url=self.gateway_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "localwealth_shared.cli", *args]


@pytest.fixture
def platform(broker: EmbeddedBroker, tmp_path: Path) -> Iterator[Platform]:
    import asyncio

    if broker.process is None:
        broker.start()
    registry_db_cm = temporary_database(tmp_path, "e2e_registry")
    gateway_db_cm = temporary_database(tmp_path, "e2e_gateway")
    loop = asyncio.new_event_loop()
    registry_db = loop.run_until_complete(registry_db_cm.__aenter__())
    gateway_db = loop.run_until_complete(gateway_db_cm.__aenter__())
    registry_port, gateway_port = free_port(), free_port()
    env = {
        **os.environ,
        "LOCALWEALTH_ENV": "development",
        "LOCALWEALTH_LOG_JSON": "true",
        "LOCALWEALTH_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "REGISTRY_DATABASE_URL": registry_db,
        "GATEWAY_DATABASE_URL": gateway_db,
        "GATEWAY_REGISTRY_URL": f"http://127.0.0.1:{registry_port}",
        "GATEWAY_COMPOSITE_TIMEOUT_S": "2",
    }
    subprocess.run(cli("registry", "migrate"), env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(cli("gateway", "migrate"), env=env, cwd=ROOT, check=True, capture_output=True)
    registry_api = Process(
        cli("registry", "api", "--port", str(registry_port)), env, tmp_path / "registry-api.log", registry_port
    )
    processes = [
        registry_api,
        Process(cli("registry", "worker"), env, tmp_path / "registry-worker.log"),
        Process(cli("gateway", "api", "--port", str(gateway_port)), env, tmp_path / "gateway.log", gateway_port),
    ]
    try:
        for process in processes:
            process.start()
        yield Platform(f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{registry_port}", registry_api, processes)
    finally:
        for process in reversed(processes):
            process.stop()
        loop.run_until_complete(gateway_db_cm.__aexit__(None, None, None))
        loop.run_until_complete(registry_db_cm.__aexit__(None, None, None))
        loop.close()
