"""Offline geocoding of UK postcodes to a point and a local authority district.

Precision falls back from an exact postcode (only when an exact table is supplied, e.g. the imported
ONS postcode file) to the bundled postcode-sector centroid, then to the outcode centroid. A postcode
that matches none of them yields ``None``: the caller keeps the postcode and flags it as unlocated.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, TypeAlias

from localwealth_shared.reference.geography.bundled_data import read_bundled_csv
from localwealth_shared.reference.geography.distance import bounding_box, haversine_km
from localwealth_shared.reference.geography.local_authorities import (
    LocalAuthority,
    is_lad_code,
    local_authorities,
    local_authority,
)
from localwealth_shared.reference.geography.postcodes import normalise_postcode

__all__ = [
    "ExactLookup",
    "Gazetteer",
    "GeoPoint",
    "LocalAuthority",
    "Precision",
    "bounding_box",
    "default_gazetteer",
    "haversine_km",
    "is_lad_code",
    "local_authorities",
    "local_authority",
]

Precision: TypeAlias = Literal["postcode", "sector", "outcode"]

_SECTOR_CENTROIDS_FILE: Final = "postcode_sector_centroids.csv"
_OUTCODE_CENTROIDS_FILE: Final = "postcode_outcode_centroids.csv"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 location for a postcode; ``precision`` says how close to the real address it is."""

    lat: float
    lon: float
    lad_code: str | None
    precision: Precision


# A mapping keyed by normalised postcode ("OX1 1BX"), or a function answering for one postcode.
ExactLookup: TypeAlias = Mapping[str, GeoPoint] | Callable[[str], GeoPoint | None]


def _load_centroids(file_name: str, key_column: str, precision: Precision) -> MappingProxyType[str, GeoPoint]:
    points = {
        row[key_column]: GeoPoint(
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            lad_code=row["main_lad_code"] or None,
            precision=precision,
        )
        for row in read_bundled_csv(file_name)
    }
    return MappingProxyType(points)


# Module-level caches: every Gazetteer (including test ones with their own exact tables) shares one copy.
@functools.cache
def _sector_centroids() -> MappingProxyType[str, GeoPoint]:
    return _load_centroids(_SECTOR_CENTROIDS_FILE, "sector", "sector")


@functools.cache
def _outcode_centroids() -> MappingProxyType[str, GeoPoint]:
    return _load_centroids(_OUTCODE_CENTROIDS_FILE, "outcode", "outcode")


class Gazetteer:
    """Postcode -> :class:`GeoPoint` look-ups; the bundled centroids load on first use, once per process.

    ``exact`` answers for individual postcodes at full precision. Pass a mapping for small or test data;
    pass a function for a larger store. The function is called synchronously, so in async code do the
    exact database look-up yourself and call :meth:`lookup_centroid` only when it misses.
    """

    def __init__(self, exact: ExactLookup | None = None) -> None:
        self._exact = exact

    def lookup(self, postcode: str) -> GeoPoint | None:
        """Best available point for a postcode, or None when it is not known at any precision.

        Raises :class:`~localwealth_shared.reference.geography.postcodes.PostcodeError` if ``postcode`` is malformed.
        """
        normalised = normalise_postcode(postcode, allow_bfpo=True)
        if normalised.startswith("BFPO"):
            return None  # forces addresses have no fixed location
        if self._exact is not None:
            exact_point = self._exact.get(normalised) if isinstance(self._exact, Mapping) else self._exact(normalised)
            if exact_point is not None:
                return exact_point
        return self.lookup_centroid(normalised)

    def lookup_centroid(self, postcode: str) -> GeoPoint | None:
        """Sector centroid, else outcode centroid, else None; ignores any exact table."""
        outcode, inward = normalise_postcode(postcode).split(" ")
        sector_point = _sector_centroids().get(f"{outcode} {inward[0]}")
        if sector_point is not None:
            return sector_point
        return _outcode_centroids().get(outcode)

    def sector_point(self, sector: str) -> GeoPoint | None:
        """Centroid of a postcode sector written as ``"OX1 1"`` (normalised spacing expected)."""
        return _sector_centroids().get(sector)

    def outcode_point(self, outcode: str) -> GeoPoint | None:
        """Centroid of an outcode (postcode district) such as ``"OX1"``."""
        return _outcode_centroids().get(outcode)

    @staticmethod
    def preload() -> None:
        """Load the bundled centroids now, e.g. at service start-up, instead of on the first request."""
        _sector_centroids()
        _outcode_centroids()


@functools.cache
def default_gazetteer() -> Gazetteer:
    """Process-wide gazetteer over the bundled centroids only (no exact postcodes)."""
    return Gazetteer()
