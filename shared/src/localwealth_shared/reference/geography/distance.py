"""Great-circle distance and radius pre-filter boxes on a spherical Earth (good to ~0.5% in the UK)."""

from __future__ import annotations

import math
from typing import Final

EARTH_MEAN_RADIUS_KM: Final = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # min() guards against a rounding overshoot past 1.0 for antipodal points.
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """``(min_lat, max_lat, min_lon, max_lon)`` in degrees enclosing every point within ``radius_km``.

    Meant for an index-friendly ``lat BETWEEN .. AND lon BETWEEN ..`` pre-filter before an exact
    :func:`haversine_km` check. Longitude degrees shrink with latitude, so the longitude span uses the
    exact spherical-cap extent rather than a flat-earth ``radius / cos(lat)``. Where the circle reaches a
    pole or crosses the antimeridian the box widens to all longitudes: still a superset, never a miss.
    """
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} is outside -90..90")
    if radius_km < 0:
        raise ValueError(f"radius_km must not be negative, got {radius_km}")
    angular = radius_km / EARTH_MEAN_RADIUS_KM
    phi = math.radians(lat)
    min_phi, max_phi = phi - angular, phi + angular
    half_pi = math.pi / 2
    if min_phi <= -half_pi or max_phi >= half_pi:
        return (max(math.degrees(min_phi), -90.0), min(math.degrees(max_phi), 90.0), -180.0, 180.0)
    ratio = math.sin(angular) / math.cos(phi)
    if ratio >= 1.0:
        return (math.degrees(min_phi), math.degrees(max_phi), -180.0, 180.0)
    delta_lon = math.degrees(math.asin(ratio))
    min_lon, max_lon = lon - delta_lon, lon + delta_lon
    if min_lon < -180.0 or max_lon > 180.0:
        min_lon, max_lon = -180.0, 180.0
    return (math.degrees(min_phi), math.degrees(max_phi), min_lon, max_lon)
