"""CAT request and response bodies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from land.assets.schemas import Money


class TransferType(StrEnum):
    FREEHOLD = "freehold"
    LONG_LEASE = "long_lease"
    LEASE = "lease"
    LICENCE = "licence"
    MANAGEMENT_AGREEMENT = "management_agreement"


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class StageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    target_days: int | None = Field(None, ge=1, le=3650)


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    weight_pct: int = Field(ge=1, le=100)


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stages: list[StageIn] = Field(min_length=2, max_length=20)
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=20)


class Policy(BaseModel):
    stages: list[StageIn]
    criteria: list[CriterionIn]
    is_default: bool


class ApplicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset_id: str = Field(max_length=36)
    organisation_id: str = Field(max_length=36, description="Registry id of the applicant")
    proposed_use: str = Field(min_length=1, max_length=20_000)
    applied_on: date | None = Field(None, description="Default: today")


class TransitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(max_length=60)
    on: date | None = Field(None, description="Default: today")


class ScoresCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scores: dict[str, int] = Field(description="0–5 for each of the policy's criteria")


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    transfer_type: TransferType | None = None
    market_value: Money | None = None
    consideration: Money | None = None
    decided_on: date | None = None


class Application(BaseModel):
    id: str
    council: str
    asset_id: str
    organisation_id: str
    proposed_use: str
    stage: str
    stage_entered_on: date
    stage_target_days: int | None
    days_in_stage: int
    overdue: bool
    history: list[dict[str, str | None]]
    applied_on: date
    scores: dict[str, int] | None
    score: float | None
    outcome: Outcome | None
    transfer_type: TransferType | None
    market_value: Money | None
    consideration: Money | None
    undervalue: Money | None
    requires_secretary_of_state_consent: bool | None
    decided_on: date | None
    completed_on: date | None
    version: int


class ApplicationPage(BaseModel):
    data: list[Application]
    next_cursor: str | None = None


def money(amount: Decimal | None) -> dict[str, str] | None:
    return {"amount": f"{amount:.2f}", "currency": "GBP"} if amount is not None else None
