"""Parse a Local Government Transparency Code land and building register CSV into asset fields.

Councils publish the register with their own headers ("UPRN", "Asset Reference" / "Property Ref",
"Property Name", "Street", "Town", "Postcode", "Easting"/"GeoX", "Northing"/"GeoY", "Tenure Type" …), so
columns are found by synonyms after normalising case and punctuation. The map reference may be an
easting and northing (converted offline to WGS84), a latitude and longitude, or neither (the postcode
then places the asset). Each problem is reported for its row; the row is skipped, the rest import.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from localwealth_shared.reference.geography.national_grid import GridReferenceError, grid_to_wgs84

from land.assets.schemas import normalise_uprn

SYNONYMS: dict[str, tuple[str, ...]] = {
    "uprn": ("uprn", "unique property reference number", "property uprn"),
    "reference": (
        "asset reference",
        "asset ref",
        "property reference",
        "property ref",
        "asset id",
        "asset number",
        "property id",
        "reference",
        "site reference",
    ),
    "name": ("name of asset", "asset name", "property name", "site name", "building name", "name"),
    "address": ("address", "full address", "property address", "site address"),
    "street_number": ("street number", "building number", "number"),
    "street": ("street", "street name", "address line 1", "road"),
    "town": ("town", "locality", "city", "post town"),
    "postcode": ("postcode", "post code"),
    "easting": ("easting", "geox", "geo x", "x coordinate", "map reference easting", "grid reference easting"),
    "northing": ("northing", "geoy", "geo y", "y coordinate", "map reference northing", "grid reference northing"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lon", "lng"),
    "map_reference": ("map reference", "grid reference", "os grid reference"),
    "tenure": ("tenure", "tenure type", "holding type", "ownership type", "freehold leasehold"),
    "asset_type": ("asset type", "property type", "type of asset", "asset category"),
    "current_use": ("current use", "property use", "use", "primary use"),
}
_EN_PAIR = re.compile(r"^\s*(\d{5,7}(?:\.\d+)?)\s*[,/ ]\s*(\d{5,7}(?:\.\d+)?)\s*$")


class RegisterFormatError(ValueError):
    pass


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.casefold()).strip()


def map_headers(headers: list[str]) -> dict[str, str]:
    """Field → the file's header for it (the first synonym present wins)."""
    by_key = {_key(h): h for h in headers if h}
    mapping = {}
    for name, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            if synonym in by_key and by_key[synonym] not in mapping.values():
                mapping[name] = by_key[synonym]
                break
    return mapping


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegisterFormatError("the file is not text")  # unreachable: latin-1 decodes any bytes


@dataclass
class ParsedRow:
    number: int  # the line in the file (the header is line 1)
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)


def _tenure(raw: str) -> str | None:
    text = raw.casefold()
    if "free" in text:
        return "freehold"
    if "lease" in text:
        return "leasehold"
    return None


def _location(cells: dict[str, str], row: ParsedRow) -> None:
    easting, northing = cells.get("easting", ""), cells.get("northing", "")
    if not (easting and northing) and (pair := _EN_PAIR.match(cells.get("map_reference", ""))):
        easting, northing = pair.group(1), pair.group(2)
    if easting and northing:
        try:
            lat, lon = grid_to_wgs84(float(easting), float(northing))
        except (ValueError, GridReferenceError):
            row.errors.append(("easting", f"not a National Grid easting/northing: {easting!r}, {northing!r}"))
            return
        row.fields["point"] = {"lat": lat, "lon": lon}
        return
    lat, lon = cells.get("latitude", ""), cells.get("longitude", "")
    if lat and lon:
        try:
            point = {"lat": float(lat), "lon": float(lon)}
        except ValueError:
            row.errors.append(("latitude", f"not a latitude/longitude: {lat!r}, {lon!r}"))
            return
        if not (49 <= point["lat"] <= 61 and -9 <= point["lon"] <= 2):
            row.errors.append(("latitude", f"{lat}, {lon} is not in the United Kingdom"))
            return
        row.fields["point"] = point


def parse(content: bytes) -> Iterator[ParsedRow]:
    reader = csv.DictReader(io.StringIO(decode(content)))
    if not reader.fieldnames:
        raise RegisterFormatError("the file has no header row")
    mapping = map_headers(list(reader.fieldnames))
    if not ({"name", "address", "street"} & mapping.keys()) or not ({"uprn", "reference"} & mapping.keys()):
        raise RegisterFormatError(
            "no columns for the asset's identity: expected a UPRN or asset reference column and a name or address "
            f"column; found {', '.join(reader.fieldnames)}"
        )
    for number, raw in enumerate(reader, start=2):
        cells = {name: (raw.get(header) or "").strip() for name, header in mapping.items()}
        if not any(cells.values()):
            continue
        row = ParsedRow(number)
        if cells.get("uprn"):
            try:
                row.fields["uprn"] = normalise_uprn(cells["uprn"].split(".")[0])
            except ValueError as exc:
                row.errors.append(("uprn", str(exc)))
        if cells.get("reference"):
            row.fields["reference"] = cells["reference"][:100]
        street = " ".join(p for p in (cells.get("street_number"), cells.get("street")) if p)
        address = cells.get("address") or ", ".join(p for p in (street, cells.get("town")) if p)
        row.fields["address"] = address or None
        row.fields["name"] = (cells.get("name") or address or cells.get("reference") or "")[:500]
        if not row.fields["name"]:
            row.errors.append(("name", "the row has no name, address or reference"))
        if not (row.fields.get("uprn") or row.fields.get("reference")) and not row.errors:
            row.errors.append(("uprn", "the row has neither a UPRN nor an asset reference to recognise it by"))
        if cells.get("postcode"):
            row.fields["postcode"] = cells["postcode"]
        if cells.get("tenure"):
            tenure = _tenure(cells["tenure"])
            if tenure is None:
                row.errors.append(("tenure", f"{cells['tenure']!r} is neither freehold nor leasehold"))
            row.fields["tenure"] = tenure
        for name in ("asset_type", "current_use"):
            if cells.get(name):
                row.fields[name] = cells[name][: 200 if name == "current_use" else 40]
        _location(cells, row)
        yield row


def count_rows(content: bytes) -> int:
    return max(sum(1 for _ in csv.reader(io.StringIO(decode(content)))) - 1, 0)
