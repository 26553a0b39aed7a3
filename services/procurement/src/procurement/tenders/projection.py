"""A stored tender as the API shows it (also the payload of `procurement.tender` events), and as editable fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from procurement.db import Tender
from procurement.rules.award_criteria import is_social_value, social_value_weight


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def project(t: Tender) -> dict[str, Any]:
    criteria = [{**c, "is_social_value": is_social_value(c)} for c in t.award_criteria]
    has_delivery = t.delivery_lad_codes or t.delivery_postcode
    return {
        "id": t.id,
        "ocid": t.ocid,
        "buyer": {"tenant_id": t.buyer_tenant_id, "name": t.buyer_name, "kind": t.buyer_kind},
        "title": t.title,
        "description": t.description,
        "status": t.status,
        "notice_type": t.notice_type,
        "contract_type": t.contract_type,
        "value": (
            {
                "amount": _decimal(t.value_amount),
                "currency": t.value_currency,
                "amount_gross": _decimal(t.amount_gross),
            }
            if t.value_amount is not None
            else None
        ),
        "amount_gross": _decimal(t.amount_gross),
        "above_threshold": t.above_threshold,
        "threshold": t.threshold,
        "publication_date": t.publication_date.isoformat() if t.publication_date else None,
        "cpv_codes": list(t.cpv_codes),
        "delivery": (
            {
                "lad_codes": list(t.delivery_lad_codes),
                "postcode": t.delivery_postcode,
                "lat": t.delivery_lat,
                "lon": t.delivery_lon,
            }
            if has_delivery
            else None
        ),
        "tender_period": (
            {
                "start_date": t.tender_period_start.isoformat() if t.tender_period_start else None,
                "end_date": t.tender_period_end.isoformat() if t.tender_period_end else None,
            }
            if t.tender_period_start or t.tender_period_end
            else None
        ),
        "lots": list(t.lots),
        "suitability": t.suitability,
        "reservation": t.reservation,
        "award_criteria": criteria,
        "social_value_weight_pct": _decimal(social_value_weight(t.award_criteria)),
        "created_at": t.created_at.isoformat(),
        "updated_at": t.updated_at.isoformat(),
        "version": t.version,
    }


def editable_fields(t: Tender) -> dict[str, Any]:
    """The tender in the input shape (TenderFields), so a PATCH is merged and validated like a create."""
    return {
        "title": t.title,
        "description": t.description,
        "status": t.status,
        "notice_type": t.notice_type,
        "contract_type": t.contract_type,
        "value": (
            {"amount": t.value_amount, "currency": t.value_currency, "amount_gross": t.amount_gross}
            if t.value_amount is not None
            else None
        ),
        "cpv_codes": list(t.cpv_codes),
        "delivery": (
            {"lad_codes": list(t.delivery_lad_codes), "postcode": t.delivery_postcode}
            if t.delivery_lad_codes or t.delivery_postcode
            else None
        ),
        "tender_period": {"start_date": t.tender_period_start, "end_date": t.tender_period_end},
        "publication_date": t.publication_date,
        "lots": [
            {**lot, "value": {"amount": Decimal(lot["value"]["amount"]), "currency": lot["value"]["currency"]}}
            if lot.get("value")
            else lot
            for lot in t.lots
        ],
        "suitability": t.suitability,
        # Stored area is already resolved; giving it back keeps it rather than re-defaulting to today's area.
        "reservation": t.reservation,
        "award_criteria": list(t.award_criteria),
    }
