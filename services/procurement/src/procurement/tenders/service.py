"""Creating and changing tenders; each public change writes its `procurement.tender` event in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from localwealth_shared.clock import today, utcnow
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.problems import field_error
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import Tender
from procurement.rules.thresholds import ThresholdTable
from procurement.tenders.normalise import PRIVATE_STATUSES, BuyerInfo, normalise
from procurement.tenders.projection import editable_fields, project

# Called in the publishing transaction (alerts use it), so what they write commits with the tender.
PublishHook = Callable[[AsyncSession, Tender], Awaitable[None]]
EVENT_PREFIX = "org.localwealth.procurement.tender."
CANCELLED_STATUSES = frozenset({"cancelled", "withdrawn", "unsuccessful"})


def event_verb(before: str | None, after: str) -> str | None:
    """Which tender event a status change makes: planned tenders are private and make none."""
    if after in PRIVATE_STATUSES:
        return None
    if before is None or before in PRIVATE_STATUSES:
        return "published"
    if after != before and after in CANCELLED_STATUSES:
        return "cancelled"
    if after != before and after == "complete":
        return "closed"
    return "updated"


class TenderService:
    def __init__(
        self,
        thresholds: ThresholdTable,
        outbox: Outbox,
        *,
        ocid_prefix: str,
        on_published: Sequence[PublishHook] = (),
    ) -> None:
        self.thresholds = thresholds
        self.outbox = outbox
        self.ocid_prefix = ocid_prefix
        self.on_published = tuple(on_published)

    async def create(
        self,
        session: AsyncSession,
        fields: dict[str, Any],
        buyer: BuyerInfo,
        *,
        ocid: str | None = None,
        source: str = "api",
    ) -> Tender:
        """A new tender; `ocid` is minted unless the tender comes from imported OCDS releases."""
        columns = normalise(fields, buyer, self.thresholds, today())
        now = utcnow()
        tender_id = str(uuid.uuid4())
        tender = Tender(
            id=tender_id,
            ocid=ocid or f"{self.ocid_prefix}-{tender_id}",
            source=source,
            buyer_tenant_id=buyer.tenant_id,
            buyer_name=buyer.name,
            buyer_kind=buyer.kind,
            buyer_area_lad_codes=list(buyer.area_lad_codes),
            created_by=buyer.tenant_id,
            updated_by=buyer.tenant_id,
            created_at=now,
            updated_at=now,
            version=1,
            **columns,
        )
        session.add(tender)
        await session.flush()
        await self._announce(session, tender, None)
        return tender

    async def update(self, session: AsyncSession, tender: Tender, changes: dict[str, Any], tenant_id: str) -> Tender:
        before = tender.status
        if before not in PRIVATE_STATUSES and changes.get("status") in PRIVATE_STATUSES:
            raise field_error(["body", "status"], "a published tender cannot return to planned", "status.unpublish")
        state = {**editable_fields(tender), **changes}
        buyer = BuyerInfo(
            tender.buyer_tenant_id, tender.buyer_name, tender.buyer_kind, tuple(tender.buyer_area_lad_codes)
        )
        columns = normalise(state, buyer, self.thresholds, today())
        if all(getattr(tender, name) == value for name, value in columns.items()):
            return tender  # nothing changed: no new version, no event
        for name, value in columns.items():
            setattr(tender, name, value)
        tender.updated_by = tenant_id
        tender.updated_at = utcnow()
        tender.version += 1
        await session.flush()
        await self._announce(session, tender, before)
        return tender

    async def _announce(self, session: AsyncSession, tender: Tender, before: str | None) -> None:
        verb = event_verb(before, tender.status)
        if verb is not None:
            await self.outbox.add(session, f"{EVENT_PREFIX}{verb}.v1", tender.id, project(tender))
        if verb == "published":
            for hook in self.on_published:
                await hook(session, tender)
