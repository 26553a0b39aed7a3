"""Request and response bodies of the admin API (tenants and API keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from localwealth_shared.auth import validate_scopes
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

TenantKind = Literal["council", "anchor"]
TenantId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
LadCode = Annotated[str, StringConstraints(pattern=r"^[EWSN]\d{8}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Area(Input):
    lad_codes: list[LadCode] = Field(
        min_length=1,
        max_length=500,
        description="ONS local authority district (GSS) codes, e.g. E07000178, that count as this tenant's local area.",
    )

    @field_validator("lad_codes")
    @classmethod
    def _unique(cls, codes: list[str]) -> list[str]:
        return list(dict.fromkeys(codes))


class TenantCreate(Input):
    id: TenantId = Field(description="Stable id, e.g. the council's GSS code (E07000178) or a short slug.")
    name: Name
    kind: TenantKind
    area: Area


class TenantPatch(Input):
    name: Name | None = None
    kind: TenantKind | None = None
    area: Area | None = None


class TenantArea(BaseModel):
    lad_codes: list[str] = Field(
        description="ONS LAD (GSS) codes of the tenant's local area (empty for the platform tenant)."
    )


class Tenant(BaseModel):
    id: str
    name: str
    kind: TenantKind
    area: TenantArea
    created_at: datetime
    updated_at: datetime
    version: int


class TenantPage(BaseModel):
    data: list[Tenant]
    next_cursor: str | None = None


class ApiKeyCreate(Input):
    tenant_id: TenantId
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    scopes: list[str] = Field(
        min_length=1, max_length=20, description="Any of the platform scopes; `admin` implies all."
    )

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, scopes: list[str]) -> list[str]:
        return validate_scopes(scopes)


class ApiKey(BaseModel):
    id: str
    tenant_id: str
    name: str
    prefix: str = Field(
        description="The first characters of the key, to tell keys apart; the key itself is never shown again."
    )
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The secret, shown only in this response. Send it as `Authorization: Bearer <key>`.")


class ApiKeyPage(BaseModel):
    data: list[ApiKey]
    next_cursor: str | None = None


class IntrospectionRequest(Input):
    key: Annotated[str, StringConstraints(min_length=1, max_length=500)]
