"""A simple read (GET /api/v1/organisations/{id}) through the gateway vs straight to the registry, with wrk,
in the same run. Both run as real uvicorn processes on SQLite; wrk uses 2 threads and 32 connections.

Needs wrk (Debian: `apt-get install wrk`). Target (SPEC §9): gateway ≥ 70 % of direct throughput.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import record
from localwealth_shared.auth import Principal, issue_internal_token
from localwealth_shared.broker import free_port
from localwealth_shared.settings import DEV_INTERNAL_TOKEN_SECRET

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "localwealth_shared.cli"]


def wait_healthy(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing healthy on port {port}")


def wrk(url: str, token: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": rps,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    with tempfile.TemporaryDirectory() as tmp:
        registry_port, gateway_port = free_port(), free_port()
        env = {
            **os.environ,
            "LOCALWEALTH_ENV": "development",
            "LOCALWEALTH_LOG_LEVEL": "WARNING",
            "LOCALWEALTH_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
            "REGISTRY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/registry.db",
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/gateway.db",
            "GATEWAY_REGISTRY_URL": f"http://127.0.0.1:{registry_port}",
        }
        for service in ("registry", "gateway"):
            subprocess.run([*CLI, service, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
        procs = [
            subprocess.Popen(
                [*CLI, "registry", "api", "--port", str(registry_port)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [*CLI, "gateway", "api", "--port", str(gateway_port)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        ]
        try:
            wait_healthy(registry_port)
            wait_healthy(gateway_port)
            admin = {"Authorization": "Bearer dev-admin-key"}
            ids = [
                httpx.post(
                    f"http://127.0.0.1:{registry_port}/api/v1/organisations",
                    headers=admin,
                    json={"name": f"Read Co-op {i}", "sites": [{"postcode": "OX1 1BX"}]},
                ).json()["id"]
                for i in range(200)
            ]
            key = httpx.post(
                f"http://127.0.0.1:{gateway_port}/api/v1/admin/api-keys",
                headers=admin,
                json={"tenant_id": "E07000178", "name": "bench", "scopes": ["registry:read"]},
            ).json()["key"]
            token = issue_internal_token(
                Principal(tenant_id="E07000178", scopes=frozenset({"registry:read"}), key_id="bench"),
                DEV_INTERNAL_TOKEN_SECRET,
                ttl_s=3600,
            )
            path = f"/api/v1/organisations/{ids[100]}"
            wrk(f"http://127.0.0.1:{registry_port}{path}", token, 2)  # warm-up
            wrk(f"http://127.0.0.1:{gateway_port}{path}", key, 2)
            direct = wrk(f"http://127.0.0.1:{registry_port}{path}", token, seconds)
            through_gateway = wrk(f"http://127.0.0.1:{gateway_port}{path}", key, seconds)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
    ratio = through_gateway["requests_per_s"] / direct["requests_per_s"]
    record(
        "gateway_vs_direct",
        {
            "direct": direct,
            "gateway": through_gateway,
            "ratio": round(ratio, 3),
            "target_ratio": 0.7,
            "met": ratio >= 0.7,
            "setup": "wrk -t2 -c32, one uvicorn worker each, SQLite, all on the same 2 cores",
        },
    )


if __name__ == "__main__":
    main()
