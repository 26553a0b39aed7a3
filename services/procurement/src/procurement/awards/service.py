"""Recording awards; each writes `procurement.award.made.v1` (key: the tender id) in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.outbox import Outbox
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.awards.linking import Link
from procurement.db import Award, Tender

AWARD_MADE = "org.localwealth.procurement.award.made.v1"


def project_award(award: Award, tender: Tender) -> dict[str, Any]:
    return {
        "id": award.id,
        "tender_id": award.tender_id,
        "ocid": tender.ocid,
        "lot_id": award.lot_id,
        "buyer": {"tenant_id": tender.buyer_tenant_id, "name": tender.buyer_name or tender.buyer_tenant_id},
        "supplier": {
            "organisation_id": award.organisation_id,
            "identifier": (
                {"scheme": award.supplier_scheme, "id": award.supplier_identifier} if award.supplier_scheme else None
            ),
            "name": award.supplier_name,
            "linked_by": award.linked_by,
        },
        "value": (
            {"amount": f"{award.value_amount:f}", "currency": award.value_currency}
            if award.value_amount is not None
            else None
        ),
        "date": award.date.isoformat() if award.date else None,
        "created_at": award.created_at.isoformat(),
    }


async def record_award(
    session: AsyncSession,
    outbox: Outbox,
    tender: Tender,
    link: Link,
    *,
    lot_id: str | None,
    value: dict[str, Any] | None,
    on: date | None,
    tenant_id: str,
    ocds_award_id: str | None = None,
) -> Award:
    award = Award(
        id=str(uuid.uuid4()),
        tender_id=tender.id,
        lot_id=lot_id,
        organisation_id=link.organisation_id,
        supplier_scheme=link.scheme,
        supplier_identifier=link.identifier,
        supplier_name=link.name,
        linked_by=link.linked_by,
        ocds_award_id=ocds_award_id,
        value_amount=Decimal(value["amount"]) if value else None,
        value_currency=value["currency"] if value else None,
        date=on,
        created_by=tenant_id,
        created_at=utcnow(),
    )
    session.add(award)
    await session.flush()
    await outbox.add(session, AWARD_MADE, tender.id, project_award(award, tender), subject=award.id)
    return award
