"""A tender as an OCDS 1.1.5 compiled release (`GET /api/v1/tenders/{id}/ocds`).

Imported tenders carry the record compiled from their releases; it is returned with our own fields laid
over it. Field mapping: contract_type → mainProcurementCategory (supplies → goods; light_touch and
concession are services with a `contractType` note), CPV codes → tender.classification + items, delivery →
items[].deliveryAddresses, suitability as the Contracts Finder extension, lots as the lots extension.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from typing import Any

from jsonschema import Draft4Validator

from procurement.db import Award, Tender

CATEGORY = {"works": "works", "supplies": "goods", "services": "services", "light_touch": "services"}
CATEGORY["concession"] = "services"


def _money(amount: Any, currency: str | None) -> dict[str, Any] | None:
    # OCDS numbers are JSON numbers; our decimals become them only here, at the edge.
    return None if amount is None else {"amount": float(amount), "currency": currency or "GBP"}


def _buyer_party(t: Tender) -> dict[str, Any]:
    return {
        "id": f"localwealth-tenant-{t.buyer_tenant_id}",
        "name": t.buyer_name or t.buyer_tenant_id,
        "roles": ["buyer"],
    }


def compiled_release(t: Tender, awards: list[Award]) -> dict[str, Any]:
    buyer = _buyer_party(t)
    items = [
        {
            "id": str(i + 1),
            "classification": {"scheme": "CPV", "id": code},
            **(
                {"deliveryAddresses": [{"postalCode": t.delivery_postcode, "countryName": "United Kingdom"}]}
                if t.delivery_postcode
                else {}
            ),
        }
        for i, code in enumerate(t.cpv_codes)
    ]
    tender: dict[str, Any] = {
        "id": t.id,
        "title": t.title,
        "status": t.status,
        "items": items,
    }
    if t.description:
        tender["description"] = t.description
    if t.cpv_codes:
        tender["classification"] = {"scheme": "CPV", "id": t.cpv_codes[0]}
    if t.value_amount is not None:
        tender["value"] = _money(t.value_amount, t.value_currency)
    if t.contract_type in CATEGORY:
        tender["mainProcurementCategory"] = CATEGORY[t.contract_type]
    if t.tender_period_start or t.tender_period_end:
        tender["tenderPeriod"] = {
            k: f"{d.isoformat()}T00:00:00Z"
            for k, d in (("startDate", t.tender_period_start), ("endDate", t.tender_period_end))
            if d is not None
        }
    if t.suitability:
        tender["suitability"] = t.suitability
    if t.lots:
        tender["lots"] = [
            {
                "id": lot["id"],
                **({"title": lot["title"]} if lot.get("title") else {}),
                **({"value": _money(lot["value"]["amount"], lot["value"]["currency"])} if lot.get("value") else {}),
            }
            for lot in t.lots
        ]
    parties = [buyer]
    ocds_awards = []
    for a in awards:
        party_id = a.organisation_id or f"localwealth-award-supplier-{a.id}"
        party: dict[str, Any] = {"id": party_id, "name": a.supplier_name or party_id, "roles": ["supplier"]}
        if a.supplier_scheme:
            party["identifier"] = {"scheme": a.supplier_scheme, "id": a.supplier_identifier}
        if all(p["id"] != party_id for p in parties):
            parties.append(party)
        award: dict[str, Any] = {"id": a.id, "status": "active", "suppliers": [{"id": party_id, "name": party["name"]}]}
        if a.value_amount is not None:
            award["value"] = _money(a.value_amount, a.value_currency)
        if a.date:
            award["date"] = f"{a.date.isoformat()}T00:00:00Z"
        if a.lot_id:
            award["relatedLots"] = [a.lot_id]
        ocds_awards.append(award)
    release: dict[str, Any] = {
        "ocid": t.ocid,
        "id": f"{t.id}-{t.version}",
        "date": t.updated_at.isoformat().replace("+00:00", "Z"),
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
    }
    if ocds_awards:
        release["awards"] = ocds_awards
    return release


@functools.cache
def release_validator() -> Draft4Validator:
    schema = json.loads(files("procurement").joinpath("data/ocds/release-schema.json").read_text(encoding="utf-8"))
    return Draft4Validator(schema)


def schema_errors(release: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in release_validator().iter_errors(release)]
