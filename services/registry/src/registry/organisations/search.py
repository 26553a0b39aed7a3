"""Organisation search: filters in SQL, forgiving name matching with rapidfuzz over an in-process index.

The name index is rebuilt only when the table changed (max updated_at, row count), which one cheap
query per search tells us; with ~100k organisations a rebuild takes well under a second.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from localwealth_shared.http.pagination import after, decode_cursor, encode_cursor
from localwealth_shared.http.problems import field_error
from localwealth_shared.reference.classification import ClassificationError, cpv_significant_prefix, normalise_cpv
from localwealth_shared.reference.geography import bounding_box, haversine_km
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.db import Organisation, Site
from registry.organisations import repository
from registry.organisations.names import name_key
from registry.rules.certifications import is_current

MAX_NAME_CANDIDATES = 2000


@dataclass
class SearchParams:
    q: str | None = None
    legal_form: str | None = None
    ownership: str | None = None
    lad: str | None = None
    cpv: list[str] = field(default_factory=list)
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    is_vcse: bool | None = None
    is_sme: bool | None = None
    is_social_economy: bool | None = None
    certification: str | None = None
    updated_since: datetime | None = None


@dataclass
class NameIndex:
    version: tuple[datetime | None, int] = (None, -1)
    ids: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def ranked(self, session: AsyncSession, q: str, min_score: int) -> list[tuple[str, float]]:
        current = await repository.latest_change(session)
        if current != self.version:
            async with self.lock:
                if current != self.version:
                    pairs = await repository.all_name_keys(session)
                    self.ids = [p[0] for p in pairs]
                    self.keys = [p[1] for p in pairs]
                    self.version = current
        query = name_key(q)
        if not query:
            return []
        matches = process.extract(
            query, self.keys, scorer=fuzz.WRatio, limit=MAX_NAME_CANDIDATES, score_cutoff=min_score
        )
        return [(self.ids[i], round(score, 2)) for _, score, i in matches]


def parse_near(near: str | None) -> tuple[float, float] | None:
    if near is None:
        return None
    try:
        lat_text, lon_text = near.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError as exc:
        raise field_error(["query", "near"], "expected <lat>,<lon> in decimal degrees", "near.format") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise field_error(["query", "near"], "latitude must be within ±90 and longitude within ±180", "near.range")
    return lat, lon


def cpv_prefixes(codes: list[str]) -> list[str]:
    prefixes = []
    for i, code in enumerate(codes):
        try:
            prefixes.append(cpv_significant_prefix(normalise_cpv(code)))
        except ClassificationError as exc:
            raise field_error(["query", "cpv", i] if len(codes) > 1 else ["query", "cpv"], str(exc), exc.rule) from exc
    return prefixes


async def search(
    session: AsyncSession,
    params: SearchParams,
    *,
    limit: int,
    cursor: str | None,
    name_index: NameIndex,
    min_score: int,
    today: Any,
) -> tuple[list[Organisation], str | None]:
    stmt = repository.with_children(select(Organisation).where(Organisation.deregistered_at.is_(None)))
    if params.legal_form:
        stmt = stmt.where(Organisation.legal_form == params.legal_form)
    for flag in ("is_vcse", "is_sme", "is_social_economy"):
        value = getattr(params, flag)
        if value is not None:
            stmt = stmt.where(getattr(Organisation, flag).is_(value))
    if params.cpv:
        stmt = stmt.where(repository.cpv_filter(cpv_prefixes(params.cpv)))
    if params.lad:
        stmt = stmt.where(repository.sites_filter(Site.lad_code == params.lad))
    if params.near is not None:
        radius = params.radius_km if params.radius_km is not None else 10.0
        min_lat, max_lat, min_lon, max_lon = bounding_box(params.near[0], params.near[1], radius)
        stmt = stmt.where(
            repository.sites_filter(Site.lat.between(min_lat, max_lat), Site.lon.between(min_lon, max_lon))
        )
    if params.updated_since is not None:
        stmt = stmt.where(Organisation.updated_at >= params.updated_since)

    json_filters = params.ownership is not None or params.certification is not None
    if params.q:
        ranked = await name_index.ranked(session, params.q, min_score)
        scores = dict(ranked)
        start = 0
        if cursor:
            score, last_id = decode_cursor(cursor, [float, str])
            positions = {(s, i): n for n, (i, s) in enumerate(ranked)}
            start = positions.get((score, last_id), len(ranked)) + 1
        window = [i for i, _ in ranked[start:]]
        found: list[Organisation] = []
        # Page through the relevance-ranked ids in chunks, applying the SQL filters to each chunk.
        for chunk_start in range(0, len(window), 500):
            chunk = window[chunk_start : chunk_start + 500]
            rows = {o.id: o for o in (await session.execute(stmt.where(Organisation.id.in_(chunk)))).scalars()}
            found.extend(o for i in chunk if (o := rows.get(i)) is not None and _post_filter(o, params, today))
            if len(found) > limit:
                break
        page = found[:limit]
        next_cursor = encode_cursor([scores[page[-1].id], page[-1].id]) if len(found) > limit else None
        return page, next_cursor

    stmt = stmt.order_by(Organisation.updated_at, Organisation.id)
    if cursor:
        updated_at, last_id = decode_cursor(cursor, [datetime, str])
        stmt = stmt.where(after([Organisation.updated_at, Organisation.id], [updated_at, last_id]))
    fetch = limit + 1 if not (json_filters or params.near) else max(limit * 4, 200)
    out: list[Organisation] = []
    last_seen: Organisation | None = None
    while True:
        rows = list((await session.execute(stmt.limit(fetch))).scalars())
        for org in rows:
            last_seen = org
            if _post_filter(org, params, today):
                out.append(org)
                if len(out) > limit:
                    page = out[:limit]
                    return page, encode_cursor([page[-1].updated_at, page[-1].id])
        if len(rows) < fetch or last_seen is None:
            return out, None
        stmt = stmt.where(after([Organisation.updated_at, Organisation.id], [last_seen.updated_at, last_seen.id]))


def _post_filter(org: Organisation, params: SearchParams, today: Any) -> bool:
    """Filters on JSON lists and exact distance, applied in Python after the indexed SQL filters."""
    if params.ownership is not None and params.ownership not in (org.ownership or []):
        return False
    if params.certification is not None and not any(
        c.get("scheme") == params.certification and is_current(c.get("status"), _date(c.get("expires_on")), today)
        for c in org.certifications or []
    ):
        return False
    if params.near is not None:
        return _within(org, params.near, params.radius_km if params.radius_km is not None else 10.0)
    return True


def _within(org: Organisation, near: tuple[float, float], radius_km: float) -> bool:
    # Sites are not loaded on search rows; the bounding-box SQL filter already matched one, so check exactly.
    sites = org.__dict__.get("sites")
    if sites is None:
        return True
    return any(s.lat is not None and haversine_km(near[0], near[1], s.lat, s.lon) <= radius_km for s in sites)


def _date(value: Any) -> Any:
    from datetime import date

    return date.fromisoformat(value) if isinstance(value, str) else value


__all__ = ["NameIndex", "SearchParams", "cpv_prefixes", "parse_near", "search"]
