"""The explainable score of one supplier for one opportunity (SPEC §5.2): each component is 0–1 with a
reason a person can read; the score is their weighted sum. Pure functions, no I/O."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from localwealth_shared.reference.classification import CPV_LEVEL_NAMES, cpv_match_depth
from localwealth_shared.reference.geography import haversine_km

from procurement.matching.model import Opportunity, Site, SupplierFacts

# Deeper CPV agreement is better; a division alone is a weak signal.
CPV_DEPTH_SCORE = {8: 1.0, 5: 0.85, 4: 0.7, 3: 0.5, 2: 0.3, 0: 0.0}
# Distance at which the geography score halves: local delivery within a few km scores near 1.
HALF_SCORE_KM = 20.0
# Without a turnover, capacity is estimated from employees at this turnover per head (UK SME median order).
TURNOVER_PER_EMPLOYEE = Decimal(60000)
UNKNOWN = 0.5  # a fact we do not have counts as neither good nor bad
CERTIFICATION_LABELS = {
    "social_enterprise_mark": "Social Enterprise Mark",
    "real_living_wage": "Real Living Wage employer",
    "b_corp": "B Corp",
    "fair_tax_mark": "Fair Tax Mark",
}


@dataclass(slots=True)
class Match:
    supplier_id: str
    tender_id: str
    lot_id: str | None
    score: float
    eligible: bool
    components: dict[str, float]
    reasons: list[str]
    suggested_lot_id: str | None = None


# The same few thousand code pairs come up again and again; the depth of a pair never changes.
_depth = functools.lru_cache(maxsize=1 << 16)(cpv_match_depth)


def _money(value: Decimal) -> str:
    return f"£{value:,.0f}"


def cpv_component(supplier: SupplierFacts, opp: Opportunity) -> tuple[float, str | None]:
    best, pair = 0, None
    for tender_code in opp.cpv_codes:
        for supplier_code in supplier.cpv_codes:
            depth = _depth(supplier_code, tender_code)
            if depth > best:
                best, pair = depth, (tender_code, supplier_code)
    if pair is None:
        return 0.0, "no CPV code in common with the tender" if opp.cpv_codes else None
    tender_code, supplier_code = pair
    level = CPV_LEVEL_NAMES[best]
    how = "exactly" if tender_code == supplier_code else f"at {level} level (supplier offers {supplier_code})"
    return CPV_DEPTH_SCORE[best], f"CPV {tender_code} matches {how}"


def nearest_site_km(sites: tuple[Site, ...], lat: float, lon: float) -> float | None:
    distances = [haversine_km(s.lat, s.lon, lat, lon) for s in sites if s.lat is not None and s.lon is not None]
    return min(distances, default=None)


def geography_value(km: float | None, local: bool, located: bool) -> float:
    """The geography component from the nearest operating site's distance (None: no geocoded site), whether
    an operating site is in the delivery area, and whether the tender has a delivery location."""
    if not located:
        return 1.0 if local else UNKNOWN
    if km is None:
        return 1.0 if local else 0.0
    score = HALF_SCORE_KM / (HALF_SCORE_KM + km)
    return max(score, 0.9) if local else score


def geography_component(supplier: SupplierFacts, opp: Opportunity) -> tuple[float, list[str]]:
    reasons: list[str] = []
    operating = supplier.operating_sites
    local = [s for s in operating if s.lad_code and s.lad_code in opp.delivery_lad_codes]
    if local:
        reasons.append(f"operating site in the delivery area ({local[0].lad_code})")
    km = None
    if opp.lat is None or opp.lon is None:
        reasons = reasons or ["tender has no delivery location"]
    else:
        km = nearest_site_km(operating, opp.lat, opp.lon)
        if km is None:
            reasons = reasons or ["no geocoded operating site"]
        else:
            reasons.append(f"operating site {km:.1f} km from delivery")
    return geography_value(km, bool(local), opp.lat is not None and opp.lon is not None), reasons


def capacity_of(supplier: SupplierFacts) -> Decimal | None:
    if supplier.turnover is not None and supplier.turnover > 0:
        return supplier.turnover
    if supplier.employees:
        return TURNOVER_PER_EMPLOYEE * supplier.employees
    return None


def capacity_fit(value: Decimal, capacity: Decimal) -> float:
    """1 while the contract is at most a quarter of annual turnover, falling as it outgrows the supplier."""
    ratio = value / capacity
    if ratio <= Decimal("0.25"):
        return 1.0
    if ratio <= 1:
        return float(1 - (ratio - Decimal("0.25")) * Decimal("0.6"))  # 1.0 → 0.55
    return float(Decimal("0.55") / ratio)


def capacity_fit_float(ratio: float) -> float:
    """`capacity_fit` of value/capacity in floats, for the bounded search (`search.py`), which only uses it to
    prune and re-scores its finalists with `score`. Keep the two curves the same."""
    if ratio <= 0.25:
        return 1.0
    if ratio <= 1:
        return 1 - (ratio - 0.25) * 0.6
    return 0.55 / ratio


def capacity_component(supplier: SupplierFacts, opp: Opportunity) -> tuple[float, list[str], str | None]:
    capacity = capacity_of(supplier)
    if opp.value is None or capacity is None:
        return UNKNOWN, ["capacity unknown (no contract value or no turnover/employees)"], None
    basis = "turnover" if supplier.turnover else f"{supplier.employees} employees"
    fit = capacity_fit(opp.value, capacity)
    reasons = [f"{_money(opp.value)} contract against {_money(capacity)} {basis}"]
    suggestion = None
    if fit < 0.55 and opp.lot_id is None and opp.lots:
        fitting = [(capacity_fit(v, capacity), lot_id, title, v) for lot_id, title, v in opp.lots if v is not None]
        if fitting:
            lot_fit, lot_id, title, lot_value = max(fitting, key=lambda f: (f[0], -f[3]))
            if lot_fit > fit:
                suggestion = lot_id
                reasons.append(
                    f"large for this supplier: lot {lot_id} ({title or 'untitled'}, {_money(lot_value)}) fits better"
                )
    return fit, reasons, suggestion


def social_economy_component(supplier: SupplierFacts) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    if supplier.is_social_economy:
        score += 0.6
        reasons.append(f"social economy organisation ({(supplier.legal_form or 'other').replace('_', ' ')})")
    if supplier.is_vcse:
        score += 0.2
        reasons.append("VCSE")
    if supplier.ownership:
        score += 0.2
        reasons.append("ownership: " + ", ".join(o.replace("_", " ") for o in supplier.ownership))
    return min(score, 1.0), reasons


def certifications_component(supplier: SupplierFacts) -> tuple[float, list[str]]:
    held = [CERTIFICATION_LABELS.get(c, c) for c in supplier.certifications]
    return min(0.5 * len(held), 1.0), ([f"certified: {', '.join(held)}"] if held else [])


def impact_component(supplier: SupplierFacts) -> tuple[float, list[str]]:
    if supplier.impact_score is None:
        return 0.0, []
    return supplier.impact_score / 100, [f"impact score {supplier.impact_score:.0f}/100"]


def eligibility(supplier: SupplierFacts, opp: Opportunity) -> tuple[bool, list[str]]:
    """Reservation rules judged on operating sites (a registered office where nothing is done does not count)."""
    r = opp.reservation
    if not r:
        return True, []
    failures: list[str] = []
    if r.get("scope") == "local_area":
        area = {str(code) for code in r.get("area_lad_codes") or ()}  # type: ignore[attr-defined]
        if not any(s.lad_code in area for s in supplier.operating_sites):
            offices = [s for s in supplier.sites if not s.is_operating and s.lad_code in area]
            failures.append(
                "not eligible: reserved to the local area and only the registered office is there"
                if offices
                else "not eligible: reserved to the local area and no operating site is in it"
            )
    elif r.get("scope") == "uk" and not any(s.lad_code for s in supplier.operating_sites):
        failures.append("not eligible: reserved to UK suppliers and no UK operating site is known")
    if r.get("sme_only") and not supplier.is_sme:
        failures.append("not eligible: reserved to SMEs")
    if r.get("vcse_only") and not supplier.is_vcse:
        failures.append("not eligible: reserved to VCSEs")
    return not failures, failures


def score(supplier: SupplierFacts, opp: Opportunity, weights: Mapping[str, float]) -> Match:
    cpv, cpv_reason = cpv_component(supplier, opp)
    geography, geo_reasons = geography_component(supplier, opp)
    capacity, capacity_reasons, suggested = capacity_component(supplier, opp)
    social, social_reasons = social_economy_component(supplier)
    certs, cert_reasons = certifications_component(supplier)
    impact, impact_reasons = impact_component(supplier)
    eligible, eligibility_reasons = eligibility(supplier, opp)
    components = {
        "cpv": round(cpv, 4),
        "geography": round(geography, 4),
        "capacity": round(capacity, 4),
        "social_economy": round(social, 4),
        "certifications": round(certs, 4),
        "impact": round(impact, 4),
    }
    total = sum(weights[name] * value for name, value in components.items())
    reasons = [
        *eligibility_reasons,
        *([cpv_reason] if cpv_reason else []),
        *geo_reasons,
        *capacity_reasons,
        *social_reasons,
        *cert_reasons,
        *impact_reasons,
    ]
    return Match(supplier.id, opp.tender_id, opp.lot_id, round(total, 4), eligible, components, reasons, suggested)
