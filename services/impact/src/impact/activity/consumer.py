"""`procurement.tender`, `procurement.award`, `land.asset`, `land.transfer` and `land.acv` events → activity
facts.

Each event type maps to one fact about its subject (a tender, an award, an asset, a transfer application, an
ACV listing). A fact is replaced only by a newer version of its subject, so reordered, redelivered or replayed
events never change a count; the inbox drops exact duplicates before this runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.consumer import ConsumerSpec
from localwealth_shared.events.envelope import CloudEvent
from sqlalchemy.ext.asyncio import AsyncSession

from impact.db import ActivityFact

PREFIX = "org.localwealth."
TOPICS = ["procurement.tender", "procurement.award", "land.asset", "land.transfer", "land.acv"]


def _pence(money: dict[str, Any] | None) -> int | None:
    if not money or money.get("amount") is None:
        return None
    try:
        return int(Decimal(str(money["amount"])) * 100)
    except InvalidOperation:
        return None


def _day(value: Any, fallback: date) -> date:
    try:
        return date.fromisoformat(str(value)[:10]) if value else fallback
    except ValueError:
        return fallback


Fact = dict[str, Any]


def tender_fact(data: dict[str, Any], event: CloudEvent) -> Fact:
    reservation = data.get("reservation") or {}
    return {
        "kind": "tender",
        "subject_id": data["id"],
        "tenant_id": (data.get("buyer") or {}).get("tenant_id"),
        "occurred_on": _day((data.get("tender_period") or {}).get("start_date"), event.time.date()),
        "amount_pence": _pence(data.get("value")),
        "attributes": {
            "status": data.get("status"),
            "reserved": (reservation.get("scope") or "none") != "none"
            or bool(reservation.get("sme_only") or reservation.get("vcse_only")),
            "lots": len(data.get("lots") or []),
            "above_threshold": data.get("above_threshold"),
        },
    }


def award_fact(data: dict[str, Any], event: CloudEvent) -> Fact:
    supplier = data.get("supplier") or {}
    return {
        "kind": "award",
        "subject_id": data["id"],
        "tenant_id": (data.get("buyer") or {}).get("tenant_id"),
        "occurred_on": _day(data.get("date"), event.time.date()),
        "amount_pence": _pence(data.get("value")),
        "organisation_id": supplier.get("organisation_id"),
        "attributes": {"tender_id": data.get("tender_id"), "supplier_name": supplier.get("name")},
    }


def transfer_fact(data: dict[str, Any], event: CloudEvent) -> Fact:
    latest = data.get("completed_on") or data.get("decided_on") or data.get("applied_on")
    return {
        "kind": "transfer",
        "subject_id": data["id"],
        "tenant_id": data.get("council"),
        "occurred_on": _day(latest, event.time.date()),
        "amount_pence": _pence(data.get("market_value")),
        "organisation_id": data.get("organisation_id"),
        "attributes": {
            "stage": data.get("stage"),
            "completed": data.get("stage") == "completed",
            "transfer_type": data.get("transfer_type"),
            "asset_id": data.get("asset_id"),
            "undervalue_pence": _pence(data.get("undervalue")),
        },
    }


def listing_fact(data: dict[str, Any], event: CloudEvent) -> Fact:
    return {
        "kind": "acv_listing",
        "subject_id": data["id"],
        "tenant_id": data.get("council"),
        "occurred_on": _day(data.get("listed_on") or data.get("received_date"), event.time.date()),
        "organisation_id": data.get("nominating_organisation_id"),
        "attributes": {
            "status": data.get("status"),
            "listed_on": data.get("listed_on"),
            "listing_ends": data.get("listing_ends"),
            "asset_id": data.get("asset_id"),
        },
    }


def asset_fact(data: dict[str, Any], event: CloudEvent) -> Fact:
    return {
        "kind": "asset",
        "subject_id": data["id"],
        "tenant_id": data.get("owner"),
        "occurred_on": _day(data.get("updated_at"), event.time.date()),
        "attributes": {"status": data.get("status"), "asset_type": data.get("asset_type")},
    }


MAPPERS: dict[str, Callable[[dict[str, Any], CloudEvent], Fact]] = {
    "procurement.tender.published.v1": tender_fact,
    "procurement.tender.updated.v1": tender_fact,
    "procurement.tender.cancelled.v1": tender_fact,
    "procurement.tender.closed.v1": tender_fact,
    "procurement.award.made.v1": award_fact,
    "land.asset.registered.v1": asset_fact,
    "land.asset.updated.v1": asset_fact,
    "land.transfer.applied.v1": transfer_fact,
    "land.transfer.decided.v1": transfer_fact,
    "land.transfer.completed.v1": transfer_fact,
    **{f"land.acv.{verb}.v1": listing_fact for verb in (
        "nominated", "listed", "not-listed", "disposal-notified", "moratorium-ended", "listing-expired")},
}  # fmt: skip


ASSET_TRANSFERRED = PREFIX + "land.asset.transferred.v1"


async def apply_activity_event(session: AsyncSession, event: CloudEvent) -> None:
    if event.type == ASSET_TRANSFERRED:  # names no owner: it marks the asset we already know of
        await _mark_transferred(session, event)
        return
    mapper = MAPPERS.get(event.type.removeprefix(PREFIX))
    if mapper is None:
        return
    fact = mapper(event.data, event)
    if not fact["tenant_id"]:
        raise ValueError(f"{event.type} {event.id} names no council")  # retried, then dead-lettered
    version = int(event.data.get("version") or 0)
    row = await session.get(ActivityFact, (fact["kind"], fact["subject_id"]))
    if row is not None and row.source_version > version:
        return
    if row is None:
        row = ActivityFact(kind=fact["kind"], subject_id=fact["subject_id"])
        session.add(row)
    row.tenant_id, row.occurred_on = fact["tenant_id"], fact["occurred_on"]
    row.amount_pence, row.organisation_id = fact.get("amount_pence"), fact.get("organisation_id")
    row.attributes, row.source_version, row.updated_at = fact["attributes"], version, utcnow()


async def _mark_transferred(session: AsyncSession, event: CloudEvent) -> None:
    row = await session.get(ActivityFact, ("asset", event.data["id"]))
    version = int(event.data.get("version") or 0)
    if row is None or row.source_version > version:
        return  # an asset's events share its key, so its registration arrives first; older news is ignored
    row.attributes = {**row.attributes, "status": "transferred"}
    row.source_version, row.updated_at = version, utcnow()


ACTIVITY_CONSUMER = ConsumerSpec(
    name="activity",
    topics=TOPICS,
    handler=apply_activity_event,
    types=frozenset([ASSET_TRANSFERRED, *(PREFIX + t for t in MAPPERS)]),
)
