"""What the matching engine reads: suppliers and tenders reduced to the facts that score them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Site:
    lat: float | None
    lon: float | None
    lad_code: str | None
    is_operating: bool


@dataclass(slots=True)
class SupplierFacts:
    id: str
    name: str
    cpv_codes: tuple[str, ...]
    sites: tuple[Site, ...]
    turnover: Decimal | None
    employees: int | None
    is_vcse: bool
    is_sme: bool
    is_social_economy: bool
    legal_form: str | None
    ownership: tuple[str, ...]
    certifications: tuple[str, ...]  # schemes currently held
    impact_score: float | None = None

    @property
    def operating_sites(self) -> tuple[Site, ...]:
        return tuple(s for s in self.sites if s.is_operating)


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A tender, or one lot of it, as a thing to be matched."""

    tender_id: str
    lot_id: str | None
    title: str
    cpv_codes: tuple[str, ...]
    value: Decimal | None  # net
    lat: float | None
    lon: float | None
    delivery_lad_codes: tuple[str, ...]
    reservation: dict[str, object] | None
    lots: tuple[tuple[str, str | None, Decimal | None], ...] = field(default=())  # (id, title, value) of the tender
