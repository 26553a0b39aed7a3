"""The procurement service's tables. Planned tenders are private to the buyer tenant that created them."""

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


class Tender(Base):
    __tablename__ = "tenders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ocid: Mapped[str] = mapped_column(String(200), unique=True)
    buyer_tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    buyer_name: Mapped[str | None] = mapped_column(String(500))
    buyer_kind: Mapped[str] = mapped_column(String(20))
    # The buyer's own area when the tender was written: the default area of a local_area reservation.
    buyer_area_lad_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    notice_type: Mapped[str | None] = mapped_column(String(5))
    contract_type: Mapped[str | None] = mapped_column(String(20))
    value_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    value_currency: Mapped[str | None] = mapped_column(String(3))
    amount_gross: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    above_threshold: Mapped[bool | None] = mapped_column(Boolean)
    # The threshold row applied (amount, class, effective_from) so the decision can be explained later.
    threshold: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    publication_date: Mapped[date | None] = mapped_column(Date)
    cpv_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    delivery_lad_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    delivery_postcode: Mapped[str | None] = mapped_column(String(10))
    delivery_lat: Mapped[float | None] = mapped_column(Float)
    delivery_lon: Mapped[float | None] = mapped_column(Float)
    tender_period_start: Mapped[date | None] = mapped_column(Date)
    tender_period_end: Mapped[date | None] = mapped_column(Date)
    lots: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    suitability: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    reservation: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    award_criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    # "api" for tenders written here, "ocds" for tenders compiled from imported releases.
    source: Mapped[str] = mapped_column(String(10), default="api", server_default="api")
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_tenders_updated_at_id", "updated_at", "id"),)


class Supplier(Base):
    """The matching engine's read model of a registry organisation, from `registry.organisation` events.

    Only what matching and award linking need; `registry_version` drops stale or repeated events.
    """

    __tablename__ = "suppliers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    # Comparable form of the name (suppliers/names.py) so an award naming a supplier can find it.
    name_key: Mapped[str | None] = mapped_column(String(500), index=True)
    canonical_identifier: Mapped[str | None] = mapped_column(String(120), index=True)
    identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSONDoc, default=list)
    legal_form: Mapped[str | None] = mapped_column(String(60))
    ownership: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    cpv_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    employees: Mapped[int | None] = mapped_column(Integer)
    turnover_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    is_vcse: Mapped[bool] = mapped_column(Boolean, default=False)
    is_sme: Mapped[bool] = mapped_column(Boolean, default=True)
    is_social_economy: Mapped[bool] = mapped_column(Boolean, default=False)
    certifications: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    # [{lat, lon, lad_code, postcode, is_registered_office, is_operating_site}]
    sites: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    deregistered: Mapped[bool] = mapped_column(Boolean, default=False)
    registry_version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_suppliers_updated_at_id", "updated_at", "id"),)


class SupplierScore(Base):
    """Impact score per organisation from `impact.organisation-score` events; kept apart from `suppliers` so
    the two topics may arrive in any order."""

    __tablename__ = "supplier_scores"

    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MatchingWeights(Base):
    """A tenant's own weights for the match score components (absent = the documented defaults)."""

    __tablename__ = "matching_weights"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    weights: Mapped[dict[str, str]] = mapped_column(JSONDoc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class SupplierIdentifier(Base):
    """Each org-id of a supplier as a row, so awards can link a supplier by any of its identifiers."""

    __tablename__ = "supplier_identifiers"

    scheme: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)


class Award(Base):
    __tablename__ = "awards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[str | None] = mapped_column(String(60))
    # The registry organisation when the supplier could be linked, and what the buyer gave either way.
    organisation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    supplier_scheme: Mapped[str | None] = mapped_column(String(30))
    supplier_identifier: Mapped[str | None] = mapped_column(String(100))
    supplier_name: Mapped[str | None] = mapped_column(String(500))
    linked_by: Mapped[str | None] = mapped_column(String(20))  # organisation_id | identifier | name | None
    # For awards from OCDS releases: "<award id>/<supplier id>", so a re-import does not repeat them.
    ocds_award_id: Mapped[str | None] = mapped_column(String(200))
    value_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    value_currency: Mapped[str | None] = mapped_column(String(3))
    date: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("tender_id", "ocds_award_id"),)


class OcdsRelease(Base):
    """Every imported OCDS release as published, so a tender can be recompiled from all releases of its ocid."""

    __tablename__ = "ocds_releases"

    ocid: Mapped[str] = mapped_column(String(200), primary_key=True)
    release_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    date: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    release: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertSubscription(Base):
    """A supplier's wish to hear about matching published tenders, delivered to its webhook."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100), index=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    cpv_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    lad_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    webhook_url: Mapped[str] = mapped_column(String(2000))
    # Standard Webhooks signing secret ("whsec_" + base64), shown once when the subscription is created.
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One webhook call and its attempts: the delivery log, and the queue the worker's sender works from."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the webhook-id header (msg_…)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
