"""The registry's tables. Organisations are public to every tenant; each change records which tenant made it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from localwealth_shared.db import make_metadata
from localwealth_shared.platform_tables import define_platform_tables
from localwealth_shared.sqltypes import JSONDoc, UTCDateTime
from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    metadata = make_metadata()


platform = define_platform_tables(Base.metadata)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    # Normalised name ("the x co-operative limited" → "x cooperative ltd") for matching and search.
    name_key: Mapped[str] = mapped_column(String(500), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    legal_form: Mapped[str | None] = mapped_column(String(60), index=True)
    canonical_identifier: Mapped[str | None] = mapped_column(String(120))
    ownership: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    sic_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    cpv_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    employees: Mapped[int | None] = mapped_column(Integer)
    turnover_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    turnover_currency: Mapped[str | None] = mapped_column(String(3))
    members: Mapped[int | None] = mapped_column(Integer)
    website: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    certifications: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    is_vcse: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_sme: Mapped[bool] = mapped_column(Boolean, default=True)
    is_social_economy: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    source_keys: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    # Hash of the public fields: an import that would change nothing is detected without a diff.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deregistered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    identifiers: Mapped[list[OrganisationIdentifier]] = relationship(
        back_populates="organisation",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="OrganisationIdentifier.scheme",
    )
    sites: Mapped[list[Site]] = relationship(
        back_populates="organisation", lazy="raise", cascade="all, delete-orphan", order_by="Site.position"
    )
    cpv_index: Mapped[list[OrganisationCpv]] = relationship(lazy="raise", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_organisations_updated_at_id", "updated_at", "id"),)


class OrganisationIdentifier(Base):
    """One row per identifier: the primary key enforces one organisation per identifier."""

    __tablename__ = "organisation_identifiers"

    scheme: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[Organisation] = relationship(back_populates="identifiers", lazy="raise")


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    # exact | sector | outcode (geocode precision), unknown (valid format, not in our data), none (no postcode)
    postcode_status: Mapped[str] = mapped_column(String(10))
    lat: Mapped[float | None] = mapped_column(Float, index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lad_code: Mapped[str | None] = mapped_column(String(9), index=True)
    is_registered_office: Mapped[bool] = mapped_column(Boolean, default=False)
    is_operating_site: Mapped[bool] = mapped_column(Boolean, default=True)
    organisation: Mapped[Organisation] = relationship(back_populates="sites", lazy="raise")


class OrganisationCpv(Base):
    """CPV codes as rows so `cpv=` can match hierarchically with an indexed prefix search."""

    __tablename__ = "organisation_cpv"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True)

    __table_args__ = (Index("ix_organisation_cpv_code", "code"),)


class Postcode(Base):
    """Exact postcode points, loaded optionally from the full ONS file (`localwealth registry postcodes import`)."""

    __tablename__ = "postcodes"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    lad_code: Mapped[str | None] = mapped_column(String(9))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
