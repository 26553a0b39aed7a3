"""The public projection of an organisation: the API response and the `registry.organisation` event payload."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import orjson

from registry.db import Organisation
from registry.rules.certifications import effective_status


def certifications_view(stored: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    out = []
    for c in stored:
        expires = date.fromisoformat(c["expires_on"]) if c.get("expires_on") else None
        out.append({**c, "status": effective_status(c.get("status"), expires, today)})
    return out


def public_fields(org: Organisation, today: date) -> dict[str, Any]:
    """Everything a reader sees except identity and bookkeeping (id, who/when, version)."""
    return {
        "name": org.name,
        "description": org.description,
        "legal_form": org.legal_form,
        "identifiers": [{"scheme": i.scheme, "id": i.value} for i in org.identifiers],
        "canonical_identifier": org.canonical_identifier,
        "ownership": list(org.ownership or []),
        "sites": [
            {
                "id": s.id,
                "name": s.name,
                "address": s.address,
                "postcode": s.postcode,
                "postcode_status": s.postcode_status,
                "lat": s.lat,
                "lon": s.lon,
                "lad_code": s.lad_code,
                "is_registered_office": s.is_registered_office,
                "is_operating_site": s.is_operating_site,
            }
            for s in org.sites
        ],
        "sic_codes": list(org.sic_codes or []),
        "cpv_codes": list(org.cpv_codes or []),
        "employees": org.employees,
        "turnover": (
            {"amount": f"{org.turnover_amount:.2f}", "currency": org.turnover_currency or "GBP"}
            if org.turnover_amount is not None
            else None
        ),
        "members": org.members,
        "website": org.website,
        "email": org.email,
        "certifications": certifications_view(org.certifications or [], today),
        "flags": {"is_vcse": org.is_vcse, "is_sme": org.is_sme, "is_social_economy": org.is_social_economy},
        "warnings": list(org.warnings or []),
    }


def project(org: Organisation, today: date) -> dict[str, Any]:
    return {
        "id": org.id,
        **public_fields(org, today),
        "created_by": org.created_by,
        "updated_by": org.updated_by,
        "created_at": org.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": org.updated_at.isoformat().replace("+00:00", "Z"),
        "version": org.version,
    }


def content_hash(org: Organisation, today: date) -> str:
    """Stable hash of the stored content: site ids and time-dependent views are excluded, so re-importing
    the same data reads as 'unchanged'."""
    fields = public_fields(org, today)
    comparable = {
        **fields,
        "sites": [{k: v for k, v in s.items() if k != "id"} for s in fields["sites"]],
        "certifications": org.certifications or [],
    }
    return hashlib.sha256(orjson.dumps(comparable, option=orjson.OPT_SORT_KEYS)).hexdigest()
