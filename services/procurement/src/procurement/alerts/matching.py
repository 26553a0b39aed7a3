"""Which subscriptions a newly published tender matches, and what each is told (`procurement.match.found`)."""

from __future__ import annotations

import uuid
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.reference.classification import cpv_is_within
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import AlertSubscription, Supplier, SupplierScore, Tender, WebhookDelivery
from procurement.matching.engine import opportunity
from procurement.matching.index import facts_of
from procurement.matching.scoring import score
from procurement.matching.weights import DEFAULT_WEIGHTS

MATCH_FOUND = "org.localwealth.procurement.match.found.v1"


def subscription_matches(sub: AlertSubscription, tender: Tender) -> bool:
    if sub.cpv_codes and not any(cpv_is_within(code, wanted) for code in tender.cpv_codes for wanted in sub.cpv_codes):
        return False
    if sub.lad_codes and not set(sub.lad_codes) & set(tender.delivery_lad_codes):
        return False
    if sub.min_value is not None or sub.max_value is not None:
        value = tender.value_amount
        if value is None:
            return False
        if sub.min_value is not None and value < sub.min_value:
            return False
        if sub.max_value is not None and value > sub.max_value:
            return False
    return True


class AlertPublisher:
    """Called when a tender is published, in the same transaction: one event and one webhook delivery per
    matching subscription of a still-registered organisation."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def __call__(self, session: AsyncSession, tender: Tender) -> None:
        subs = (await session.execute(select(AlertSubscription))).scalars().all()
        for sub in subs:
            if not subscription_matches(sub, tender):
                continue
            supplier = await session.get(Supplier, sub.organisation_id)
            if supplier is None or supplier.deregistered:
                continue
            facts = facts_of(supplier, None)
            impact = await session.get(SupplierScore, sub.organisation_id)
            facts.impact_score = impact.score if impact else None
            match = score(facts, opportunity(tender), DEFAULT_WEIGHTS)
            payload: dict[str, Any] = {
                "organisation_id": sub.organisation_id,
                "tender_id": tender.id,
                "ocid": tender.ocid,
                "lot_id": None,
                "subscription_id": sub.id,
                "score": match.score,
                "eligible": match.eligible,
                "components": match.components,
                "reasons": match.reasons,
                "found_at": utcnow().isoformat().replace("+00:00", "Z"),
            }
            await self.outbox.add(session, MATCH_FOUND, sub.organisation_id, payload)
            session.add(
                WebhookDelivery(
                    id=f"msg_{uuid.uuid4().hex}",
                    subscription_id=sub.id,
                    event_type=MATCH_FOUND,
                    payload=payload,
                    status="pending",
                    attempts=0,
                    next_attempt_at=utcnow(),
                    created_at=utcnow(),
                )
            )
