"""Certifications an organisation holds (SPEC §4.1) and whether one is current on a given day."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final


class CertificationScheme(StrEnum):
    SOCIAL_ENTERPRISE_MARK = "social_enterprise_mark"
    REAL_LIVING_WAGE = "real_living_wage"
    B_CORP = "b_corp"
    FAIR_TAX_MARK = "fair_tax_mark"
    OTHER = "other"


class CertificationStatus(StrEnum):
    """Suggested stored statuses; ``expired`` is also derived from ``expires_on`` by ``effective_status``."""

    ACTIVE = "active"
    PENDING = "pending"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


DEFAULT_STATUS: Final = CertificationStatus.ACTIVE.value


def effective_status(status: str | None, expires_on: date | None, today: date) -> str:
    """The status to show today: ``expired`` once ``today`` is past ``expires_on``, else the stored status.

    A certification is still current on its expiry date itself. A missing or blank stored status reads as
    ``active`` (a certification is recorded because it was awarded).
    """
    if expires_on is not None and today > expires_on:
        return CertificationStatus.EXPIRED.value
    stored = (status or "").strip()
    return stored or DEFAULT_STATUS


def is_current(status: str | None, expires_on: date | None, today: date) -> bool:
    """Whether a certification counts today: its effective status is ``active`` (case-insensitive)."""
    return effective_status(status, expires_on, today).casefold() == CertificationStatus.ACTIVE.value
