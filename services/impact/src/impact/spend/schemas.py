"""Request and response shapes of the spend API."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from localwealth_shared.http.money import Money, MoneyIn
from pydantic import BaseModel, ConfigDict, Field, field_validator

from impact.spend.parse import Period
from impact.spend.values import FIRST_YEAR, LAST_YEAR

FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
Text200 = Annotated[str, Field(max_length=200)]


class SpendImportOptions(BaseModel):
    """Form fields of a spend upload besides the file."""

    period: str | None = Field(
        None,
        description="The span the file covers, `YYYY-MM-DD/YYYY-MM-DD`. Only needed when rows have lost their "
        "dates (e.g. a '00:00:00' cell) and the file name does not say the months (`apr-jun-2014`).",
        examples=["2014-04-01/2014-06-30"],
    )

    @field_validator("period")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None:
            Period.parse(value)
        return value


class SpendLineIn(BaseModel):
    """One payment line pushed by a finance system (one JSON object per line of the body)."""

    model_config = ConfigDict(extra="forbid")
    transaction_ref: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        None, description="The ledger's transaction number: part of the natural key."
    )
    paid_date: date
    amount: MoneyIn = Field(description="Negative for a credit.")
    supplier_name: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="As the ledger names it; `REDACTED` for a withheld private individual."
    )
    supplier_ref: Annotated[str, Field(max_length=100)] | None = None
    supplier_identifier: Annotated[str, Field(max_length=120)] | None = Field(
        None,
        description="An org-id such as `GB-COH-03416658`; reconciliation uses it first.",
        examples=["GB-COH-03416658"],
    )
    body: Text200 | None = None
    service_area: Text200 | None = None
    category: Text200 | None = None
    expenditure_code: Annotated[str, Field(max_length=50)] | None = None
    capital_or_revenue: Literal["capital", "revenue"] | None = None

    @field_validator("paid_date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        # The same rule as a file's dates: a payment outside these years is a typo, not a record.
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(f"the year {value.year} is not plausible for a payment ({FIRST_YEAR}–{LAST_YEAR})")
        return value


class RowError(BaseModel):
    row: int
    field: str
    message: str


class PushResult(BaseModel):
    counts: dict[str, int] = Field(description="created, updated, unchanged, rejected")
    errors: list[RowError]


class SpendLineOut(BaseModel):
    id: str
    transaction_ref: str | None
    paid_date: date | None = Field(description="Null when the file lost the date; `period_date` then holds the "
                                   "start of the file's period.")  # fmt: skip
    period_date: date
    date_basis: Literal["paid_date", "file_period"]
    financial_year: str
    quarter: int
    amount: Money
    supplier_id: str
    supplier_name: str
    supplier_ref: str | None
    body: str | None
    service_area: str | None
    category: str | None
    expenditure_code: str | None
    capital_or_revenue: str | None
    source: Literal["file", "push"]
    created_at: datetime
    updated_at: datetime
    version: int


class CategoryTotal(BaseModel):
    category: str
    total: Money
    lines: int


class SpendSummary(BaseModel):
    period: dict[str, str | None] = Field(description="`financial_year`, or `from`/`to` dates, as asked.")
    total: Money = Field(description="The exact sum of the accepted lines in the period.")
    lines: int
    suppliers: int = Field(description="Distinct suppliers paid (all redacted names count as one).")
    by_category: list[CategoryTotal]
