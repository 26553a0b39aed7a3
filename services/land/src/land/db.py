"""The land service's tables. Assets and ACV cases belong to one tenant (the council); organisations are a
read-only copy of the registry's public data, kept by the `registry.organisation` consumer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from localwealth_shared.db import make_metadata
from localwealth_shared.platform_tables import define_platform_tables
from localwealth_shared.sqltypes import JSONDoc, UTCDateTime
from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = make_metadata()


platform = define_platform_tables(Base.metadata)


class KnownOrganisation(Base):
    """The registry's public projection of an organisation, as last seen in its events."""

    __tablename__ = "known_organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    legal_form: Mapped[str | None] = mapped_column(String(60))
    members: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    registry_version: Mapped[int] = mapped_column(Integer)
    deregistered: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("owner", "uprn", name="uq_assets_owner_uprn"),
        UniqueConstraint("owner", "reference", name="uq_assets_owner_reference"),
        Index("ix_assets_owner_updated", "owner", "updated_at", "id"),
        # Every search belongs to one tenant, so bbox and radius searches range-scan latitude within the
        # tenant's entries and test longitude in the index: other tenants' assets are never read, and the
        # cost does not grow with the table (bench/land_search.py).
        Index("ix_assets_owner_lat_lon", "owner", "lat", "lon"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(100))  # the council's own asset reference
    uprn: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(8))
    postcode_status: Mapped[str] = mapped_column(String(10), default="none")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    tenure: Mapped[str | None] = mapped_column(String(20))
    asset_type: Mapped[str | None] = mapped_column(String(40))
    current_use: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30), index=True)
    valuation_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    valuation_currency: Mapped[str | None] = mapped_column(String(3))
    community_owned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AcvCase(Base):
    """One nomination; when listed, the same record is the listing (one id, as in the events)."""

    __tablename__ = "acv_cases"
    __table_args__ = (Index("ix_acv_cases_council_updated", "council", "updated_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    council: Mapped[str] = mapped_column(String(100))
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"))
    regime: Mapped[str] = mapped_column(String(20))
    nominating_organisation_id: Mapped[str] = mapped_column(String(36))
    nominator_category: Mapped[str] = mapped_column(String(80))
    non_distributing: Mapped[bool | None] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(Text)
    received_date: Mapped[date] = mapped_column(Date)
    decision_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # nominated | listed | not_listed | expired | removed
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_date: Mapped[date | None] = mapped_column(Date)
    listed_on: Mapped[date | None] = mapped_column(Date)
    listing_ends: Mapped[date | None] = mapped_column(Date, index=True)
    review_request_deadline: Mapped[date | None] = mapped_column(Date)
    review_requested_on: Mapped[date | None] = mapped_column(Date)
    review_outcome: Mapped[str | None] = mapped_column(String(20))  # upheld | removed
    review_decided_on: Mapped[date | None] = mapped_column(Date)
    appeal_deadline: Mapped[date | None] = mapped_column(Date)
    appeal_lodged_on: Mapped[date | None] = mapped_column(Date)
    expiry_announced: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DisposalNotice(Base):
    __tablename__ = "acv_disposal_notices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("acv_cases.id"), index=True)
    received_date: Mapped[date] = mapped_column(Date)
    starts_moratorium: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    interim_ends: Mapped[date | None] = mapped_column(Date)
    full_ends: Mapped[date | None] = mapped_column(Date)
    protected_ends: Mapped[date | None] = mapped_column(Date)
    # The scheduler's mark: which moratorium's end was announced ("interim" or "full"), so a run that repeats
    # writes nothing twice, and a bid request recorded late (but received in time) still gets its full end.
    announced_moratorium: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BidRequest(Base):
    __tablename__ = "acv_bid_requests"
    __table_args__ = (UniqueConstraint("notice_id", "organisation_id", name="uq_bid_requests_notice_org"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("acv_disposal_notices.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(String(36))
    received_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CatPolicyRecord(Base):
    """A council's own CAT stages and scoring criteria (absent: the documented default policy)."""

    __tablename__ = "cat_policies"

    council: Mapped[str] = mapped_column(String(100), primary_key=True)
    policy: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CatApplication(Base):
    __tablename__ = "cat_applications"
    __table_args__ = (Index("ix_cat_applications_council_updated", "council", "updated_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    council: Mapped[str] = mapped_column(String(100))
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"))
    organisation_id: Mapped[str] = mapped_column(String(36))
    proposed_use: Mapped[str] = mapped_column(Text)
    policy: Mapped[dict[str, Any]] = mapped_column(JSONDoc)  # the policy in force when it applied
    stage: Mapped[str] = mapped_column(String(60))
    stage_entered_on: Mapped[date] = mapped_column(Date)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    applied_on: Mapped[date] = mapped_column(Date)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    score: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(20))
    transfer_type: Mapped[str | None] = mapped_column(String(30))
    market_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    consideration: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    undervalue: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    requires_secretary_of_state_consent: Mapped[bool | None] = mapped_column(Boolean)
    decided_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ScottishTransferRequest(Base):
    """An asset transfer request under the Community Empowerment (Scotland) Act 2015 Part 5."""

    __tablename__ = "scottish_transfer_requests"
    __table_args__ = (Index("ix_scottish_requests_council_updated", "council", "updated_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    council: Mapped[str] = mapped_column(String(100))
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"))
    organisation_id: Mapped[str] = mapped_column(String(36))
    request_type: Mapped[str] = mapped_column(String(20))  # ownership | lease | other_rights
    proposed_use: Mapped[str] = mapped_column(Text)
    received_date: Mapped[date] = mapped_column(Date)
    validation_date: Mapped[date | None] = mapped_column(Date)
    decision_due: Mapped[date | None] = mapped_column(Date)
    extensions: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    decision: Mapped[str | None] = mapped_column(String(20))  # agreed | refused
    decision_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
