"""One database session per request, committed before the response is sent.

FastAPI runs the cleanup of `yield` dependencies after the response by default; a commit there could
fail after the client was told 201, and a client's next request could miss the change (a revoked key
still working). `scope="function"` makes the commit happen when the endpoint returns, before responding.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def _write_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.transaction() as session:
        yield session


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.reader() as session:
        yield session


WriteSession = Annotated[AsyncSession, Depends(_write_session, scope="function")]
ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
