"""Request and response shapes for organisations (field names follow Open Referral HSDS where they exist)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from registry.rules.certifications import CertificationScheme
from registry.rules.legal_forms import LegalForm, Ownership

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)

Text500 = Annotated[str, Field(min_length=1, max_length=500)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdentifierIn(Input):
    scheme: Annotated[str, Field(min_length=2, max_length=30, examples=["GB-COH"])]
    id: Annotated[str, Field(min_length=1, max_length=100, examples=["03416658"])]


class SiteIn(Input):
    name: Annotated[str | None, Field(max_length=500)] = None
    address: Annotated[str | None, Field(max_length=2000)] = None
    postcode: Annotated[str | None, Field(max_length=12, examples=["OX1 1BX"])] = None
    lat: Annotated[float | None, Field(ge=49.0, le=61.5)] = None
    lon: Annotated[float | None, Field(ge=-9.0, le=2.5)] = None
    is_registered_office: bool = False
    is_operating_site: bool = True


class MoneyIn(Input):
    amount: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2, examples=["125000.00"])]
    currency: Literal["GBP"] = "GBP"


class CertificationIn(Input):
    scheme: CertificationScheme
    status: Literal["active", "pending", "suspended", "revoked", "expired"] = "active"
    awarded_on: date | None = None
    expires_on: date | None = None
    evidence_url: Annotated[str | None, Field(max_length=500)] = None

    @field_validator("evidence_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not _URL.match(v):
            raise ValueError("must be an http(s) URL")
        return v


class OrganisationFields(Input):
    description: Annotated[str | None, Field(max_length=10_000)] = None
    legal_form: LegalForm | None = None
    identifiers: Annotated[list[IdentifierIn], Field(max_length=20)] = []
    ownership: Annotated[list[Ownership], Field(max_length=7)] = []
    sites: Annotated[list[SiteIn], Field(max_length=100)] = []
    sic_codes: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=20)] = []
    cpv_codes: Annotated[list[Annotated[str, Field(max_length=12)]], Field(max_length=300)] = []
    employees: Annotated[int | None, Field(ge=0, le=5_000_000)] = None
    turnover: MoneyIn | None = None
    members: Annotated[int | None, Field(ge=0, le=100_000_000)] = None
    website: Annotated[str | None, Field(max_length=500)] = None
    email: Annotated[str | None, Field(max_length=320)] = None
    certifications: Annotated[list[CertificationIn], Field(max_length=20)] = []

    @field_validator("website")
    @classmethod
    def _website(cls, v: str | None) -> str | None:
        if v is not None and not _URL.match(v):
            raise ValueError("must be an http(s) URL")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL.match(v):
            raise ValueError("must be an email address")
        return v


class OrganisationCreate(OrganisationFields):
    name: Text500


class OrganisationPatch(OrganisationFields):
    """Partial update: only the fields sent are changed; lists sent replace the stored list."""

    name: Text500 | None = None


class Identifier(BaseModel):
    scheme: str
    id: str


class Site(BaseModel):
    id: str
    name: str | None
    address: str | None
    postcode: str | None
    postcode_status: Literal["exact", "sector", "outcode", "unknown", "none"] = Field(
        description="How the site was geocoded: exact postcode, postcode sector or outcode centroid; "
        "`unknown` = a valid postcode not in the bundled ONS data (kept, not geocoded); `none` = no postcode."
    )
    lat: float | None
    lon: float | None
    lad_code: str | None
    is_registered_office: bool
    is_operating_site: bool


class Money(BaseModel):
    amount: str
    currency: str


class Certification(BaseModel):
    scheme: str
    status: str = Field(description="`expired` once `expires_on` has passed, whatever was stored.")
    awarded_on: date | None
    expires_on: date | None
    evidence_url: str | None


class Flags(BaseModel):
    is_vcse: bool = Field(
        description="Charities, CIOs, CICs, community benefit societies, guarantee companies, "
        "unincorporated associations, or a current Social Enterprise Mark."
    )
    is_sme: bool = Field(description="Fewer than 250 employees and turnover ≤ £44m, where known.")
    is_social_economy: bool = Field(description="VCSE, or any co-operative/mutual legal form or ownership overlay.")


class Warning_(BaseModel):
    field: str
    code: str
    message: str


class Organisation(BaseModel):
    id: str
    name: str
    description: str | None
    legal_form: str | None
    identifiers: list[Identifier]
    canonical_identifier: str | None
    ownership: list[str]
    sites: list[Site]
    sic_codes: list[str]
    cpv_codes: list[str]
    employees: int | None
    turnover: Money | None
    members: int | None
    website: str | None
    email: str | None
    certifications: list[Certification]
    flags: Flags
    warnings: list[Warning_] = Field(description="Data kept but flagged: unknown postcodes, legacy SIC codes.")
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class OrganisationPage(BaseModel):
    data: list[Organisation]
    next_cursor: str | None
