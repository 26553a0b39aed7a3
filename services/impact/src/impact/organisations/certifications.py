"""Which certifications an organisation holds today, from the registry's public projection."""

from __future__ import annotations

from typing import Any

# The registry's status of a certification that counts today (it reads `expired` once past `expires_on`).
HELD = frozenset({"active", "current"})


def holds(data: dict[str, Any], scheme: str) -> bool:
    return any(c.get("scheme") == scheme and c.get("status") in HELD for c in data.get("certifications") or [])
