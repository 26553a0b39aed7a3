"""Shapes of match results, lotting advice and tenant weights."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Weight = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=3)]


class Components(BaseModel):
    cpv: float
    geography: float
    capacity: float
    social_economy: float
    certifications: float
    impact: float


class SupplierMatch(BaseModel):
    organisation_id: str
    name: str
    score: float = Field(description="0–1, the weighted sum of the components")
    eligible: bool
    components: Components
    reasons: list[str]
    lot_id: str | None = None
    suggested_lot_id: str | None = None


class TenderMatch(BaseModel):
    tender_id: str
    title: str
    lot_id: str | None = None
    score: float
    eligible: bool
    components: Components
    reasons: list[str]
    suggested_lot_id: str | None = None


class SupplierMatchList(BaseModel):
    data: list[SupplierMatch]
    weights: dict[str, float]


class TenderMatchList(BaseModel):
    data: list[TenderMatch]
    weights: dict[str, float]


class WeightsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cpv: Weight
    geography: Weight
    capacity: Weight
    social_economy: Weight
    certifications: Weight
    impact: Weight


class WeightsOut(BaseModel):
    weights: dict[str, float] = Field(description="As used: scaled to sum to 1")
    is_default: bool


class LotOption(BaseModel):
    lot_value: str
    lots: int
    eligible_local_social_economy_suppliers: int
    organisation_ids: list[str]


class LottingAdvice(BaseModel):
    tender_id: str
    tender_value: str
    area_lad_codes: list[str]
    options: list[LotOption]
