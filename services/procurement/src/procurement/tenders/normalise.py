"""Turn a tender's fields (the API input shape) into stored columns: validate CPV and LAD codes, geocode the
delivery postcode, derive `above_threshold`, resolve the reservation and check the award criteria."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from localwealth_shared.http.problems import field_error
from localwealth_shared.reference.classification import ClassificationError, normalise_cpv
from localwealth_shared.reference.geography import PostcodeError, default_gazetteer, is_lad_code, normalise_postcode

from procurement.rules.award_criteria import check_award_criteria
from procurement.rules.reservation import resolve_reservation
from procurement.rules.thresholds import ThresholdTable

PRIVATE_STATUSES = frozenset({"planned"})


@dataclass(frozen=True)
class BuyerInfo:
    tenant_id: str
    name: str | None
    kind: str
    area_lad_codes: tuple[str, ...]


def validated_cpv_codes(codes: list[str], loc: list[str | int]) -> list[str]:
    out: list[str] = []
    for i, code in enumerate(codes):
        try:
            digits = normalise_cpv(code)
        except ClassificationError as exc:
            raise field_error([*loc, i], str(exc), exc.rule) from exc
        if digits not in out:
            out.append(digits)
    return out


def validated_lad_codes(codes: list[str], loc: list[str | int]) -> list[str]:
    for i, code in enumerate(codes):
        if not is_lad_code(code):
            raise field_error([*loc, i], f"{code} is not a current ONS local authority district code", "lad.unknown")
    return sorted(set(codes))


def _delivery(delivery: dict[str, Any] | None) -> dict[str, Any]:
    if delivery is None:
        return {"delivery_lad_codes": [], "delivery_postcode": None, "delivery_lat": None, "delivery_lon": None}
    lads = validated_lad_codes(delivery.get("lad_codes") or [], ["body", "delivery", "lad_codes"])
    postcode, lat, lon = delivery.get("postcode"), None, None
    if postcode:
        try:
            postcode = normalise_postcode(postcode)
        except PostcodeError as exc:
            raise field_error(["body", "delivery", "postcode"], str(exc), exc.rule) from exc
        point = default_gazetteer().lookup(postcode)
        if point is not None:
            lat, lon = point.lat, point.lon
            if not lads and point.lad_code:
                lads = [point.lad_code]
    return {"delivery_lad_codes": lads, "delivery_postcode": postcode, "delivery_lat": lat, "delivery_lon": lon}


def _lots(lots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for i, lot in enumerate(lots):
        if lot["id"] in seen:
            raise field_error(["body", "lots", i, "id"], f"lot id {lot['id']!r} is repeated", "lots.unique_id")
        seen.add(lot["id"])
        value = lot.get("value")
        out.append(
            {
                "id": lot["id"],
                "title": lot.get("title"),
                "value": {"amount": str(value["amount"]), "currency": value["currency"]} if value else None,
                "cpv_codes": validated_cpv_codes(lot.get("cpv_codes") or [], ["body", "lots", i, "cpv_codes"]),
            }
        )
    return out


def normalise(state: dict[str, Any], buyer: BuyerInfo, thresholds: ThresholdTable, today: date) -> dict[str, Any]:
    """Column values for a tender whose complete fields are `state` (TenderFields, python mode)."""
    value = state.get("value")
    amount_gross: Decimal | None = value.get("amount_gross") if value else None
    period = state.get("tender_period") or {}
    if period.get("start_date") and period.get("end_date") and period["end_date"] < period["start_date"]:
        raise field_error(
            ["body", "tender_period", "end_date"], "end_date must not be before start_date", "tender_period.order"
        )
    publication_date = state.get("publication_date")
    if publication_date is None and state["status"] not in PRIVATE_STATUSES:
        publication_date = today
    decision = thresholds.decide(amount_gross, buyer.kind, state.get("contract_type"), publication_date or today)
    criteria = [
        {"name": c["name"], "weight_pct": str(c["weight_pct"]), "framework": c.get("framework")}
        for c in state.get("award_criteria") or []
    ]
    check_award_criteria(criteria)
    t = decision.threshold
    return {
        "title": state["title"],
        "description": state.get("description"),
        "status": state["status"],
        "notice_type": state.get("notice_type"),
        "contract_type": state.get("contract_type"),
        "value_amount": value["amount"] if value else None,
        "value_currency": value["currency"] if value else None,
        "amount_gross": amount_gross,
        "above_threshold": decision.above_threshold,
        "threshold": (
            {
                "amount_gross": str(t.amount_gross),
                "currency": t.currency,
                "buyer_class": t.buyer_class,
                "effective_from": t.effective_from.isoformat(),
            }
            if t
            else None
        ),
        "publication_date": publication_date,
        "cpv_codes": validated_cpv_codes(state.get("cpv_codes") or [], ["body", "cpv_codes"]),
        **_delivery(state.get("delivery")),
        "tender_period_start": period.get("start_date"),
        "tender_period_end": period.get("end_date"),
        "lots": _lots(state.get("lots") or []),
        "suitability": state.get("suitability"),
        "reservation": resolve_reservation(state.get("reservation"), decision, buyer.area_lad_codes),
        "award_criteria": criteria,
    }
