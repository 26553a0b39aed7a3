"""Request-scoped dependencies of the procurement service."""

from __future__ import annotations

from fastapi import Request
from localwealth_shared.http.sessions import ReadSession, WriteSession

from procurement.tenders.service import TenderService

__all__ = ["ReadSession", "WriteSession", "tender_service"]


def tender_service(request: Request) -> TenderService:
    return request.app.state.tender_service
