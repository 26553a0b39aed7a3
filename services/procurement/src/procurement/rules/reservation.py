"""Reservation of a tender to UK or local-area suppliers, SMEs or VCSEs (PPN 005; Local Government
(Exclusion of Non-commercial Considerations) (England) Order 2026): only for below-threshold tenders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localwealth_shared.http.problems import field_error

from procurement.rules.thresholds import ThresholdDecision


def is_reserved(reservation: dict[str, Any] | None) -> bool:
    return reservation is not None and (
        reservation["scope"] != "none" or reservation["sme_only"] or reservation["vcse_only"]
    )


def resolve_reservation(
    reservation: dict[str, Any] | None, decision: ThresholdDecision, buyer_area: Sequence[str]
) -> dict[str, Any] | None:
    """The reservation as stored (local area filled in from the buyer's area), or 422 naming the rule."""
    if reservation is None:
        return None
    if not is_reserved(reservation):
        return {"scope": "none", "area_lad_codes": [], "sme_only": False, "vcse_only": False}
    if decision.above_threshold is None:
        raise field_error(
            ["body", "reservation"],
            "a reservation needs value.amount_gross and contract_type to show the tender is below threshold",
            "reservation.threshold_unknown",
        )
    if decision.above_threshold:
        assert decision.threshold is not None
        raise field_error(
            ["body", "reservation"],
            f"a reservation is allowed only below threshold; the threshold is "
            f"£{decision.threshold.amount_gross:,} gross from {decision.threshold.effective_from}",
            "reservation.above_threshold",
        )
    area: list[str] = []
    if reservation["scope"] == "local_area":
        area = list(reservation.get("area_lad_codes") or buyer_area)
        if not area:
            raise field_error(
                ["body", "reservation", "area_lad_codes"],
                "a local_area reservation needs area_lad_codes (the buyer tenant has no area)",
                "reservation.area_required",
            )
    elif reservation.get("area_lad_codes"):
        raise field_error(
            ["body", "reservation", "area_lad_codes"],
            "area_lad_codes apply only to scope local_area",
            "reservation.area_without_local_scope",
        )
    return {
        "scope": reservation["scope"],
        "area_lad_codes": sorted(set(area)),
        "sme_only": reservation["sme_only"],
        "vcse_only": reservation["vcse_only"],
    }
