"""Reservation only below threshold, local area defaulting to the buyer's; award weights summing to 100."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from localwealth_shared.http.problems import Problem
from procurement.rules.award_criteria import check_award_criteria, social_value_weight
from procurement.rules.reservation import resolve_reservation
from procurement.rules.thresholds import default_thresholds

LOCAL = {"scope": "local_area", "area_lad_codes": None, "sme_only": False, "vcse_only": True}


def decision(amount: str, on: date = date(2026, 3, 1)):  # type: ignore[no-untyped-def]
    return default_thresholds().decide(Decimal(amount), "council", "services", on)


def rule_of(exc: pytest.ExceptionInfo[Problem]) -> str:
    return exc.value.errors[0]["type"]


def test_local_reservation_below_threshold_defaults_to_the_buyers_area() -> None:
    resolved = resolve_reservation(LOCAL, decision("180000"), ("E07000178",))
    assert resolved == {"scope": "local_area", "area_lad_codes": ["E07000178"], "sme_only": False, "vcse_only": True}


@pytest.mark.parametrize("amount", ["250000", "207720"])
def test_reservation_at_or_above_threshold_is_refused(amount: str) -> None:
    with pytest.raises(Problem) as exc:
        resolve_reservation(LOCAL, decision(amount), ("E07000178",))
    assert exc.value.status == 422 and rule_of(exc) == "reservation.above_threshold"


def test_reservation_without_a_gross_value_is_refused() -> None:
    undecided = default_thresholds().decide(None, "council", "services", date(2026, 3, 1))
    with pytest.raises(Problem) as exc:
        resolve_reservation({**LOCAL, "scope": "uk"}, undecided, ())
    assert rule_of(exc) == "reservation.threshold_unknown"


def test_local_reservation_needs_an_area() -> None:
    with pytest.raises(Problem) as exc:
        resolve_reservation(LOCAL, decision("1000"), ())
    assert rule_of(exc) == "reservation.area_required"


def test_no_reservation_is_allowed_above_threshold() -> None:
    none = {"scope": "none", "area_lad_codes": None, "sme_only": False, "vcse_only": False}
    assert resolve_reservation(none, decision("9000000"), ())["scope"] == "none"


def test_award_weights_must_sum_to_100() -> None:
    check_award_criteria([{"name": "Price", "weight_pct": "60"}, {"name": "Quality", "weight_pct": "40"}])
    with pytest.raises(Problem) as exc:
        check_award_criteria([{"name": "Price", "weight_pct": "60"}, {"name": "Quality", "weight_pct": "30"}])
    assert rule_of(exc) == "award_criteria.weights_sum" and "90" in exc.value.errors[0]["msg"]


def test_social_value_weight() -> None:
    criteria = [
        {"name": "Price", "weight_pct": "50", "framework": None},
        {"name": "Social value", "weight_pct": "20", "framework": "National TOMs"},
        {"name": "Quality", "weight_pct": "30", "framework": None},
    ]
    assert social_value_weight(criteria) == Decimal(20)
