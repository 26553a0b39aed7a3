"""Every nominator and bidder category, allowed and refused, each with its reason."""

from typing import Any

import pytest
from land.acv.eligibility import judge_bidder, judge_nominator

OXFORD = ("E07000178",)


def org(legal_form: str | None, *, members: int | None = None, lad: str = "E07000178") -> dict[str, Any]:
    return {"legal_form": legal_form, "members": members, "sites": [{"postcode": "OX1 1BX", "lad_code": lad}]}


@pytest.mark.parametrize(
    ("legal_form", "members", "non_distributing", "category"),
    [
        ("parish_council", None, None, "parish_council"),
        ("charity_trust", None, None, "charity"),
        ("charitable_incorporated_organisation", None, None, "charity"),
        ("community_interest_company", None, None, "community_interest_company"),
        ("company_limited_by_guarantee", None, True, "non_distributing_company_limited_by_guarantee"),
        ("registered_society_cooperative", None, True, "non_distributing_registered_society_cooperative"),
        ("registered_society_community_benefit", None, True, "non_distributing_registered_society_community_benefit"),
        ("unincorporated_association", 21, True, "unincorporated_body"),
    ],
)
def test_eligible_nominators(
    legal_form: str, members: int | None, non_distributing: bool | None, category: str
) -> None:
    judgement = judge_nominator(org(legal_form, members=members), OXFORD, non_distributing=non_distributing)
    assert judgement.eligible, judgement.reason
    assert judgement.category == category
    assert "E07000178" in judgement.reason


@pytest.mark.parametrize(
    ("legal_form", "members", "non_distributing", "reason"),
    [
        ("credit_union", None, True, "credit union is excluded"),
        ("company_limited_by_guarantee", None, None, "does not distribute surplus"),
        ("registered_society_cooperative", None, False, "does not distribute surplus"),
        ("unincorporated_association", 20, True, "at least 21 members; the registry records 20"),
        ("unincorporated_association", None, True, "records no membership"),
        ("unincorporated_association", 40, None, "does not distribute surplus"),
        ("company_limited_by_shares", None, True, "company limited by shares is not a body that may nominate"),
        ("plc", None, None, "plc is not a body"),
        ("sole_trader", None, None, "sole trader is not a body"),
        (None, None, None, "an unknown legal form"),
    ],
)
def test_refused_nominators(
    legal_form: str | None, members: int | None, non_distributing: bool | None, reason: str
) -> None:
    judgement = judge_nominator(org(legal_form, members=members), OXFORD, non_distributing=non_distributing)
    assert not judgement.eligible
    assert reason in judgement.reason


def test_no_local_connection_is_refused_with_its_reason() -> None:
    judgement = judge_nominator(org("charity_trust", lad="E09000033"), OXFORD)
    assert not judgement.eligible
    assert "no local connection" in judgement.reason


@pytest.mark.parametrize(
    ("legal_form", "non_distributing", "eligible", "reason"),
    [
        ("parish_council", None, True, "parish council"),
        ("charity_trust", None, True, "charity"),
        ("community_interest_company", None, True, "community interest company"),
        ("company_limited_by_guarantee", True, True, "does not distribute surplus"),
        ("registered_society_community_benefit", True, True, "does not distribute surplus"),
        ("registered_society_cooperative", None, False, "qualifies only if it does not distribute"),
        ("unincorporated_association", True, False, "not a body that may be treated as a potential bidder"),
        ("credit_union", True, False, "credit union is excluded"),
        ("company_limited_by_shares", None, False, "not a body that may be treated as a potential bidder"),
    ],
)
def test_bidders(legal_form: str, non_distributing: bool | None, eligible: bool, reason: str) -> None:
    judgement = judge_bidder(org(legal_form, members=50), OXFORD, non_distributing=non_distributing)
    assert judgement.eligible is eligible
    assert reason in judgement.reason
