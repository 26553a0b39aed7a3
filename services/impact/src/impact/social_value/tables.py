"""Social value records: each council's own measure sets, and per contract award the commitments a supplier
made and the actuals it delivered. Values are not stored: they depend on the reporting year asked for."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from localwealth_shared.sqltypes import JSONDoc, UTCDateTime
from sqlalchemy import ForeignKeyConstraint, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from impact.db import Base

# Quantities fit a float's 15 significant digits so they come back exact from SQLite too; shares 0-1 to 4 dp.
Quantity = Numeric(15, 6)
Share = Numeric(5, 4)


class MeasureSetRecord(Base):
    """A tenant's uploaded measure set (e.g. its licensed National TOMs): visible to that tenant only."""

    __tablename__ = "social_value_measure_sets"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_social_value_measure_sets_tenant_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(1000))
    document: Mapped[dict[str, Any]] = mapped_column(JSONDoc)  # a valid MeasureSetDocument, as JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class SocialValueAward(Base):
    """A contract award as far as social value goes: the measure set its lines are valued with and the
    supplier's registry organisation. Keyed by tenant too, since the impact service does not own awards."""

    __tablename__ = "social_value_awards"
    __table_args__ = (Index("ix_social_value_awards_organisation", "organisation_id"),)

    tenant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    award_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The tenant's own set or the open default: one set per award, so the double-counting guard sees every line.
    measure_set_code: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class _Line:
    """Columns shared by commitments and actuals: the measure, how much, and the SROI adjustments."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    award_id: Mapped[str] = mapped_column(String(100))
    measure_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    deadweight: Mapped[Decimal] = mapped_column(Share)
    displacement: Mapped[Decimal] = mapped_column(Share)
    attribution: Mapped[Decimal] = mapped_column(Share)
    drop_off: Mapped[Decimal] = mapped_column(Share)
    reference: Mapped[str | None] = mapped_column(String(100))  # the caller's id for the line
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SocialValueCommitment(_Line, Base):
    __tablename__ = "social_value_commitments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "award_id"],
            ["social_value_awards.tenant_id", "social_value_awards.award_id"],
            name="fk_social_value_commitments_award",
        ),
        Index("ix_social_value_commitments_award", "tenant_id", "award_id", "created_at"),
    )

    years: Mapped[int | None] = mapped_column(Integer)  # how long the outcome lasts; null is one year


class SocialValueActual(_Line, Base):
    __tablename__ = "social_value_actuals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "award_id"],
            ["social_value_awards.tenant_id", "social_value_awards.award_id"],
            name="fk_social_value_actuals_award",
        ),
        Index("ix_social_value_actuals_award", "tenant_id", "award_id", "created_at"),
    )

    period: Mapped[str] = mapped_column(String(10))  # a financial year "2024-25" or a quarter "2024-25-Q1"
