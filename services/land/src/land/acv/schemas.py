"""ACV request and response bodies (SPEC §6.2 paths and field names)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Decision(StrEnum):
    LISTED = "listed"
    NOT_LISTED = "not_listed"


class ReviewOutcome(StrEnum):
    UPHELD = "upheld"
    REMOVED = "removed"


class NominationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asset_id: str | None = Field(None, max_length=36, description="An asset in the council's register ...")
    address: str | None = Field(None, min_length=1, max_length=2000, description="... or its address and postcode")
    postcode: str | None = Field(None, max_length=10)
    name: str | None = Field(None, min_length=1, max_length=500, description="Name for a new asset record")
    nominating_organisation_id: str = Field(max_length=36, description="Registry id of the nominating body")
    received_date: date
    reasons: str = Field(min_length=1, max_length=20_000, description="Why the asset furthers community wellbeing")
    non_distributing: bool | None = Field(
        None,
        description="The nominator states it does not distribute surplus to its members (needed for guarantee "
        "companies, registered societies and unincorporated bodies; the council checks the governing document).",
    )

    @model_validator(mode="after")
    def _asset_or_address(self) -> NominationCreate:
        if self.asset_id is None and (self.address is None or self.postcode is None):
            raise ValueError("give asset_id, or address and postcode")
        if self.asset_id is not None and (self.address is not None or self.postcode is not None):
            raise ValueError("give asset_id or address and postcode, not both")
        return self


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision
    decision_date: date


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requested_on: date


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: ReviewOutcome
    decided_on: date


class AppealLodged(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lodged_on: date


class DisposalNoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    received_date: date


class BidRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: str = Field(max_length=36)
    received_date: date
    non_distributing: bool | None = None


class DisposalNoticeView(BaseModel):
    id: str
    received_date: date
    starts_moratorium: bool
    reason: str
    interim_moratorium_ends: date | None
    full_moratorium_ends: date | None
    protected_period_ends: date | None


class BidRequestView(BaseModel):
    id: str
    notice_id: str
    organisation_id: str
    received_date: date
    category: str


class AcvCase(BaseModel):
    """A nomination; once listed, the same id is the listing."""

    id: str
    council: str
    asset_id: str
    regime: str
    status: str
    nominating_organisation_id: str
    nominator_category: str
    received_date: date
    decision_due: date
    decision: Decision | None
    decision_date: date | None
    listed_on: date | None
    listing_ends: date | None
    review_request_deadline: date | None
    review_requested_on: date | None
    review_outcome: ReviewOutcome | None
    review_decided_on: date | None
    appeal_deadline: date | None
    appeal_lodged_on: date | None
    disposal_notice_received: date | None
    interim_moratorium_ends: date | None
    full_moratorium_ends: date | None
    protected_period_ends: date | None
    disposal_notices: list[DisposalNoticeView]
    bid_requests: list[BidRequestView]
    version: int


class AcvCasePage(BaseModel):
    data: list[AcvCase]
    next_cursor: str | None = None
