"""Reading tenders with tenant visibility: planned tenders exist only for their buyer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from localwealth_shared.http.pagination import after, decode_cursor, page_of
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import Tender
from procurement.tenders.normalise import PRIVATE_STATUSES


def visible_to(tenant_id: str) -> ColumnElement[bool]:
    return or_(Tender.status.not_in(PRIVATE_STATUSES), Tender.buyer_tenant_id == tenant_id)


async def get_visible(session: AsyncSession, tender_id: str, tenant_id: str) -> Tender | None:
    return (
        await session.execute(select(Tender).where(Tender.id == tender_id, visible_to(tenant_id)))
    ).scalar_one_or_none()


async def list_visible(
    session: AsyncSession,
    tenant_id: str,
    *,
    status: str | None,
    buyer: str | None,
    updated_since: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Tender], str | None]:
    query = select(Tender).where(visible_to(tenant_id))
    if status is not None:
        query = query.where(Tender.status == status)
    if buyer is not None:
        query = query.where(Tender.buyer_tenant_id == buyer)
    if updated_since is not None:
        query = query.where(Tender.updated_at >= updated_since)
    if cursor is not None:
        query = query.where(after([Tender.updated_at, Tender.id], decode_cursor(cursor, [datetime, str])))
    rows = (await session.execute(query.order_by(Tender.updated_at, Tender.id).limit(limit + 1))).scalars().all()
    key: Any = lambda t: [t.updated_at, t.id]  # noqa: E731
    return page_of(rows, limit, key)
