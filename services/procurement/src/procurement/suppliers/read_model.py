"""The supplier read model: `registry.organisation` and `impact.organisation-score` events applied to the
`suppliers` / `supplier_scores` tables. Handlers are idempotent by version (an older or repeated event
changes nothing) on top of the consumer's inbox, so a replay from the start rebuilds the same rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.consumer import ConsumerSpec
from localwealth_shared.events.envelope import CloudEvent
from localwealth_shared.reference.names import name_key
from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import Supplier, SupplierIdentifier, SupplierScore

REGISTRY_TOPIC = "registry.organisation"
IMPACT_TOPIC = "impact.organisation-score"
REGISTERED = "org.localwealth.registry.organisation.registered.v1"
UPDATED = "org.localwealth.registry.organisation.updated.v1"
DEREGISTERED = "org.localwealth.registry.organisation.deregistered.v1"
SCORE_CHANGED = "org.localwealth.impact.organisation-score.changed.v1"
SITE_FIELDS = ("lat", "lon", "lad_code", "postcode", "is_registered_office", "is_operating_site")


def supplier_columns(org: dict[str, Any]) -> dict[str, Any]:
    flags = org.get("flags") or {}
    turnover = org.get("turnover")
    return {
        "name": org["name"],
        "name_key": name_key(org["name"]),
        "canonical_identifier": org.get("canonical_identifier"),
        "identifiers": list(org.get("identifiers") or []),
        "legal_form": org.get("legal_form"),
        "ownership": list(org.get("ownership") or []),
        "cpv_codes": list(org.get("cpv_codes") or []),
        "employees": org.get("employees"),
        "turnover_amount": Decimal(turnover["amount"]) if turnover else None,
        "is_vcse": bool(flags.get("is_vcse")),
        "is_sme": bool(flags.get("is_sme", True)),
        "is_social_economy": bool(flags.get("is_social_economy")),
        "certifications": [
            {k: c.get(k) for k in ("scheme", "status", "expires_on")} for c in org.get("certifications") or []
        ],
        "sites": [{k: s.get(k) for k in SITE_FIELDS} for s in org.get("sites") or []],
        "deregistered": False,
        "registry_version": int(org["version"]),
    }


async def apply_organisation_event(session: AsyncSession, event: CloudEvent) -> None:
    data = event.data
    supplier = await session.get(Supplier, data["id"])
    version = int(data["version"])
    if supplier is not None and supplier.registry_version >= version:
        return  # stale or repeated: the read model already holds this version or a newer one
    if event.type == DEREGISTERED:
        if supplier is None:
            return
        supplier.deregistered = True
        supplier.registry_version = version
        supplier.updated_at = utcnow()
        return
    columns = supplier_columns(data)
    await _replace_identifiers(session, data["id"], columns["identifiers"])
    if supplier is None:
        session.add(Supplier(id=data["id"], updated_at=utcnow(), **columns))
    else:
        for name, value in columns.items():
            setattr(supplier, name, value)
        supplier.updated_at = utcnow()


async def _replace_identifiers(session: AsyncSession, organisation_id: str, identifiers: list[dict[str, str]]) -> None:
    await session.execute(delete(SupplierIdentifier).where(SupplierIdentifier.organisation_id == organisation_id))
    rows = {(i["scheme"], i["id"]) for i in identifiers}
    if rows:
        # An identifier moving between organisations (a registry merge) follows the newest event.
        await session.execute(
            delete(SupplierIdentifier).where(
                tuple_(SupplierIdentifier.scheme, SupplierIdentifier.value).in_(sorted(rows))
            )
        )
        session.add_all(
            SupplierIdentifier(scheme=scheme, value=value, organisation_id=organisation_id) for scheme, value in rows
        )


async def apply_score_event(session: AsyncSession, event: CloudEvent) -> None:
    data = event.data
    version = int(data.get("version") or 1)
    row = await session.get(SupplierScore, data["organisation_id"])
    if row is not None and row.version >= version:
        return
    if row is None:
        session.add(
            SupplierScore(
                organisation_id=data["organisation_id"],
                score=float(data["score"]),
                version=version,
                updated_at=utcnow(),
            )
        )
    else:
        row.score, row.version, row.updated_at = float(data["score"]), version, utcnow()


async def clear(session: AsyncSession) -> None:
    """Empty the read model before a replay from the beginning of the topics."""
    await session.execute(delete(SupplierIdentifier))
    await session.execute(delete(Supplier))
    await session.execute(delete(SupplierScore))


async def score_of(session: AsyncSession, organisation_id: str) -> float | None:
    return (
        await session.execute(select(SupplierScore.score).where(SupplierScore.organisation_id == organisation_id))
    ).scalar_one_or_none()


ORGANISATIONS = ConsumerSpec(
    name="suppliers",
    topics=[REGISTRY_TOPIC],
    handler=apply_organisation_event,
    types=frozenset({REGISTERED, UPDATED, DEREGISTERED}),
)
SCORES = ConsumerSpec(
    name="supplier-scores", topics=[IMPACT_TOPIC], handler=apply_score_event, types=frozenset({SCORE_CHANGED})
)
