"""`localwealth <service> healthcheck`: what compose and Docker health checks run inside each container."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from localwealth_shared.broker import free_port
from localwealth_shared.service_cli import service_cli
from localwealth_shared.settings import ServiceSettings, service_config
from typer.testing import CliRunner


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path in ("/readyz", "/metrics") else 503)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def _cli(api_port: int, metrics_port: int | None = None) -> object:
    class Settings(ServiceSettings):
        model_config = service_config("HEALTHCHECK_TEST_")
        service_name: ClassVar[str] = "demo"
        default_port: ClassVar[int] = api_port

    return service_cli(
        name="demo",
        settings_factory=lambda: Settings(env="test", worker_metrics_port=metrics_port),
        app_path="unused:app",
        service_root=Path("."),
    )


def test_healthy_api_exits_zero(server_port: int) -> None:
    assert CliRunner().invoke(_cli(server_port), ["healthcheck"]).exit_code == 0


def test_unhealthy_path_and_closed_port_exit_one(server_port: int) -> None:
    runner = CliRunner()
    assert runner.invoke(_cli(server_port), ["healthcheck", "--path", "/broken"]).exit_code == 1
    assert runner.invoke(_cli(free_port()), ["healthcheck"]).exit_code == 1


def test_worker_checks_its_metrics_port(server_port: int) -> None:
    runner = CliRunner()
    assert runner.invoke(_cli(free_port(), metrics_port=server_port), ["healthcheck", "--worker"]).exit_code == 0
    result = runner.invoke(_cli(server_port), ["healthcheck", "--worker"])
    assert result.exit_code == 1
    assert "no worker metrics port" in result.output
