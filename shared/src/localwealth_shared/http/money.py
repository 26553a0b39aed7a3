"""Money on the wire (SPEC §3.7): `{"amount": "1234.56", "currency": "GBP"}` — a decimal string, never a float."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PENNY = Decimal("0.01")


class MoneyIn(BaseModel):
    """An amount received: pounds and pence, GBP."""

    model_config = ConfigDict(extra="forbid")
    amount: Annotated[Decimal, Field(max_digits=16, decimal_places=2, examples=["1234.56"])]
    currency: Literal["GBP"] = "GBP"


class Money(BaseModel):
    amount: str = Field(examples=["1234.56"])
    currency: str = "GBP"


def money(amount: Decimal | None) -> dict[str, str] | None:
    """A stored amount as the API shows it, to the penny."""
    if amount is None:
        return None
    return {"amount": str(Decimal(amount).quantize(PENNY)), "currency": "GBP"}
