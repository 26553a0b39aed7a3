"""`registry.organisation` events → `known_organisations`. Versions only move forward, so a redelivered or
reordered event never overwrites newer data; the inbox already drops exact duplicates."""

from __future__ import annotations

from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.consumer import ConsumerSpec
from localwealth_shared.events.envelope import CloudEvent
from sqlalchemy.ext.asyncio import AsyncSession

from land.db import KnownOrganisation

TOPIC = "registry.organisation"
DEREGISTERED = "org.localwealth.registry.organisation.deregistered.v1"


async def apply_organisation_event(session: AsyncSession, event: CloudEvent) -> None:
    data: dict[str, Any] = event.data
    org_id, version = data["id"], int(data.get("version", 0))
    known = await session.get(KnownOrganisation, org_id)
    if known is not None and known.registry_version > version:
        return
    if known is None:
        known = KnownOrganisation(id=org_id, name=data.get("name") or "", data={})
        session.add(known)
    known.registry_version, known.updated_at = version, utcnow()
    if event.type == DEREGISTERED:  # the payload is a tombstone: keep what we knew, mark it gone
        known.deregistered = True
        return
    known.name = data.get("name") or ""
    known.legal_form = data.get("legal_form")
    known.members = data.get("members")
    known.data = data
    known.deregistered = False


ORGANISATIONS_CONSUMER = ConsumerSpec(name="organisations", topics=[TOPIC], handler=apply_organisation_event)


async def find(session: AsyncSession, org_id: str) -> KnownOrganisation | None:
    known = await session.get(KnownOrganisation, org_id)
    return known if known is not None and not known.deregistered else None
