"""GeoJSON geometry validation (RFC 7946, EPSG:4326): the shape of each type, positions in range, closed rings.

Errors name the JSON path inside the geometry (`coordinates[0][3]`) and a stable rule code, so a 422 tells
the caller exactly which position is wrong.
"""

from __future__ import annotations

from typing import Any

RULE = "geometry.invalid"


class GeometryError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _position(value: Any, path: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise GeometryError(path, "a position is [longitude, latitude] (optionally with altitude)")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise GeometryError(path, "position values must be numbers")
    lon, lat = value[0], value[1]
    if not -180 <= lon <= 180:
        raise GeometryError(path, f"longitude {lon} is outside -180..180")
    if not -90 <= lat <= 90:
        raise GeometryError(path, f"latitude {lat} is outside -90..90")
    return float(lon), float(lat)


def _positions(value: Any, path: str, minimum: int) -> list[tuple[float, float]]:
    if not isinstance(value, list) or len(value) < minimum:
        raise GeometryError(path, f"needs at least {minimum} positions")
    return [_position(p, f"{path}[{i}]") for i, p in enumerate(value)]


def _polygon(value: Any, path: str) -> None:
    if not isinstance(value, list) or not value:
        raise GeometryError(path, "a polygon is a non-empty list of linear rings")
    for i, ring in enumerate(value):
        positions = _positions(ring, f"{path}[{i}]", 4)
        if positions[0] != positions[-1]:
            raise GeometryError(f"{path}[{i}]", "a linear ring must end where it starts")


def validate_geometry(geometry: Any) -> dict[str, Any]:
    """Return the geometry unchanged if valid; raise GeometryError naming the path otherwise."""
    if not isinstance(geometry, dict):
        raise GeometryError("geometry", "must be a GeoJSON geometry object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    path = "coordinates"
    if kind == "Point":
        _position(coordinates, path)
    elif kind == "MultiPoint":
        _positions(coordinates, path, 1)
    elif kind == "LineString":
        _positions(coordinates, path, 2)
    elif kind == "MultiLineString":
        if not isinstance(coordinates, list) or not coordinates:
            raise GeometryError(path, "a list of line strings")
        for i, line in enumerate(coordinates):
            _positions(line, f"{path}[{i}]", 2)
    elif kind == "Polygon":
        _polygon(coordinates, path)
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise GeometryError(path, "a list of polygons")
        for i, polygon in enumerate(coordinates):
            _polygon(polygon, f"{path}[{i}]")
    else:
        raise GeometryError(
            "type",
            f"unsupported geometry type {kind!r} (Point, MultiPoint, LineString, "
            "MultiLineString, Polygon, MultiPolygon)",
        )
    return geometry


def representative_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """(lat, lon) of the first position's ring centroid — good enough to place an asset without a point."""
    coords: Any = geometry["coordinates"]
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        if not isinstance(coords[0][0], list):
            break
        coords = coords[0]
    if coords and isinstance(coords[0], list):
        ring = coords[:-1] if len(coords) > 1 and coords[0] == coords[-1] else coords
        return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)
    return float(coords[1]), float(coords[0])
