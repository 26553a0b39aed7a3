"""Ordnance Survey National Grid (OSGB36 easting/northing, EPSG:27700) → WGS84 latitude/longitude, offline.

Councils publish land registers with map references as eastings and northings. The conversion follows
Ordnance Survey's "A guide to coordinate systems in Great Britain": the inverse Transverse Mercator
projection on the Airy 1830 ellipsoid, then a 7-parameter Helmert transformation to WGS84. That is
accurate to a few metres — right for placing a building, not for surveying (use OSTN15 for that).
"""

from __future__ import annotations

import math

# Airy 1830 ellipsoid and the National Grid's true origin.
AIRY_A, AIRY_B = 6377563.396, 6356256.909
F0 = 0.9996012717
LAT0, LON0 = math.radians(49.0), math.radians(-2.0)
N0, E0 = -100_000.0, 400_000.0
# WGS84 ellipsoid.
WGS84_A, WGS84_B = 6378137.000, 6356752.3142
# OSGB36 → WGS84 Helmert parameters (metres, parts per million, arc-seconds).
TX, TY, TZ = 446.448, -125.157, 542.060
S_PPM = -20.4894
RX, RY, RZ = 0.1502, 0.2470, 0.8421

MAX_EASTING, MAX_NORTHING = 700_000.0, 1_300_000.0


class GridReferenceError(ValueError):
    pass


def _meridional_arc(lat: float) -> float:
    n = (AIRY_A - AIRY_B) / (AIRY_A + AIRY_B)
    n2, n3 = n * n, n * n * n
    d, s = lat - LAT0, lat + LAT0
    return (
        AIRY_B
        * F0
        * (
            (1 + n + 1.25 * n2 + 1.25 * n3) * d
            - (3 * n + 3 * n2 + 2.625 * n3) * math.sin(d) * math.cos(s)
            + (1.875 * n2 + 1.875 * n3) * math.sin(2 * d) * math.cos(2 * s)
            - (35 / 24) * n3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def osgb36_latlon(easting: float, northing: float) -> tuple[float, float]:
    """Easting/northing → latitude/longitude in degrees on the OSGB36 datum (inverse Transverse Mercator)."""
    if not (0 <= easting <= MAX_EASTING and 0 <= northing <= MAX_NORTHING):
        raise GridReferenceError(f"({easting}, {northing}) is outside the National Grid")
    a, e2 = AIRY_A, 1 - (AIRY_B * AIRY_B) / (AIRY_A * AIRY_A)
    lat = (northing - N0) / (a * F0) + LAT0
    while abs(northing - N0 - _meridional_arc(lat)) >= 0.00001:
        lat += (northing - N0 - _meridional_arc(lat)) / (a * F0)
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * F0 / math.sqrt(1 - e2 * sin_lat * sin_lat)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin_lat * sin_lat) ** 1.5
    eta2 = nu / rho - 1
    t2, t4, t6 = tan_lat**2, tan_lat**4, tan_lat**6
    sec = 1 / cos_lat
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = easting - E0
    out_lat = lat - vii * de**2 + viii * de**4 - ix * de**6
    out_lon = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return math.degrees(out_lat), math.degrees(out_lon)


def _to_cartesian(lat: float, lon: float, a: float, b: float) -> tuple[float, float, float]:
    e2 = 1 - (b * b) / (a * a)
    phi, lam = math.radians(lat), math.radians(lon)
    nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return nu * math.cos(phi) * math.cos(lam), nu * math.cos(phi) * math.sin(lam), (1 - e2) * nu * math.sin(phi)


def _from_cartesian(x: float, y: float, z: float, a: float, b: float) -> tuple[float, float]:
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    phi = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
        phi = math.atan2(z + e2 * nu * math.sin(phi), p)
    return math.degrees(phi), math.degrees(math.atan2(y, x))


def grid_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """National Grid easting/northing → WGS84 (lat, lon) in degrees, rounded to ~0.1 m."""
    lat, lon = osgb36_latlon(easting, northing)
    x, y, z = _to_cartesian(lat, lon, AIRY_A, AIRY_B)
    s = 1 + S_PPM * 1e-6
    rx, ry, rz = (math.radians(v / 3600) for v in (RX, RY, RZ))
    x2 = TX + s * x - rz * y + ry * z
    y2 = TY + rz * x + s * y - rx * z
    z2 = TZ - ry * x + rx * y + s * z
    out_lat, out_lon = _from_cartesian(x2, y2, z2, WGS84_A, WGS84_B)
    return round(out_lat, 6), round(out_lon, 6)
