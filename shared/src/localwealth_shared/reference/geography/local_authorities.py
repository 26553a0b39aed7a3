"""The 361 UK local authority districts (ONS LAD 2025) bundled with the registry."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from localwealth_shared.reference.geography.bundled_data import read_bundled_csv

_LOCAL_AUTHORITIES_FILE: Final = "local_authorities_uk_2025.csv"


@dataclass(frozen=True, slots=True)
class LocalAuthority:
    """A lower-tier local authority district, keyed by its GSS code (e.g. ``E07000178`` Oxford)."""

    code: str
    name: str
    kind: str  # e.g. "non-metropolitan district (England)", "council area (Scotland)"
    country: str
    upper_tier_code: str  # county or unitary authority (CTYUA25); equals ``code`` for single-tier councils
    upper_tier_name: str
    region: str  # ITL1 region name, e.g. "South East (England)", "Scotland"
    centroid_lat: float
    centroid_lon: float


@functools.cache
def _authorities_by_code() -> MappingProxyType[str, LocalAuthority]:
    authorities = {
        row["code"]: LocalAuthority(
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            country=row["country"],
            upper_tier_code=row["upper_tier_code"],
            upper_tier_name=row["upper_tier_name"],
            region=row["region"],
            centroid_lat=float(row["centroid_lat"]),
            centroid_lon=float(row["centroid_lon"]),
        )
        for row in read_bundled_csv(_LOCAL_AUTHORITIES_FILE)
    }
    # Read-only because the cached mapping is shared by every caller.
    return MappingProxyType(authorities)


def local_authorities() -> list[LocalAuthority]:
    """All local authority districts, ordered by GSS code (a fresh list the caller may reorder)."""
    return sorted(_authorities_by_code().values(), key=lambda authority: authority.code)


def local_authority(code: str) -> LocalAuthority | None:
    """The district with this GSS code (case and surrounding spaces ignored), or None if unknown."""
    return _authorities_by_code().get(code.strip().upper())


def is_lad_code(code: str) -> bool:
    """True for a current (2025) local authority district GSS code such as ``E07000178``."""
    return local_authority(code) is not None
