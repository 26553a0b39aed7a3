"""Bulk import endpoints: `POST /api/v1/organisations/imports` → 202 job; poll it; download its errors."""

from __future__ import annotations

from localwealth_shared.http.imports import import_router

from registry.imports.runner import KIND

router = import_router(
    prefix="/api/v1/organisations/imports",
    kind=KIND,
    read_scope="registry:read",
    write_scope="registry:write",
    what="a file of organisations (Co-operatives UK CSV, generic CSV or HSDS JSON)",
    formats=("csv", "coops-uk", "hsds-json"),
    format_help="coops-uk | csv (documented columns) | hsds-json",
)
