"""The organisation impact score (0–100): how much an organisation's way of working keeps wealth local and
shared, from what the registry says it is and the social value it has delivered on public contracts.

Each component earns points out of its weight, with a reason. A component with no data (an organisation
that has never committed social value on a contract) is left out of both sides of the sum rather than
scored zero, so the score is `100 × earned / available` and a newcomer is not penalised for being new.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from impact.organisations.certifications import holds

WEIGHTS = {
    "ownership": 30.0,  # co-operative, mutual, community or employee ownership; VCSE
    "fair_employment": 20.0,  # Real Living Wage accreditation
    "certifications": 15.0,  # Social Enterprise Mark, B Corp, Fair Tax Mark
    "local_economy": 10.0,  # an SME with an operating site (money paid to it tends to stay local)
    "social_value": 25.0,  # social value delivered ÷ committed on contracts
}
COOPERATIVE_FORMS = {"registered_society_cooperative", "registered_society_community_benefit", "credit_union"}
OWNERSHIP_OVERLAYS = {
    "worker_cooperative", "consumer_cooperative", "multi_stakeholder", "community_owned", "employee_owned_trust",
    "community_land_trust", "tenant_owned",
}  # fmt: skip
CERTIFICATIONS = {
    "social_enterprise_mark": "Social Enterprise Mark",
    "b_corp": "B Corp",
    "fair_tax_mark": "Fair Tax Mark",
}


@dataclass(frozen=True)
class Component:
    points: float | None  # None: no data, left out of the score
    weight: float
    reason: str


@dataclass(frozen=True)
class Score:
    score: float
    components: dict[str, Component]

    def api(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "components": {
                name: {"points": c.points, "weight": c.weight, "reason": c.reason}
                for name, c in self.components.items()
            },
            "explanation": self.explanation(),
        }

    def explanation(self) -> list[str]:
        return [c.reason for c in self.components.values()]


def ownership(data: dict[str, Any]) -> Component:
    weight = WEIGHTS["ownership"]
    overlays = sorted(OWNERSHIP_OVERLAYS & set(data.get("ownership") or ()))
    flags = data.get("flags") or {}
    if data.get("legal_form") in COOPERATIVE_FORMS or overlays:
        what = ", ".join(o.replace("_", " ") for o in overlays) or str(data.get("legal_form", "")).replace("_", " ")
        return Component(weight, weight, f"owned by its members or community ({what})")
    if flags.get("is_vcse"):
        return Component(weight * 0.8, weight, "a voluntary, community or social enterprise organisation")
    if flags.get("is_social_economy"):
        return Component(weight * 0.6, weight, "part of the social economy")
    return Component(0.0, weight, "conventionally owned")


def fair_employment(data: dict[str, Any]) -> Component:
    weight = WEIGHTS["fair_employment"]
    if holds(data, "real_living_wage"):
        return Component(weight, weight, "a Real Living Wage accredited employer")
    return Component(0.0, weight, "no current Real Living Wage accreditation")


def certifications(data: dict[str, Any]) -> Component:
    weight = WEIGHTS["certifications"]
    held = [label for scheme, label in CERTIFICATIONS.items() if holds(data, scheme)]
    if not held:
        return Component(0.0, weight, "no current Social Enterprise Mark, B Corp or Fair Tax Mark")
    return Component(weight * len(held) / len(CERTIFICATIONS), weight, f"certified: {', '.join(held)}")


def local_economy(data: dict[str, Any]) -> Component:
    weight = WEIGHTS["local_economy"]
    operating = [s for s in data.get("sites") or [] if s.get("is_operating_site") and s.get("lad_code")]
    is_sme = bool((data.get("flags") or {}).get("is_sme"))
    if is_sme and operating:
        return Component(weight, weight, f"an SME operating from {len(operating)} site(s)")
    if operating:
        return Component(weight / 2, weight, f"operates from {len(operating)} site(s), not an SME")
    return Component(0.0, weight, "no operating site known")


def social_value(delivered: Decimal | None, committed: Decimal | None) -> Component:
    weight = WEIGHTS["social_value"]
    if not committed:
        return Component(None, weight, "no social value commitments on contracts yet (not scored)")
    ratio = min(float((delivered or Decimal(0)) / committed), 1.0)
    return Component(
        round(weight * ratio, 2), weight, f"delivered {ratio:.0%} of the social value committed on its contracts"
    )


def score_organisation(
    data: dict[str, Any], delivered: Decimal | None = None, committed: Decimal | None = None
) -> Score:
    """The score of one organisation, from its registry projection and its social value totals."""
    components = {
        "ownership": ownership(data),
        "fair_employment": fair_employment(data),
        "certifications": certifications(data),
        "local_economy": local_economy(data),
        "social_value": social_value(delivered, committed),
    }
    scored = [c for c in components.values() if c.points is not None]
    available = sum(c.weight for c in scored)
    earned = sum(c.points for c in scored if c.points is not None)
    return Score(round(100 * earned / available, 1) if available else 0.0, components)
