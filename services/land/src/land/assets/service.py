"""Creating and correcting assets: geocoding, projection, events (`land.asset`) through the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from localwealth_shared.clock import utcnow
from localwealth_shared.events.outbox import Outbox
from localwealth_shared.http.problems import Conflict, field_error
from localwealth_shared.reference.geography import PostcodeError, default_gazetteer, normalise_postcode
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from land.assets.geometry import representative_point
from land.db import Asset

EVENT_REGISTERED = "org.localwealth.land.asset.registered.v1"
EVENT_UPDATED = "org.localwealth.land.asset.updated.v1"
EVENT_TRANSFERRED = "org.localwealth.land.asset.transferred.v1"


def project(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.id,
        "owner": asset.owner,
        "name": asset.name,
        "reference": asset.reference,
        "uprn": asset.uprn,
        "address": asset.address,
        "postcode": asset.postcode,
        "postcode_status": asset.postcode_status,
        "point": {"lat": asset.lat, "lon": asset.lon} if asset.lat is not None and asset.lon is not None else None,
        "geometry": asset.geometry,
        "lad_code": asset.lad_code,
        "tenure": asset.tenure,
        "asset_type": asset.asset_type,
        "current_use": asset.current_use,
        "status": asset.status,
        "valuation": (
            {"amount": f"{asset.valuation_amount:.2f}", "currency": asset.valuation_currency or "GBP"}
            if asset.valuation_amount is not None
            else None
        ),
        "community_owned": asset.community_owned,
        "created_at": asset.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": asset.updated_at.isoformat().replace("+00:00", "Z"),
        "version": asset.version,
    }


def _locate(asset: Asset, fields: dict[str, Any]) -> None:
    """Postcode → normalised, lat/lon and LAD from the bundled ONS centroids; an explicit point or a geometry
    places the asset more precisely than a postcode centroid."""
    if "postcode" in fields:
        asset.postcode, asset.postcode_status, asset.lad_code = None, "none", None
        if fields["postcode"]:
            try:
                asset.postcode = normalise_postcode(fields["postcode"])
            except PostcodeError as exc:
                raise field_error(("body", "postcode"), str(exc), exc.rule) from exc
            found = default_gazetteer().lookup(asset.postcode)
            asset.postcode_status = found.precision if found else "unknown"
            if found is not None:
                asset.lad_code = found.lad_code
                asset.lat, asset.lon = found.lat, found.lon
    if fields.get("geometry"):
        asset.lat, asset.lon = representative_point(fields["geometry"])
    if fields.get("point"):
        asset.lat, asset.lon = fields["point"]["lat"], fields["point"]["lon"]


SIMPLE_FIELDS = ("name", "reference", "uprn", "address", "geometry", "tenure", "asset_type", "current_use", "status")


def apply_fields(asset: Asset, fields: dict[str, Any]) -> None:
    for name in SIMPLE_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(asset, name, value.value if hasattr(value, "value") else value)
    if "valuation" in fields:
        money = fields["valuation"]
        asset.valuation_amount = money["amount"] if money else None
        asset.valuation_currency = money["currency"] if money else None
    _locate(asset, fields)


class AssetService:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def _refuse_duplicates(self, session: AsyncSession, owner: str, asset: Asset) -> None:
        for column, value in (("uprn", asset.uprn), ("reference", asset.reference)):
            if value is None:
                continue
            holder = await session.scalar(
                select(Asset.id).where(Asset.owner == owner, getattr(Asset, column) == value, Asset.id != asset.id)
            )
            if holder is not None:
                raise Conflict(
                    f"asset {holder} already has {column} {value}",
                    code=f"duplicate_{column}",
                    extra={"existing_id": holder},
                )

    async def create(self, session: AsyncSession, owner: str, fields: dict[str, Any]) -> Asset:
        now = utcnow()
        asset = Asset(id=str(uuid.uuid4()), owner=owner, created_at=now, updated_at=now, version=1)
        apply_fields(asset, fields)
        await self._refuse_duplicates(session, owner, asset)
        session.add(asset)
        await session.flush()
        await self.outbox.add(session, EVENT_REGISTERED, asset.id, project(asset))
        return asset

    async def update(self, session: AsyncSession, asset: Asset, fields: dict[str, Any]) -> Asset:
        before = project(asset)
        apply_fields(asset, fields)
        await self._refuse_duplicates(session, asset.owner, asset)
        after = project(asset)
        if {k: v for k, v in after.items() if k != "updated_at"} == {
            k: v for k, v in before.items() if k != "updated_at"
        }:
            return asset  # nothing changed: same version, no event
        asset.updated_at, asset.version = utcnow(), asset.version + 1
        await session.flush()
        await self.outbox.add(session, EVENT_UPDATED, asset.id, project(asset))
        return asset

    async def mark_transferred(self, session: AsyncSession, asset: Asset, transfer: dict[str, Any]) -> None:
        """Completion of a community asset transfer: the asset is community-owned from now on. `transfer`
        names the new owner or lessee (`organisation_id`), the application, the type and the date."""
        asset.status, asset.community_owned = "transferred", True
        asset.updated_at, asset.version = utcnow(), asset.version + 1
        await session.flush()
        await self.outbox.add(session, EVENT_TRANSFERRED, asset.id, {**project(asset), **transfer})
