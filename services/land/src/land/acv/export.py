"""The council's ACV register as CSV in the MHCLG digital-land `asset-of-community-value` fields.

Points and polygons are WKT in EPSG:4326 (lon lat), as digital-land publishes them; dates are ISO 8601;
cells are protected against spreadsheet formula injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from localwealth_shared.jobs import safe_csv_cell

from land.acv.service import CaseView
from land.db import Asset, KnownOrganisation

FIELDS = (
    "reference",
    "name",
    "description",
    "address-text",
    "point",
    "geometry",
    "nomination-date",
    "nominating-group",
    "decision",
    "decision-date",
    "start-date",
    "end-date",
    "notification-to-sell-date",
    "protected-period-start-date",
    "interested-group",
    "organisation",
)


def _ring(positions: list[list[float]]) -> str:
    return "(" + ", ".join(f"{p[0]} {p[1]}" for p in positions) + ")"


def wkt(geometry: dict[str, Any] | None) -> str:
    """WKT for the polygon types digital-land holds (other geometry types are left out of `geometry`)."""
    if not geometry:
        return ""
    if geometry["type"] == "Polygon":
        return "POLYGON (" + ", ".join(_ring(r) for r in geometry["coordinates"]) + ")"
    if geometry["type"] == "MultiPolygon":
        polygons = ("(" + ", ".join(_ring(r) for r in polygon) + ")" for polygon in geometry["coordinates"])
        return "MULTIPOLYGON (" + ", ".join(polygons) + ")"
    return ""


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def row(view: CaseView, asset: Asset, organisations: dict[str, KnownOrganisation]) -> dict[str, str]:
    case, current = view.case, view.current
    name = organisations.get(case.nominating_organisation_id)
    bidders = [organisations[b.organisation_id].name for b in view.bids if b.organisation_id in organisations]
    return {
        "reference": case.id,
        "name": asset.name,
        "description": case.reasons,
        "address-text": ", ".join(p for p in (asset.address, asset.postcode) if p),
        "point": f"POINT ({asset.lon} {asset.lat})" if asset.lat is not None and asset.lon is not None else "",
        "geometry": wkt(asset.geometry),
        "nomination-date": _iso(case.received_date),
        "nominating-group": name.name if name else case.nominating_organisation_id,
        "decision": (case.decision or "").replace("_", "-"),
        "decision-date": _iso(case.decision_date),
        "start-date": _iso(case.listed_on),
        "end-date": _iso(case.listing_ends),
        "notification-to-sell-date": _iso(current.received_date if current else None),
        "protected-period-start-date": _iso(current.received_date if current else None),
        "interested-group": ";".join(bidders),
        "organisation": case.council,
    }


def to_csv(rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: safe_csv_cell(v) for k, v in r.items()})
    return out.getvalue()
