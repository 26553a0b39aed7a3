"""`registry.organisation` events → `known_organisations`, then the suppliers they may be re-matched.

Versions only move forward, so a redelivered or reordered event never overwrites newer data (the inbox
already drops exact duplicates). After each batch, suppliers still waiting for a match (in any council's
ledger) that one of the batch's organisations could be are reconciled again, and suppliers linked to an
organisation that left the registry are too: matches improve as the registry grows.
"""

from __future__ import annotations

from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.consumer import ConsumerSpec
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.reference.names import name_key
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import KnownOrganisation, OrganisationIdentifier, SpendSupplier
from impact.organisations.certifications import holds
from impact.scores.service import refresh_scores
from impact.suppliers.reconcile import SUGGESTED, UNMATCHED, OrganisationNames, Thresholds, decide, reconcile_ids

TOPIC = "registry.organisation"
DEREGISTERED = "org.localwealth.registry.organisation.deregistered.v1"


def operating_lads(data: dict[str, Any]) -> list[str]:
    """Districts where the organisation is based or has a branch (CLES): every site's district."""
    return sorted({s["lad_code"] for s in data.get("sites") or [] if s.get("lad_code")})


def identifiers_of(data: dict[str, Any]) -> list[str]:
    return sorted(
        {f"{i['scheme']}-{i['id']}" for i in data.get("identifiers") or [] if i.get("scheme") and i.get("id")}
    )


def _version(event: CloudEvent) -> int:
    return int(event.data.get("version", 0))


async def apply_organisation_events(session: AsyncSession, events: list[CloudEvent]) -> list[KnownOrganisation]:
    """Apply a batch in bulk (a few statements per 500 organisations, so the write lock is held briefly);
    the organisations that changed. Per organisation only its newest version in the batch counts."""
    newest: dict[str, CloudEvent] = {}
    for event in events:
        org_id = event.data["id"]
        if org_id not in newest or _version(event) >= _version(newest[org_id]):
            newest[org_id] = event
    changed: list[KnownOrganisation] = []
    for chunk in _chunks(sorted(newest)):
        known = {
            o.id: o
            for o in (await session.scalars(select(KnownOrganisation).where(KnownOrganisation.id.in_(chunk)))).all()
        }
        for org_id in chunk:
            org = _apply(known.get(org_id), newest[org_id])
            if org is not None:
                if org_id not in known:
                    session.add(org)
                changed.append(org)
    await session.flush()
    await _replace_identifiers(session, changed)
    return changed


def _apply(known: KnownOrganisation | None, event: CloudEvent) -> KnownOrganisation | None:
    data: dict[str, Any] = event.data
    if known is not None and known.registry_version > _version(event):
        return None
    if known is None:
        known = KnownOrganisation(id=data["id"], name=data.get("name") or "", name_key="", data={})
    known.registry_version, known.updated_at = _version(event), utcnow()
    if event.type == DEREGISTERED:  # a tombstone: keep what we knew, mark it gone
        known.deregistered = True
        return known
    flags = data.get("flags") or {}
    known.name = (data.get("name") or "")[:500]
    known.name_key = name_key(known.name)[:500]
    known.legal_form = data.get("legal_form")
    known.ownership = sorted(data.get("ownership") or [])
    known.operating_lad_codes = operating_lads(data)
    known.is_sme, known.is_vcse = bool(flags.get("is_sme")), bool(flags.get("is_vcse"))
    known.is_social_economy = bool(flags.get("is_social_economy"))
    known.real_living_wage = holds(data, "real_living_wage")
    known.data, known.deregistered = data, False
    return known


async def _replace_identifiers(session: AsyncSession, changed: list[KnownOrganisation]) -> None:
    """Each changed organisation's identifiers are now those of its event. An identifier that moved from one
    organisation to another (a registry correction) follows the newest."""
    rows = {identifier: org.id for org in changed if not org.deregistered for identifier in identifiers_of(org.data)}
    for chunk in _chunks([o.id for o in changed]):
        await session.execute(delete(OrganisationIdentifier).where(OrganisationIdentifier.organisation_id.in_(chunk)))
    for chunk in _chunks(sorted(rows)):
        await session.execute(delete(OrganisationIdentifier).where(OrganisationIdentifier.identifier.in_(chunk)))
    if rows:
        await session.execute(
            insert(OrganisationIdentifier), [{"identifier": i, "organisation_id": o} for i, o in rows.items()]
        )


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def organisations_consumer(thresholds: Thresholds) -> ConsumerSpec:
    async def apply_batch(session: AsyncSession, events: list[CloudEvent]) -> None:
        changed = await apply_organisation_events(session, events)
        await rematch_for(session, changed, thresholds)
        await refresh_scores(session, [o.id for o in changed])

    return ConsumerSpec(name="organisations", topics=[TOPIC], batch_handler=apply_batch)


async def rematch_for(session: AsyncSession, changed: list[KnownOrganisation], thresholds: Thresholds) -> None:
    if not changed:
        return
    gone = [o.id for o in changed if o.deregistered]
    arrived = OrganisationNames()
    for org in changed:
        if not org.deregistered:
            arrived.add(org.id, org.name, identifiers_of(org.data))
    waiting = (
        await session.execute(
            select(SpendSupplier.id, SpendSupplier.name, SpendSupplier.identifier).where(
                SpendSupplier.status.in_((UNMATCHED, SUGGESTED)),
                or_(SpendSupplier.method.is_(None), SpendSupplier.method != "manual"),
            )
        )
    ).all()
    # Only suppliers one of the new organisations could be are worth a full reconciliation.
    affected = [s.id for s in waiting if decide(s.name, s.identifier, arrived, thresholds).status != UNMATCHED]
    if gone:
        affected += [
            sid
            for (sid,) in (
                await session.execute(select(SpendSupplier.id).where(SpendSupplier.organisation_id.in_(gone)))
            ).all()
        ]
    if affected:
        await reconcile_ids(session, sorted(set(affected)), thresholds)
