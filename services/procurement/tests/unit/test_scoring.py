"""The match score's components and explanations, on hand-made suppliers and tenders."""

from __future__ import annotations

from decimal import Decimal

from procurement.matching.model import Opportunity, Site, SupplierFacts
from procurement.matching.scoring import cpv_component, eligibility, score
from procurement.matching.weights import DEFAULT_WEIGHTS

OXFORD, CHERWELL = "E07000178", "E07000177"
OXFORD_CENTRE = (51.752, -1.258)
BANBURY = (52.063, -1.340)


def supplier(**changes: object) -> SupplierFacts:
    base: dict[str, object] = {
        "id": "s1",
        "name": "Cowley Kitchen Co-op",
        "cpv_codes": ("55520000",),
        "sites": (Site(*OXFORD_CENTRE, OXFORD, True),),
        "turnover": Decimal(400000),
        "employees": 12,
        "is_vcse": True,
        "is_sme": True,
        "is_social_economy": True,
        "legal_form": "registered_society_cooperative",
        "ownership": ("worker_cooperative",),
        "certifications": ("real_living_wage",),
        "impact_score": 80.0,
    }
    return SupplierFacts(**{**base, **changes})  # type: ignore[arg-type]


def tender(**changes: object) -> Opportunity:
    base: dict[str, object] = {
        "tender_id": "t1",
        "lot_id": None,
        "title": "Catering",
        "cpv_codes": ("55520000",),
        "value": Decimal(80000),
        "lat": OXFORD_CENTRE[0],
        "lon": OXFORD_CENTRE[1],
        "delivery_lad_codes": (OXFORD,),
        "reservation": None,
    }
    return Opportunity(**{**base, **changes})  # type: ignore[arg-type]


def test_a_division_level_supplier_code_matches_every_code_below_it() -> None:
    value, reason = cpv_component(supplier(cpv_codes=("85000000",)), tender(cpv_codes=("85311000",)))
    assert value == 0.3 and reason == "CPV 85311000 matches at division level (supplier offers 85000000)"
    assert cpv_component(supplier(cpv_codes=("85310000",)), tender(cpv_codes=("85311000",)))[0] == 0.7
    assert cpv_component(supplier(cpv_codes=("85311000",)), tender(cpv_codes=("85311000",)))[1] == (
        "CPV 85311000 matches exactly"
    )


def test_text_similar_or_digit_similar_codes_do_not_match() -> None:
    # 39311000 is "catering equipment", 55520000 "catering services": similar words, different trees.
    assert cpv_component(supplier(cpv_codes=("39311000",)), tender(cpv_codes=("55520000",)))[0] == 0
    assert cpv_component(supplier(cpv_codes=("58311000",)), tender(cpv_codes=("85311000",)))[0] == 0


def test_deeper_cpv_agreement_scores_higher() -> None:
    t = tender(cpv_codes=("85311000",))
    scores = [score(supplier(cpv_codes=(c,)), t, DEFAULT_WEIGHTS).score for c in ("85000000", "85300000", "85310000")]
    assert scores == sorted(scores) and len(set(scores)) == 3


def test_explanation_names_cpv_distance_capacity_and_social_economy() -> None:
    match = score(supplier(), tender(), DEFAULT_WEIGHTS)
    assert match.eligible
    assert match.reasons[0] == "CPV 55520000 matches exactly"
    assert f"operating site in the delivery area ({OXFORD})" in match.reasons
    assert "operating site 0.0 km from delivery" in match.reasons
    assert "£80,000 contract against £400,000 turnover" in match.reasons
    assert "social economy organisation (registered society cooperative)" in match.reasons
    assert "certified: Real Living Wage employer" in match.reasons and "impact score 80/100" in match.reasons
    assert 0 < match.score <= 1
    assert set(match.components) == {"cpv", "geography", "capacity", "social_economy", "certifications", "impact"}


def test_reservation_eligibility_is_judged_on_operating_sites_not_the_registered_office() -> None:
    local = tender(
        reservation={"scope": "local_area", "area_lad_codes": [OXFORD], "sme_only": False, "vcse_only": False}
    )
    office_only = supplier(sites=(Site(*OXFORD_CENTRE, OXFORD, False), Site(*BANBURY, CHERWELL, True)))
    eligible, reasons = eligibility(office_only, local)
    assert not eligible
    assert reasons == ["not eligible: reserved to the local area and only the registered office is there"]
    operating_here = supplier(sites=(Site(*BANBURY, CHERWELL, False), Site(*OXFORD_CENTRE, OXFORD, True)))
    assert eligibility(operating_here, local) == (True, [])
    match = score(office_only, local, DEFAULT_WEIGHTS)
    assert match.eligible is False and match.reasons[0].startswith("not eligible")


def test_sme_and_vcse_reservations() -> None:
    vcse_only = tender(reservation={"scope": "none", "area_lad_codes": [], "sme_only": False, "vcse_only": True})
    assert eligibility(supplier(is_vcse=False), vcse_only) == (False, ["not eligible: reserved to VCSEs"])


def test_a_large_contract_for_a_small_supplier_suggests_a_lot() -> None:
    big = tender(
        value=Decimal(2_000_000),
        lots=(("1", "North", Decimal(40000)), ("2", "South", Decimal(1_960_000))),
    )
    small = supplier(turnover=Decimal(50000))
    match = score(small, big, DEFAULT_WEIGHTS)
    assert match.components["capacity"] < 0.1
    assert match.suggested_lot_id == "1"
    assert "large for this supplier: lot 1 (North, £40,000) fits better" in match.reasons
    assert score(supplier(turnover=Decimal(50_000_000)), big, DEFAULT_WEIGHTS).suggested_lot_id is None


def test_nearer_operating_sites_score_higher_geography() -> None:
    near = score(supplier(), tender(delivery_lad_codes=()), DEFAULT_WEIGHTS).components["geography"]
    far = score(supplier(sites=(Site(*BANBURY, CHERWELL, True),)), tender(delivery_lad_codes=()), DEFAULT_WEIGHTS)
    assert near > far.components["geography"] > 0
    assert any(r.startswith("operating site 3") for r in far.reasons)  # Banbury is ~35 km from Oxford
