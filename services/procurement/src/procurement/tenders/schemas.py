"""Request and response shapes for tenders (SPEC §5.1). Inputs forbid unknown fields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

TenderStatus = Literal["planned", "active", "complete", "cancelled", "unsuccessful", "withdrawn"]
ContractType = Literal["works", "supplies", "services", "light_touch", "concession"]
# Procurement Act 2023 notice types (UK1 pipeline notice .. UK17 contract termination notice).
NoticeType = Literal[
    "UK1", "UK2", "UK3", "UK4", "UK5", "UK6", "UK7", "UK8", "UK9", "UK10", "UK11", "UK12", "UK13", "UK14",
    "UK15", "UK16", "UK17",
]  # fmt: skip
ReservationScope = Literal["none", "uk", "local_area"]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
LadCode = Annotated[str, Field(pattern=r"^[EWSN]\d{8}$")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Money(Input):
    amount: Amount
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "GBP"


class TenderValue(Money):
    amount_gross: Amount | None = Field(None, description="VAT-inclusive value; thresholds are judged on it.")


class Delivery(Input):
    lad_codes: list[LadCode] = Field(default_factory=list, max_length=50)
    postcode: Annotated[str, Field(max_length=10)] | None = None


class TenderPeriod(Input):
    start_date: date | None = None
    end_date: date | None = None


class Lot(Input):
    id: Annotated[str, Field(min_length=1, max_length=60)]
    title: Annotated[str, Field(max_length=500)] | None = None
    value: Money | None = None
    cpv_codes: list[str] = Field(default_factory=list, max_length=50)


class Suitability(Input):
    sme: bool = False
    vcse: bool = False


class Reservation(Input):
    scope: ReservationScope = "none"
    area_lad_codes: list[LadCode] | None = Field(
        None, max_length=100, description="For scope local_area; defaults to the buyer's area."
    )
    sme_only: bool = False
    vcse_only: bool = False


class AwardCriterion(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    weight_pct: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
    framework: Annotated[str, Field(max_length=100)] | None = Field(
        None, description="Social value framework (e.g. 'National TOMs'); a criterion with one is social value."
    )


class TenderFields(Input):
    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: Annotated[str, Field(max_length=20000)] | None = None
    status: TenderStatus = "planned"
    notice_type: NoticeType | None = None
    contract_type: ContractType | None = None
    value: TenderValue | None = None
    cpv_codes: list[str] = Field(default_factory=list, max_length=50)
    delivery: Delivery | None = None
    tender_period: TenderPeriod | None = None
    publication_date: date | None = Field(
        None, description="Defaults to the day the tender leaves `planned`; thresholds are those in force then."
    )
    lots: list[Lot] = Field(default_factory=list, max_length=200)
    suitability: Suitability | None = None
    reservation: Reservation | None = None
    award_criteria: list[AwardCriterion] = Field(default_factory=list, max_length=50)


class TenderCreate(TenderFields):
    pass


class TenderPatch(Input):
    title: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    description: Annotated[str, Field(max_length=20000)] | None = None
    status: TenderStatus | None = None
    notice_type: NoticeType | None = None
    contract_type: ContractType | None = None
    value: TenderValue | None = None
    cpv_codes: list[str] | None = Field(None, max_length=50)
    delivery: Delivery | None = None
    tender_period: TenderPeriod | None = None
    publication_date: date | None = None
    lots: list[Lot] | None = Field(None, max_length=200)
    suitability: Suitability | None = None
    reservation: Reservation | None = None
    award_criteria: list[AwardCriterion] | None = Field(None, max_length=50)


class MoneyOut(BaseModel):
    amount: str
    currency: str


class ValueOut(MoneyOut):
    amount_gross: str | None = None


class ThresholdOut(BaseModel):
    amount_gross: str
    currency: str
    buyer_class: str
    effective_from: date


class Buyer(BaseModel):
    tenant_id: str
    name: str | None = None
    kind: str


class DeliveryOut(BaseModel):
    lad_codes: list[str]
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None


class LotOut(BaseModel):
    id: str
    title: str | None = None
    value: MoneyOut | None = None
    cpv_codes: list[str]


class ReservationOut(BaseModel):
    scope: ReservationScope
    area_lad_codes: list[str]
    sme_only: bool
    vcse_only: bool


class AwardCriterionOut(BaseModel):
    name: str
    weight_pct: str
    framework: str | None = None
    is_social_value: bool


class Tender(BaseModel):
    id: str
    ocid: str
    buyer: Buyer
    title: str
    description: str | None = None
    status: TenderStatus
    notice_type: str | None = None
    contract_type: str | None = None
    value: ValueOut | None = None
    amount_gross: str | None = None
    above_threshold: bool | None = None
    threshold: ThresholdOut | None = None
    publication_date: date | None = None
    cpv_codes: list[str]
    delivery: DeliveryOut | None = None
    tender_period: TenderPeriod | None = None
    lots: list[LotOut]
    suitability: Suitability | None = None
    reservation: ReservationOut | None = None
    award_criteria: list[AwardCriterionOut]
    social_value_weight_pct: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int


class TenderPage(BaseModel):
    data: list[Tender]
    next_cursor: str | None = None
