"""Demo data helpers for `make run`: the demo council (Oxford City Council, E07000178) and its API key.

Services seed their demo data through the public gateway API, as a council's own systems would. The
council's key is created once and kept in `var/demo-council.key` (LOCALWEALTH_DEMO_KEY_FILE), so every
service's seed and every later `make run` use the same one, and `make run` prints it.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from localwealth_shared.auth import SCOPES

DEMO_TENANT = {
    "id": "E07000178",
    "name": "Oxford City Council (demo)",
    "kind": "council",
    "area": {"lad_codes": ["E07000178"]},
}
COUNCIL_SCOPES = [s for s in SCOPES if s != "admin"]


def key_file() -> Path:
    return Path(os.environ.get("LOCALWEALTH_DEMO_KEY_FILE", "var/demo-council.key"))


def demo_council_key(base_url: str, admin_key: str) -> str:
    """The demo council's API key (every scope but admin), creating the tenant and the key on first use."""
    path = key_file()
    if path.exists():
        key = path.read_text().strip()
        probe = httpx.get(
            f"{base_url}/api/v1/organisations",
            params={"limit": 1},
            timeout=30,
            headers={"Authorization": f"Bearer {key}"},
        )
        if probe.status_code != 401:
            return key
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30) as admin:
        created = admin.post("/api/v1/admin/tenants", json=DEMO_TENANT)
        if created.status_code not in (201, 409):
            created.raise_for_status()
        response = admin.post(
            "/api/v1/admin/api-keys",
            json={"tenant_id": DEMO_TENANT["id"], "name": "demo council (make run)", "scopes": COUNCIL_SCOPES},
        )
        response.raise_for_status()
    key = str(response.json()["key"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def demo_council_client(base_url: str, admin_key: str) -> httpx.Client:
    """An API client acting as the demo council."""
    key = demo_council_key(base_url, admin_key)
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60)
