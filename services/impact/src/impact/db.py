"""The impact service's tables. Spend, suppliers and analyses belong to one tenant (the council); known
organisations are a read-only copy of the registry's public data, kept by the `registry.organisation`
consumer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from localwealth_shared.db import make_metadata
from localwealth_shared.platform_tables import define_platform_tables
from localwealth_shared.sqltypes import JSONDoc, UTCDateTime
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = make_metadata()


platform = define_platform_tables(Base.metadata)


class KnownOrganisation(Base):
    """The registry's public projection of an organisation, as last seen in its events."""

    __tablename__ = "known_organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    name_key: Mapped[str] = mapped_column(String(500), index=True)
    legal_form: Mapped[str | None] = mapped_column(String(60))
    ownership: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    # Local authority districts of its operating sites (CLES: "based or with a branch" in the area).
    operating_lad_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    is_vcse: Mapped[bool] = mapped_column(Boolean, default=False)
    is_social_economy: Mapped[bool] = mapped_column(Boolean, default=False)
    real_living_wage: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    registry_version: Mapped[int] = mapped_column(Integer)
    deregistered: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrganisationIdentifier(Base):
    """`GB-COH-03416658` → organisation: the first and surest way a supplier is reconciled."""

    __tablename__ = "organisation_identifiers"

    identifier: Mapped[str] = mapped_column(String(120), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("known_organisations.id"), index=True)


class SpendSupplier(Base):
    """One distinct supplier as a council's files name it, and what it was reconciled to."""

    __tablename__ = "spend_suppliers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name_key", name="uq_spend_suppliers_tenant_name_key"),
        Index("ix_spend_suppliers_tenant_status", "tenant_id", "status", "id"),
        Index("ix_spend_suppliers_tenant_updated", "tenant_id", "updated_at", "id"),
        Index("ix_spend_suppliers_organisation", "organisation_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    name_key: Mapped[str] = mapped_column(String(500))
    # An org-id identifier the council's file carried (company or charity number), if any.
    identifier: Mapped[str | None] = mapped_column(String(120))
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))  # unmatched | suggested | matched | redacted
    organisation_id: Mapped[str | None] = mapped_column(String(36))
    confidence: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str | None] = mapped_column(String(20))  # identifier | name | fuzzy | manual
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


PERIOD_SUPPLIER_COLUMNS = ("tenant_id", "period_date", "supplier_id", "amount_pence", "financial_year")


class SpendLine(Base):
    """One payment line. `line_key` is the natural key (transaction, date, amount, supplier) hashed, so a
    re-upload or an overlapping file finds the line it already has."""

    __tablename__ = "spend_lines"
    __table_args__ = (
        UniqueConstraint("tenant_id", "line_key", name="uq_spend_lines_tenant_line_key"),
        # Covers the indicators' per-supplier sums over any period (years and quarters are day ranges too),
        # so they read this index and not the table.
        Index("ix_spend_lines_tenant_period_supplier", *PERIOD_SUPPLIER_COLUMNS),
        Index("ix_spend_lines_supplier", "supplier_id"),
        Index("ix_spend_lines_tenant_updated", "tenant_id", "updated_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    line_key: Mapped[str] = mapped_column(String(64))
    # A spend_suppliers id, without a foreign key: PostgreSQL checks one per inserted row (a trigger, about
    # 13 µs of a bulk insert's ~30 here). The writer creates a line's supplier in the line's transaction and
    # suppliers are never deleted; tests check that every line's supplier exists.
    supplier_id: Mapped[str] = mapped_column(String(36))
    transaction_ref: Mapped[str | None] = mapped_column(String(100))
    paid_date: Mapped[date | None] = mapped_column(Date)
    # The date the line counts on: the paid date, or the start of the file's period when a file lost it.
    period_date: Mapped[date] = mapped_column(Date)
    date_basis: Mapped[str] = mapped_column(String(12))  # paid_date | file_period
    financial_year: Mapped[str] = mapped_column(String(7))  # 2017-18 (April to March)
    quarter: Mapped[int] = mapped_column(SmallInteger)  # 1 = April–June
    # Integer pence: sums are exact on every database (SQLite has no decimal type).
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    supplier_name: Mapped[str] = mapped_column(String(500))
    supplier_ref: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(String(200))
    service_area: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    expenditure_code: Mapped[str | None] = mapped_column(String(50))
    capital_or_revenue: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))  # file | push
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ActivityFact(Base):
    """What other services announced that the CWB indicators count: a tender published (reserved? lotted?),
    an award made, an asset transferred, an ACV listed. One row per (kind, subject), kept at the newest
    version of its subject, so redelivered or replayed events change nothing."""

    __tablename__ = "activity_facts"
    __table_args__ = (Index("ix_activity_facts_tenant_kind_date", "tenant_id", "kind", "occurred_on"),)

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)  # tender | award | transfer | acv_listing
    subject_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    occurred_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    organisation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    source_version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IndicatorInput(Base):
    """A figure only the council can supply (e.g. local investment by its pension fund), per financial year."""

    __tablename__ = "indicator_inputs"

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(60), primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class OrganisationScore(Base):
    """The latest published impact score of an organisation (public: it rides on events to procurement)."""

    __tablename__ = "organisation_scores"

    organisation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    components: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    explanation: Mapped[list[str]] = mapped_column(JSONDoc)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
