"""Request and response shapes of the social value API. Quantities, shares and factors are decimal strings and
values are money, so gross − effects = net holds to the penny on the wire as well."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from localwealth_shared.http.money import Money
from pydantic import BaseModel, ConfigDict, Field

from impact.periods import FinancialPeriod
from impact.social_value.engine import MAX_YEARS
from impact.social_value.measure_sets import Code, MeasureSetDocument

MAX_LINES = 200

Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4, examples=["0.2"])]
# Fifteen significant digits: what a float carries, so SQLite gives the quantity back exactly.
Quantity = Annotated[Decimal, Field(max_digits=15, decimal_places=6, examples=["12"])]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AdjustmentsIn(_Input):
    """SROI adjustments (SROI Guide stage 4), each a share 0–1; drop-off applies to each year after the first."""

    deadweight: Share = Decimal(0)
    displacement: Share = Decimal(0)
    attribution: Share = Decimal(0)
    drop_off: Share = Decimal(0)


class CommitmentIn(_Input):
    measure_code: Code
    quantity: Annotated[Quantity, Field(gt=0)] = Field(description="Units per year (year 1 when drop-off applies)")
    years: Annotated[int, Field(ge=1, le=MAX_YEARS)] | None = Field(None, description="How long it lasts; 1 if absent")
    adjustments: AdjustmentsIn = Field(default_factory=AdjustmentsIn)
    reference: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(None, description="Your id for it")


class CommitmentsIn(_Input):
    measure_set: Code | None = Field(
        None,
        description="The set the award's lines are valued with: one of yours or the open default (when absent). "
        "Fixed by the award's first commitments.",
    )
    organisation_id: Annotated[str, Field(min_length=1, max_length=36)] | None = Field(
        None, description="The supplier's registry organisation"
    )
    commitments: Annotated[list[CommitmentIn], Field(min_length=1, max_length=MAX_LINES)]


class ActualIn(_Input):
    measure_code: Code
    quantity: Annotated[Quantity, Field(ge=0)] = Field(description="Units delivered in the period")
    period: FinancialPeriod = Field(description="A financial year `2024-25` or a quarter `2024-25-Q1`")
    adjustments: AdjustmentsIn = Field(default_factory=AdjustmentsIn)
    reference: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class AwardPatch(_Input):
    organisation_id: Annotated[str, Field(min_length=1, max_length=36)] | None = Field(
        description="The supplier's registry organisation; null unlinks it"
    )


# --- measure sets --------------------------------------------------------------------------------------


class MeasureSetSummary(BaseModel):
    code: str
    name: str
    edition: str | None = Field(description="The publisher's version of the set, e.g. `2021-07`")
    licence: str
    measures: int
    default: bool = Field(description="True for the open default set every tenant may use")
    version: int | None = Field(description="Changes on each upload (ETag); null for the open default")
    updated_at: datetime | None


class MeasureSetView(MeasureSetSummary):
    document: MeasureSetDocument


# --- valuations ----------------------------------------------------------------------------------------


class Adjustments(BaseModel):
    deadweight: str
    displacement: str
    attribution: str
    drop_off: str


class Effects(BaseModel):
    """Money removed by each adjustment: gross − the effects = net."""

    deadweight: Money
    displacement: Money
    attribution: Money
    drop_off: Money


class YearValue(BaseModel):
    year: int
    gross: Money
    net: Money


class ValuedLine(BaseModel):
    id: str
    measure_code: str
    outcome_code: str
    reference: str | None
    quantity: str
    adjustments: Adjustments
    proxy_value: str = Field(description="GBP per unit, in `price_year` prices, as the measure set gives it")
    price_year: int
    reporting_year: int
    uplift: str = Field(description="Price-year factor (GDP deflator), to 6 dp")
    unit_value: Money = Field(description="The proxy value in reporting-year prices")
    gross: Money
    net: Money
    effects: Effects
    by_year: list[YearValue]
    licence: str
    created_at: datetime


class ValuedCommitment(ValuedLine):
    years: int


class ValuedActual(ValuedLine):
    period: str


class CommitmentTotals(BaseModel):
    lines: list[ValuedCommitment]
    gross: Money
    net: Money
    effects: Effects


class ActualTotals(BaseModel):
    lines: list[ValuedActual]
    gross: Money
    net: Money
    effects: Effects


class MeasureDelivery(BaseModel):
    measure_code: str
    committed: str = Field(description="Quantity × years over the whole commitment")
    delivered: str
    delivered_share: str | None = Field(
        description="delivered / committed (over 1 when over-delivered); null if nothing was committed"
    )


class AwardMeasureSet(BaseModel):
    code: str
    default: bool


class Award(BaseModel):
    award_id: str
    measure_set: AwardMeasureSet
    organisation_id: str | None
    reporting_year: int
    commitments: CommitmentTotals
    actuals: ActualTotals
    delivery: list[MeasureDelivery]
    delivered_share: str | None = Field(description="Net value delivered / net value committed")
    version: int
    created_at: datetime
    updated_at: datetime


class Totals(BaseModel):
    gross: Money
    net: Money
    effects: Effects


class Summary(BaseModel):
    reporting_year: int
    awards: int
    committed: Totals
    delivered: Totals
    delivered_share: str | None = Field(description="Net value delivered / net value committed")
