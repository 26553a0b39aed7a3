"""All organisation queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from localwealth_shared.reference.identifiers import Identifier
from sqlalchemy import Select, and_, exists, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from registry.db import Organisation, OrganisationCpv, OrganisationIdentifier, Site


def with_children(stmt: Select[tuple[Organisation]]) -> Select[tuple[Organisation]]:
    return stmt.options(
        selectinload(Organisation.identifiers), selectinload(Organisation.sites), selectinload(Organisation.cpv_index)
    )


async def get(session: AsyncSession, org_id: str, *, include_deregistered: bool = False) -> Organisation | None:
    stmt = with_children(select(Organisation).where(Organisation.id == org_id))
    if not include_deregistered:
        stmt = stmt.where(Organisation.deregistered_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_many(session: AsyncSession, ids: Sequence[str]) -> dict[str, Organisation]:
    if not ids:
        return {}
    rows = (await session.execute(with_children(select(Organisation).where(Organisation.id.in_(ids))))).scalars()
    return {o.id: o for o in rows}


async def owners_of_identifiers(session: AsyncSession, identifiers: Sequence[Identifier]) -> dict[Identifier, str]:
    if not identifiers:
        return {}
    keys = [(i.scheme, i.id) for i in identifiers]
    rows = await session.execute(
        select(
            OrganisationIdentifier.scheme, OrganisationIdentifier.value, OrganisationIdentifier.organisation_id
        ).where(tuple_(OrganisationIdentifier.scheme, OrganisationIdentifier.value).in_(keys))
    )
    return {Identifier(r.scheme, r.value): r.organisation_id for r in rows}


async def identifier_index(session: AsyncSession) -> dict[tuple[str, str], str]:
    rows = await session.execute(
        select(OrganisationIdentifier.scheme, OrganisationIdentifier.value, OrganisationIdentifier.organisation_id)
    )
    return {(r.scheme, r.value): r.organisation_id for r in rows}


async def name_postcode_index(session: AsyncSession) -> dict[tuple[str, str | None], str]:
    """(name key, first site's postcode) → id, for matching imported rows that carry no identifier."""
    rows = await session.execute(
        select(Organisation.id, Organisation.name_key, Site.postcode, Site.position)
        .outerjoin(Site, Site.organisation_id == Organisation.id)
        .where(Organisation.deregistered_at.is_(None))
        .order_by(Organisation.id, Site.position)
    )
    index: dict[tuple[str, str | None], str] = {}
    for r in rows:
        index.setdefault((r.name_key, r.postcode), r.id)
    return index


async def source_key_index(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(select(Organisation.id, Organisation.source_keys))
    return {key: r.id for r in rows for key in (r.source_keys or [])}


async def all_name_keys(session: AsyncSession) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(Organisation.id, Organisation.name_key).where(Organisation.deregistered_at.is_(None))
    )
    return [(r.id, r.name_key) for r in rows]


def cpv_filter(prefixes: Sequence[str]):  # type: ignore[no-untyped-def]
    """Organisations with a CPV code inside any of the given hierarchical prefixes (indexed prefix match)."""
    return exists().where(
        OrganisationCpv.organisation_id == Organisation.id,
        or_(*[OrganisationCpv.code.like(f"{p}%") for p in prefixes]),
    )


def sites_filter(*clauses):  # type: ignore[no-untyped-def]
    return exists().where(Site.organisation_id == Organisation.id, and_(*clauses))


async def latest_change(session: AsyncSession) -> tuple[datetime | None, int]:
    from sqlalchemy import func

    row = (await session.execute(select(func.max(Organisation.updated_at), func.count(Organisation.id)))).one()
    return row[0], int(row[1])
