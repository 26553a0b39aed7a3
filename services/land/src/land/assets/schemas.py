"""Asset request and response bodies."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from land.assets.geometry import GeometryError, validate_geometry

UPRN = re.compile(r"^[0-9]{1,12}$")


class Tenure(StrEnum):
    FREEHOLD = "freehold"
    LEASEHOLD = "leasehold"


class AssetStatus(StrEnum):
    IN_USE = "in_use"
    SURPLUS = "surplus"
    FOR_DISPOSAL = "for_disposal"
    UNDER_OFFER = "under_offer"
    TRANSFERRED = "transferred"
    DISPOSED = "disposed"


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    currency: str = Field("GBP", pattern=r"^[A-Z]{3}$")


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


def normalise_uprn(value: str | None) -> str | None:
    """UPRNs are integers of up to 12 digits; stored zero-padded to 12 so one property has one string."""
    if value is None:
        return None
    digits = value.strip()
    if not UPRN.match(digits) or int(digits) == 0:
        raise ValueError("a UPRN is 1 to 12 digits (e.g. 100120812345), not zero")
    return digits.zfill(12)


class AssetFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=500)
    reference: str | None = Field(None, min_length=1, max_length=100, description="The council's own asset id.")
    uprn: str | None = Field(None, description="Unique Property Reference Number (1–12 digits; stored as 12).")
    address: str | None = Field(None, max_length=2000)
    postcode: str | None = Field(None, max_length=10)
    point: Point | None = None
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON geometry in EPSG:4326 (lon, lat).")
    tenure: Tenure | None = None
    asset_type: str | None = Field(None, max_length=40, description="land, building, ...")
    current_use: str | None = Field(None, max_length=200)
    status: AssetStatus | None = None
    valuation: Money | None = None

    @field_validator("uprn")
    @classmethod
    def _uprn(cls, value: str | None) -> str | None:
        return normalise_uprn(value)

    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            return validate_geometry(value)
        except GeometryError as exc:
            raise ValueError(f"invalid GeoJSON at {exc.path}: {exc.message}") from exc


class AssetCreate(AssetFields):
    name: str = Field(min_length=1, max_length=500)
    status: AssetStatus = AssetStatus.IN_USE


class Asset(BaseModel):
    id: str
    owner: str
    name: str
    reference: str | None
    uprn: str | None
    address: str | None
    postcode: str | None
    postcode_status: str
    point: Point | None
    geometry: dict[str, Any] | None
    lad_code: str | None
    tenure: Tenure | None
    asset_type: str | None
    current_use: str | None
    status: str
    valuation: Money | None
    community_owned: bool
    created_at: datetime
    updated_at: datetime
    version: int


class AssetPage(BaseModel):
    data: list[Asset]
    next_cursor: str | None = None
