"""`POST /api/v1/tenders/imports` (OCDS release packages, JSON arrays or JSON lines) → 202 job; poll it."""

from __future__ import annotations

from localwealth_shared.http.imports import import_router

from procurement.ocds.importer import KIND

router = import_router(
    prefix="/api/v1/tenders/imports",
    kind=KIND,
    read_scope="procurement:read",
    write_scope="procurement:write",
    what="OCDS releases (a release package, a JSON array, or JSON lines)",
)
