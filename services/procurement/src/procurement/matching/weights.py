"""Weights of the score components. Defaults are documented in the README; a tenant may set its own."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

COMPONENTS = ("cpv", "geography", "capacity", "social_economy", "certifications", "impact")

# What the work is matters most, then where it is done; who the supplier is counts, but a CWB-minded buyer
# can raise social_economy. They sum to 1 so the score stays in 0–1.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "cpv": 0.35,
    "geography": 0.25,
    "capacity": 0.15,
    "social_economy": 0.15,
    "certifications": 0.05,
    "impact": 0.05,
}


def normalised(weights: Mapping[str, Decimal | float]) -> dict[str, float]:
    """Scale given weights to sum to 1 (the API stores them as they were entered)."""
    total = sum(float(weights[c]) for c in COMPONENTS)
    return {c: float(weights[c]) / total for c in COMPONENTS}
