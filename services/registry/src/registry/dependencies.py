"""Request-scoped dependencies of the registry."""

from __future__ import annotations

from fastapi import Request
from localwealth_shared.http.sessions import ReadSession, WriteSession

from registry.organisations.service import OrganisationService

__all__ = ["ReadSession", "WriteSession", "organisation_service"]


def organisation_service(request: Request) -> OrganisationService:
    return request.app.state.organisation_service  # type: ignore[no-any-return]
