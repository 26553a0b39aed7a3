"""The public organisation projection as an Open Referral HSDS 3.0 ``organization``.

HSDS has no place for legal form, ownership, classification codes, size or certifications, so those go
in an ``x_localwealth`` extension object (HSDS allows extra properties). Child records get ids derived
from the organisation id, so exporting the same data twice gives byte-identical output. The HSDS JSON
importer reads this shape back to the same organisation input (export -> import round-trips).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

EXTENSION = "x_localwealth"
COUNTRY = "GB"
# Namespace of the uuid5 ids of locations, addresses and identifiers: any fixed value; never change it.
_CHILD_ID_NAMESPACE = uuid.UUID("6f1c3a8e-2d4b-5e7f-9a0b-1c2d3e4f5a6b")

_LEGAL_STATUS_LABELS = {
    "company_limited_by_guarantee": "Company limited by guarantee",
    "company_limited_by_shares": "Company limited by shares",
    "plc": "Public limited company",
    "community_interest_company": "Community interest company",
    "charitable_incorporated_organisation": "Charitable incorporated organisation",
    "scottish_cio": "Scottish charitable incorporated organisation",
    "registered_society_cooperative": "Registered society (co-operative)",
    "registered_society_community_benefit": "Registered society (community benefit)",
    "credit_union": "Credit union",
    "charity_trust": "Charitable trust",
    "unincorporated_association": "Unincorporated association",
    "parish_council": "Parish council",
    "llp": "Limited liability partnership",
    "partnership": "Partnership",
    "sole_trader": "Sole trader",
    "other": "Other",
}
IDENTIFIER_TYPES = {
    "GB-COH": "Companies House company number",
    "GB-CHC": "Charity Commission for England and Wales charity number",
    "GB-SC": "Scottish Charity Regulator (OSCR) charity number",
    "GB-NIC": "Charity Commission for Northern Ireland charity number",
    "GB-MPR": "FCA Mutuals Public Register number",
}
# Organisation fields HSDS lacks, carried in the extension (read back by the importer).
_EXTENSION_FIELDS = ("legal_form", "ownership", "sic_codes", "cpv_codes", "employees", "turnover", "members")
# Read-only, derived fields: exported for consumers, ignored by the importer.
_DERIVED_FIELDS = ("canonical_identifier", "flags", "created_at", "updated_at", "version")


def organisation_to_hsds(org: dict[str, Any]) -> dict[str, Any]:
    org_id = str(org["id"])
    hsds: dict[str, Any] = {
        "id": org_id,
        "name": org["name"],
        "description": org.get("description") or "",  # required by HSDS
        "email": org.get("email"),
        "website": org.get("website"),
        "legal_status": _legal_status(org.get("legal_form")),
        "organization_identifiers": [
            _identifier_to_hsds(org_id, identifier) for identifier in org.get("identifiers") or []
        ],
        "locations": [_site_to_location(org_id, index, site) for index, site in enumerate(org.get("sites") or [])],
        EXTENSION: _extension(org),
    }
    return {key: value for key, value in hsds.items() if value is not None}


def _legal_status(legal_form: str | None) -> str | None:
    if legal_form is None:
        return None
    return _LEGAL_STATUS_LABELS.get(str(legal_form), str(legal_form))


def _child_id(org_id: str, *path: object) -> str:
    return str(uuid.uuid5(_CHILD_ID_NAMESPACE, "/".join([org_id, *map(str, path)])))


def _identifier_to_hsds(org_id: str, identifier: dict[str, str]) -> dict[str, str]:
    scheme, number = identifier["scheme"], identifier["id"]
    return {
        "id": _child_id(org_id, "identifier", scheme, number),
        "organization_id": org_id,
        "identifier_scheme": scheme,
        "identifier_type": IDENTIFIER_TYPES.get(scheme, scheme),
        "identifier": number,
    }


def _site_to_location(org_id: str, index: int, site: dict[str, Any]) -> dict[str, Any]:
    location_id = _child_id(org_id, "location", index)
    # HSDS "postal" = where mail goes; an office that only receives post is the closest match.
    location_type = "physical" if site.get("is_operating_site") else "postal"
    location: dict[str, Any] = {
        "id": location_id,
        "organization_id": org_id,
        "location_type": location_type,
        "name": site.get("name"),
        "latitude": site.get("lat"),
        "longitude": site.get("lon"),
        "addresses": [],
        EXTENSION: {
            "is_registered_office": bool(site.get("is_registered_office")),
            "is_operating_site": bool(site.get("is_operating_site")),
            "lad_code": site.get("lad_code"),
        },
    }
    if site.get("address") or site.get("postcode"):
        location["addresses"].append(_address(org_id, index, location_id, location_type, site))
    return {key: value for key, value in location.items() if value is not None}


def _address(org_id: str, index: int, location_id: str, address_type: str, site: dict[str, Any]) -> dict[str, Any]:
    # Sites hold one free-text address; its last part is usually the town. Splitting there fills HSDS's
    # required city, and the importer joins the parts with ", " again, so the text round-trips exactly.
    lines, _, city = (site.get("address") or "").rpartition(", ")
    if not lines:
        lines, city = city, ""
    return {
        "id": _child_id(org_id, "address", index),
        "location_id": location_id,
        "address_1": lines,
        "city": city,
        "state_province": "",
        "postal_code": site.get("postcode") or "",
        "country": COUNTRY,
        "address_type": address_type,
    }


def _extension(org: dict[str, Any]) -> dict[str, Any]:
    extension = {name: org.get(name) for name in _EXTENSION_FIELDS}
    extension["certifications"] = org.get("certifications") or []
    extension |= {name: org.get(name) for name in _DERIVED_FIELDS if name in org}
    return _json_ready(extension)


def _json_ready(value: Any) -> Any:
    """The projection may hold datetimes, UUIDs or Decimals; an export must be plain JSON."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value
