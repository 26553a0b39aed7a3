"""Award criteria: weights must sum to exactly 100; a criterion with a framework counts as social value."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from localwealth_shared.http.problems import field_error

HUNDRED = Decimal(100)


def check_award_criteria(criteria: Sequence[dict[str, Any]]) -> None:
    if not criteria:
        return
    total = sum((Decimal(c["weight_pct"]) for c in criteria), Decimal(0))
    if total != HUNDRED:
        raise field_error(
            ["body", "award_criteria"],
            f"weight_pct of all award criteria must sum to 100; they sum to {total.normalize():f}",
            "award_criteria.weights_sum",
        )
    names = [c["name"].strip().casefold() for c in criteria]
    if len(set(names)) != len(names):
        raise field_error(["body", "award_criteria"], "criterion names must be unique", "award_criteria.unique")


def is_social_value(criterion: dict[str, Any]) -> bool:
    return bool(criterion.get("framework")) or "social value" in criterion["name"].casefold()


def social_value_weight(criteria: Sequence[dict[str, Any]]) -> Decimal | None:
    if not criteria:
        return None
    return sum((Decimal(c["weight_pct"]) for c in criteria if is_social_value(c)), Decimal(0))
