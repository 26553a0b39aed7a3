"""Asset queries: one tenant's assets, searched by bbox, radius, LAD and status with keyset cursors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from localwealth_shared.http.pagination import after, decode_cursor, encode_cursor
from localwealth_shared.reference.geography import bounding_box, haversine_km
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from land.db import Asset


async def get_owned(session: AsyncSession, owner: str, asset_id: str) -> Asset | None:
    """Another council's asset reads as absent (404), never as forbidden."""
    return await session.scalar(select(Asset).where(Asset.id == asset_id, Asset.owner == owner))


@dataclass(frozen=True)
class AssetQuery:
    owner: str
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    lad: str | None = None
    status: str | None = None
    limit: int = 50
    cursor: str | None = None


async def search(session: AsyncSession, q: AssetQuery) -> tuple[list[Asset], str | None]:
    stmt = select(Asset).where(Asset.owner == q.owner)
    if q.lad:
        stmt = stmt.where(Asset.lad_code == q.lad)
    if q.status:
        stmt = stmt.where(Asset.status == q.status)
    if q.bbox:
        min_lon, min_lat, max_lon, max_lat = q.bbox
        stmt = stmt.where(Asset.lat.between(min_lat, max_lat), Asset.lon.between(min_lon, max_lon))
    if q.near and q.radius_km:
        # The box narrows the scan on the (lat, lon) index; the exact distance filters what it lets through.
        min_lat, max_lat, min_lon, max_lon = bounding_box(q.near[0], q.near[1], q.radius_km)
        stmt = stmt.where(Asset.lat.between(min_lat, max_lat), Asset.lon.between(min_lon, max_lon))
    order = (Asset.updated_at, Asset.id)
    if q.cursor:
        stmt = stmt.where(after(order, decode_cursor(q.cursor, [datetime, str])))
    stmt = stmt.order_by(*order)
    rows: list[Asset] = []
    # yield_per: build objects only for the rows read; without it the ORM loads every match of the box first.
    result = await session.stream_scalars(stmt.execution_options(yield_per=q.limit + 1))
    async for asset in result:
        if (
            q.near
            and q.radius_km
            and (asset.lat is None or haversine_km(q.near[0], q.near[1], asset.lat, asset.lon or 0.0) > q.radius_km)
        ):
            continue
        rows.append(asset)
        if len(rows) > q.limit:
            break
    await result.close()
    page, more = rows[: q.limit], len(rows) > q.limit
    return page, encode_cursor([page[-1].updated_at, page[-1].id]) if more else None
