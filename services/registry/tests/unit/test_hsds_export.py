"""HSDS export of the public organisation projection, and export -> import round trips."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from registry.exports.hsds import organisation_to_hsds
from registry.imports.parsers import hsds_json

FULL_INPUT: dict[str, Any] = {
    "name": "Riverside Bakery Co-operative",
    "description": "Worker-owned bakery",
    "legal_form": "registered_society_cooperative",
    "identifiers": [{"scheme": "GB-MPR", "id": "30187R"}, {"scheme": "GB-COH", "id": "RS007123"}],
    "ownership": ["worker_cooperative", "community_owned"],
    "sites": [
        {
            "name": "Bakery",
            "address": "Unit 4, Mill Lane, Hebden Bridge, Hebden Bridge",
            "postcode": "HX7 8AB",
            "lat": 53.742,
            "lon": -2.012,
            "is_registered_office": True,
            "is_operating_site": True,
        },
        {
            "name": None,
            "address": "PO Box 12",
            "postcode": None,
            "lat": None,
            "lon": None,
            "is_registered_office": True,
            "is_operating_site": False,
        },
        {
            "name": "Market stall",
            "address": None,
            "postcode": "OL14 5AA",
            "lat": None,
            "lon": None,
            "is_registered_office": False,
            "is_operating_site": True,
        },
    ],
    "sic_codes": ["10710"],
    "cpv_codes": ["15810000"],
    "employees": 14,
    "turnover": {"amount": "612400.00", "currency": "GBP"},
    "members": 14,
    "website": "https://riversidebakery.coop",
    "email": "hello@riversidebakery.coop",
    "certifications": [
        {
            "scheme": "real_living_wage",
            "status": "active",
            "awarded_on": "2022-04-01",
            "expires_on": None,
            "evidence_url": "https://www.livingwage.org.uk/",
        }
    ],
}


def projection(organisation_input: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """What the API returns for an organisation created from ``organisation_input``."""
    projected = copy.deepcopy(organisation_input)
    projected["sites"] = [site | {"lad_code": "E08000033"} for site in projected.get("sites", [])]
    projected |= {
        "id": uuid.UUID("5b0f3c1e-7a52-4d39-9d0e-2a3c4b5d6e7f"),
        "canonical_identifier": "GB-COH-RS007123",
        "flags": {"is_vcse": False, "is_sme": True, "is_social_economy": True},
        "created_at": datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        "updated_at": datetime(2024, 6, 1, 9, 30, tzinfo=UTC),
        "version": 3,
    }
    return projected | overrides


def reimport(hsds: dict[str, Any]) -> dict[str, Any] | None:
    rows = list(hsds_json.parse(json.dumps({"organizations": [hsds]}).encode()))
    assert len(rows) == 1 and rows[0].errors == []
    return rows[0].organisation


def test_export_import_round_trip_is_exact() -> None:
    assert reimport(organisation_to_hsds(projection(FULL_INPUT))) == FULL_INPUT


def test_round_trip_of_a_sparse_organisation_drops_only_empty_keys() -> None:
    sparse_input = {"name": "Just A Name", "identifiers": [{"scheme": "GB-CHC", "id": "1234567"}]}
    projected = projection(
        sparse_input,
        description=None,
        legal_form=None,
        ownership=[],
        sites=[],
        sic_codes=[],
        cpv_codes=[],
        employees=None,
        turnover=None,
        members=None,
        website=None,
        email=None,
        certifications=[],
    )
    assert reimport(organisation_to_hsds(projected)) == sparse_input


def test_export_is_hsds_shaped() -> None:
    hsds = organisation_to_hsds(projection(FULL_INPUT))
    assert hsds["id"] == "5b0f3c1e-7a52-4d39-9d0e-2a3c4b5d6e7f"
    assert hsds["legal_status"] == "Registered society (co-operative)"
    assert hsds["organization_identifiers"][1] | {"id": "-"} == {
        "id": "-",
        "organization_id": hsds["id"],
        "identifier_scheme": "GB-COH",
        "identifier_type": "Companies House company number",
        "identifier": "RS007123",
    }
    bakery, po_box, stall = hsds["locations"]
    assert [location["location_type"] for location in hsds["locations"]] == ["physical", "postal", "physical"]
    address = bakery["addresses"][0]
    # HSDS 3.0 requires these address fields; the town is split off into city.
    assert {key: address[key] for key in ("address_1", "city", "state_province", "postal_code", "country")} == {
        "address_1": "Unit 4, Mill Lane, Hebden Bridge",
        "city": "Hebden Bridge",
        "state_province": "",
        "postal_code": "HX7 8AB",
        "country": "GB",
    }
    assert address["location_id"] == bakery["id"]
    assert (bakery["latitude"], bakery["longitude"]) == (53.742, -2.012)
    assert bakery["x_localwealth"] == {
        "is_registered_office": True,
        "is_operating_site": True,
        "lad_code": "E08000033",
    }
    assert po_box["addresses"][0]["address_1"] == "PO Box 12" and po_box["addresses"][0]["city"] == ""
    assert "latitude" not in stall
    extension = hsds["x_localwealth"]
    assert extension["flags"]["is_social_economy"] is True
    assert extension["updated_at"] == "2024-06-01T09:30:00+00:00"
    assert extension["turnover"] == {"amount": "612400.00", "currency": "GBP"}
    json.dumps(hsds)  # plain JSON, no datetimes or UUIDs left


def test_export_required_description_and_no_nulls_at_top_level() -> None:
    hsds = organisation_to_hsds(projection({"name": "Bare"}, description=None, website=None, email=None))
    assert hsds["description"] == ""
    assert "website" not in hsds and "email" not in hsds and "legal_status" not in hsds


def test_export_child_ids_are_stable_and_distinct() -> None:
    first = organisation_to_hsds(projection(FULL_INPUT))
    assert organisation_to_hsds(projection(FULL_INPUT)) == first
    other = organisation_to_hsds(projection(FULL_INPUT, id="another-org"))
    child_ids = {location["id"] for location in first["locations"]}
    assert len(child_ids) == 3
    assert child_ids.isdisjoint(location["id"] for location in other["locations"])
