"""Award request and response shapes (SPEC §5.1 Awards)."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from procurement.tenders.schemas import Input, Money, MoneyOut


class IdentifierIn(Input):
    scheme: Annotated[str, Field(min_length=2, max_length=30, examples=["GB-COH"])]
    id: Annotated[str, Field(min_length=1, max_length=100)]


class SupplierRef(Input):
    organisation_id: Annotated[str, Field(max_length=36)] | None = None
    identifier: IdentifierIn | None = None
    name: Annotated[str, Field(min_length=1, max_length=500)] | None = None

    @model_validator(mode="after")
    def _something_given(self) -> SupplierRef:
        if self.organisation_id is None and self.identifier is None and self.name is None:
            raise ValueError("give organisation_id, identifier or name")
        return self


class AwardCreate(Input):
    supplier: SupplierRef
    value: Money | None = None
    date: Date | None = None
    lot_id: Annotated[str, Field(max_length=60)] | None = None


class SupplierOut(BaseModel):
    organisation_id: str | None
    identifier: dict[str, str] | None
    name: str | None
    linked_by: str | None = Field(description="How the registry organisation was found, or null when it was not")


class Award(BaseModel):
    id: str
    tender_id: str
    ocid: str
    lot_id: str | None
    supplier: SupplierOut
    value: MoneyOut | None
    date: Date | None
    created_at: datetime


class AwardList(BaseModel):
    data: list[Award]
