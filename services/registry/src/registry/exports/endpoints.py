"""`GET /api/v1/organisations/export/hsds`: the public registry as HSDS-shaped JSON, paged like every list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from localwealth_shared.auth import Principal, require
from localwealth_shared.clock import today
from localwealth_shared.http.pagination import Cursor, Limit, after, decode_cursor, page_of
from localwealth_shared.http.problems import problem_responses
from sqlalchemy import select

from registry.db import Organisation
from registry.dependencies import ReadSession
from registry.exports.hsds import organisation_to_hsds
from registry.organisations import repository
from registry.organisations.projection import project

router = APIRouter(prefix="/api/v1/organisations/export", tags=["exports"])


@router.get("/hsds", responses=problem_responses(401, 403, 422), summary="Export organisations as HSDS 3.0 JSON")
async def export_hsds(
    _: Annotated[Principal, Depends(require("registry:read"))],
    session: ReadSession,
    limit: Limit = 200,
    cursor: Cursor = None,
) -> dict[str, Any]:
    stmt = repository.with_children(
        select(Organisation)
        .where(Organisation.deregistered_at.is_(None))
        .order_by(Organisation.updated_at, Organisation.id)
    ).limit(limit + 1)
    if cursor:
        stmt = stmt.where(after([Organisation.updated_at, Organisation.id], decode_cursor(cursor, [datetime, str])))
    rows = list((await session.execute(stmt)).scalars())
    page, next_cursor = page_of(rows, limit, key=lambda o: [o.updated_at, o.id])
    day = today()
    return {"data": [organisation_to_hsds(project(o, day)) for o in page], "next_cursor": next_cursor}
