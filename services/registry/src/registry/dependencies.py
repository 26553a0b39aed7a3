"""Request-scoped dependencies: one session per request, committed when the handler succeeds."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from registry.organisations.service import OrganisationService


async def write_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.transaction() as session:
        yield session


async def read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.reader() as session:
        yield session


def organisation_service(request: Request) -> OrganisationService:
    return request.app.state.organisation_service  # type: ignore[no-any-return]
