"""The gateway's tables: tenants and their API keys (hashed), plus the platform tables (idempotency keys)."""

from __future__ import annotations

from datetime import datetime

from localwealth_shared.db import make_metadata
from localwealth_shared.platform_tables import define_platform_tables
from localwealth_shared.sqltypes import JSONDoc, UTCDateTime
from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = make_metadata()


platform = define_platform_tables(Base.metadata)


class Tenant(Base):
    """A council or other anchor institution; `lad_codes` is its "local" area (ONS LAD GSS codes)."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    lad_codes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ApiKey(Base):
    """An API key: only the SHA-256 of the secret is kept, with a short prefix so people can tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_api_keys_tenant_id_created_at", "tenant_id", "created_at", "id"),)
