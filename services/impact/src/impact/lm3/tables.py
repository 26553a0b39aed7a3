"""Stored LM3 analyses: what was asked and what came out, so a council can show its working later."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from localwealth_shared.sqltypes import JSONDoc, UTCDateTime
from sqlalchemy import Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from impact.db import Base


class LM3Analysis(Base):
    """One LM3 calculation. Immutable: a changed input is a new analysis, so a published figure never moves."""

    __tablename__ = "lm3_analyses"
    __table_args__ = (Index("ix_lm3_analyses_tenant_created", "tenant_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10))  # suppliers (given) | spend (the council's own ledger)
    # The financial year or quarter of spend traced, for analyses built from spend ("2017-18", "2017-18-Q3").
    period: Mapped[str | None] = mapped_column(String(10))
    # Kept as a column as well as in `result` so indicators can pick a council's LM3 without reading documents.
    lm3: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    request: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    result: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
