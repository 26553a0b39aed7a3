"""Demo data helpers for `make run`: the demo council (Oxford City Council, E07000178) and a key for it.

Services seed their demo data through the public gateway API, as a council's own systems would.
"""

from __future__ import annotations

import httpx

DEMO_TENANT = {
    "id": "E07000178",
    "name": "Oxford City Council (demo)",
    "kind": "council",
    "area": {"lad_codes": ["E07000178"]},
}


def demo_tenant_client(base_url: str, admin_key: str, scopes: list[str], purpose: str) -> httpx.Client:
    """An API client acting as the demo council, with a new key holding `scopes` (the tenant is created once)."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30) as admin:
        created = admin.post("/api/v1/admin/tenants", json=DEMO_TENANT)
        if created.status_code not in (201, 409):
            created.raise_for_status()
        key = admin.post(
            "/api/v1/admin/api-keys",
            json={"tenant_id": DEMO_TENANT["id"], "name": f"demo: {purpose}", "scopes": scopes},
        )
        key.raise_for_status()
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key.json()['key']}"}, timeout=60)
