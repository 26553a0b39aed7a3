"""Request and response shapes of the LM3 API. Shares are decimals 0–1 and money is `{amount, currency}`;
neither is ever a float on the wire, so R1–R3 reconcile to the penny."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from localwealth_shared.http.money import Money, MoneyIn
from pydantic import BaseModel, ConfigDict, Field

from impact.periods import FinancialPeriod

MAX_SUPPLIERS = 20_000

Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4, examples=["0.25"])]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SupplierIn(_Input):
    supplier: Annotated[str, Field(min_length=1, max_length=500)] = Field(description="The supplier's name")
    amount: MoneyIn = Field(description="What was spent with it (part of R1)")
    is_local: bool = Field(description="Based or with a branch in the area (CLES)")
    local_respend_share: Share | None = Field(
        None, description="Surveyed share of its income it re-spends locally; a marked proxy stands in when absent"
    )


class StaffIn(_Input):
    total: MoneyIn = Field(description="The wage bill traced")
    local_share: Share = Field(description="Share of it paid to staff living locally (headcount share if that is all)")
    local_respend_share: Share | None = Field(None, description="Surveyed share of local staff's pay spent locally")


class ProxyIn(_Input):
    share: Share
    source: Annotated[str, Field(min_length=1, max_length=1000)] = Field(description="The evidence for the share")


class ProxiesIn(_Input):
    """Replacements for the default re-spend proxies, from the council's own evidence."""

    local_supplier_respend: ProxyIn | None = None
    local_staff_respend: ProxyIn | None = None


class FromSpendIn(_Input):
    period: FinancialPeriod = Field(description="A financial year `2017-18` or a quarter `2017-18-Q3` of the ledger")


class LM3AnalysisIn(_Input):
    """Either `suppliers` (as surveyed) or `from_spend` (the council's own reconciled spend), not both."""

    label: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    suppliers: Annotated[list[SupplierIn], Field(max_length=MAX_SUPPLIERS)] | None = None
    from_spend: FromSpendIn | None = Field(
        None,
        description="Build the supplier list from the council's spend: a supplier is local when the registry "
        "organisation it is reconciled to has a site in the council's area; unmatched and redacted ones are not.",
    )
    staff: StaffIn | None = None
    r1: MoneyIn | None = Field(None, description="The total traced; defaults to supplier spend plus wages")
    proxies: ProxiesIn | None = None


class SupplierContribution(BaseModel):
    supplier: str
    amount: Money
    is_local: bool
    r2: Money
    r3: Money
    local_respend_share: str | None = Field(description="The share used; null for a supplier that is not local")
    estimated: bool = Field(description="True when the share is a proxy, not a survey answer")
    supplier_id: str | None = Field(None, description="From spend: the council's supplier record")
    organisation_id: str | None = Field(None, description="From spend: the registry organisation it is matched to")


class StaffContribution(BaseModel):
    total: Money
    local_share: str
    r2: Money
    r3: Money
    local_respend_share: str
    estimated: bool


class Estimate(BaseModel):
    figure: str = Field(description="The input the proxy replaces, e.g. `suppliers[0].local_respend_share`")
    subject: str
    proxy: str
    share: str
    source: str
    r3: Money = Field(description="The part of R3 resting on the proxy")


class Coverage(BaseModel):
    surveyed_r3: Money
    estimated_r3: Money
    surveyed_share: str | None = Field(description="Share of R3 resting on surveys; null when R3 is 0")
    estimated_share: str | None


class ProxyOut(BaseModel):
    share: str
    source: str


class LM3AnalysisSummary(BaseModel):
    id: str
    label: str | None
    source: Literal["suppliers", "spend"]
    period: str | None
    r1: Money
    r2: Money
    r3: Money
    lm3: str = Field(description="(R1 + R2 + R3) / R1 to 2 dp, between 1 and 3", examples=["1.50"])
    created_at: datetime


class LM3Analysis(LM3AnalysisSummary):
    assumptions: list[str] = Field(description="Every assumption behind the figure; estimates start `ESTIMATE:`")
    estimates: list[Estimate]
    by_supplier: list[SupplierContribution]
    staff: StaffContribution | None
    coverage: Coverage
    proxies_used: dict[str, ProxyOut]
    input: dict[str, Any] = Field(description="The request as received")
