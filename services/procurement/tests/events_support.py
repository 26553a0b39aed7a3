"""Registry-shaped organisation events for the procurement tests (the payload the registry publishes)."""

from __future__ import annotations

import uuid
from typing import Any

from localwealth_shared.events.envelope import CloudEvent

REGISTERED = "org.localwealth.registry.organisation.registered.v1"


def site(postcode: str, lat: float, lon: float, lad: str, *, office: bool = False, operating: bool = True) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "name": None,
        "address": None,
        "postcode": postcode,
        "postcode_status": "sector",
        "lat": lat,
        "lon": lon,
        "lad_code": lad,
        "is_registered_office": office,
        "is_operating_site": operating,
    }


OXFORD_SITE = ("OX4 1AA", 51.745, -1.225, "E07000178")
BANBURY_SITE = ("OX16 0AA", 52.063, -1.340, "E07000177")


def organisation(name: str, *, cpv: list[str], sites: list[dict], version: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "id": extra.pop("id", str(uuid.uuid4())),
        "name": name,
        "description": None,
        "legal_form": "registered_society_cooperative",
        "identifiers": [],
        "canonical_identifier": None,
        "ownership": ["worker_cooperative"],
        "sites": sites,
        "sic_codes": [],
        "cpv_codes": cpv,
        "employees": 10,
        "turnover": {"amount": "300000.00", "currency": "GBP"},
        "members": None,
        "website": None,
        "email": None,
        "certifications": [],
        "flags": {"is_vcse": True, "is_sme": True, "is_social_economy": True},
        "created_by": "t-oxford",
        "updated_by": "t-oxford",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "version": version,
        **extra,
    }


def registered(org: dict[str, Any], event_type: str = REGISTERED) -> CloudEvent:
    return CloudEvent(type=event_type, source="/localwealth/registry", data=org, subject=org["id"])
