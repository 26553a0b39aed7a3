"""The organisation impact score: each component with its reason, and components without data left out."""

from __future__ import annotations

from decimal import Decimal

from impact.scores.score import WEIGHTS, score_organisation

COOP = {
    "legal_form": "registered_society_cooperative",
    "ownership": ["worker_cooperative"],
    "flags": {"is_sme": True, "is_vcse": False, "is_social_economy": True},
    "certifications": [{"scheme": "real_living_wage", "status": "active"}, {"scheme": "b_corp", "status": "active"}],
    "sites": [{"lad_code": "E07000178", "is_operating_site": True}],
}
PLAIN = {
    "legal_form": "company_limited_by_shares",
    "flags": {"is_sme": False, "is_vcse": False, "is_social_economy": False},
    "certifications": [{"scheme": "real_living_wage", "status": "expired"}],
    "sites": [],
}


def test_a_living_wage_worker_coop_without_contracts_yet() -> None:
    score = score_organisation(COOP)
    parts = score.components
    assert parts["ownership"].points == WEIGHTS["ownership"] and "worker cooperative" in parts["ownership"].reason
    assert parts["fair_employment"].points == WEIGHTS["fair_employment"]
    assert (
        parts["certifications"].points == WEIGHTS["certifications"] / 3 and "B Corp" in parts["certifications"].reason
    )
    assert parts["local_economy"].points == WEIGHTS["local_economy"]
    assert parts["social_value"].points is None and "not scored" in parts["social_value"].reason
    # 30 + 20 + 5 + 10 earned out of the 75 available (social value has no data).
    assert score.score == round(100 * 65 / 75, 1)
    assert len(score.explanation()) == 5


def test_social_value_delivery_counts_once_there_are_commitments() -> None:
    half = score_organisation(COOP, delivered=Decimal("500"), committed=Decimal("1000"))
    full = score_organisation(COOP, delivered=Decimal("5000"), committed=Decimal("1000"))  # capped at 100 %
    assert half.components["social_value"].points == WEIGHTS["social_value"] / 2
    assert full.components["social_value"].points == WEIGHTS["social_value"]
    assert half.score == round(100 * (65 + 12.5) / 100, 1) and full.score == 90.0


def test_a_conventional_company_scores_low_and_expired_certificates_do_not_count() -> None:
    score = score_organisation(PLAIN)
    assert score.score == 0.0
    assert score.components["fair_employment"].reason == "no current Real Living Wage accreditation"
    assert score.components["local_economy"].reason == "no operating site known"


def test_scores_stay_within_bounds() -> None:
    for data in (COOP, PLAIN, {}):
        for delivered, committed in ((None, None), (Decimal(0), Decimal(10)), (Decimal(99), Decimal(1))):
            assert 0 <= score_organisation(data, delivered, committed).score <= 100
