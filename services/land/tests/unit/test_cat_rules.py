"""CAT: the default stage machine, policy validation, scoring, and the £2m undervalue rule."""

from decimal import Decimal

import pytest
from land.cat.policy import (
    DEFAULT_POLICY,
    Criterion,
    PolicyError,
    Stage,
    transition_refusal,
    validate_policy,
    weighted_score,
)
from land.cat.valuation import undervalue

P = DEFAULT_POLICY


@pytest.mark.parametrize(
    ("current", "to", "approved"),
    [
        ("expression_of_interest", "business_case", False),
        ("business_case", "assessment", False),
        ("assessment", "decision", False),
        ("decision", "heads_of_terms", True),
        ("heads_of_terms", "completed", True),
        ("business_case", "withdrawn", False),
        ("assessment", "rejected", False),
    ],
)
def test_allowed_transitions(current: str, to: str, approved: bool) -> None:
    assert transition_refusal(P, current, to, approved=approved) is None


@pytest.mark.parametrize(
    ("current", "to", "approved", "reason"),
    [
        ("expression_of_interest", "assessment", False, "the next stage is business_case"),
        ("assessment", "business_case", False, "the next stage is decision"),
        ("decision", "heads_of_terms", False, "needs an approving decision"),
        ("completed", "withdrawn", True, "the application is completed"),
        ("withdrawn", "business_case", False, "the application is withdrawn"),
        ("business_case", "negotiation", False, "not a stage of this council's policy"),
    ],
)
def test_illegal_transitions_say_why(current: str, to: str, approved: bool, reason: str) -> None:
    refusal = transition_refusal(P, current, to, approved=approved)
    assert refusal is not None and reason in refusal


@pytest.mark.parametrize(
    ("market", "consideration", "amount", "consent"),
    [
        ("2500000.00", "500000.00", "2000000.00", False),  # exactly £2m: within the general consent
        ("2500000.01", "500000.00", "2000000.01", True),
        ("350000.00", "1.00", "349999.00", False),
        ("100000.00", "150000.00", "0.00", False),  # no undervalue when paid more than market value
    ],
)
def test_undervalue_and_secretary_of_state_consent(market: str, consideration: str, amount: str, consent: bool) -> None:
    result = undervalue(Decimal(market), Decimal(consideration))
    assert (result.amount, result.requires_secretary_of_state_consent) == (Decimal(amount), consent)


def test_policy_validation() -> None:
    good = [Stage("eoi", 10), Stage("decision", 10), Stage("completed", None)]
    assert validate_policy(good, [Criterion("benefit", 100)]).first == "eoi"
    with pytest.raises(PolicyError, match="last stage"):
        validate_policy([Stage("eoi", 1), Stage("decision", 1)], [])
    with pytest.raises(PolicyError, match="decision"):
        validate_policy([Stage("eoi", 1), Stage("completed", None)], [])
    with pytest.raises(PolicyError, match="sum to 100"):
        validate_policy(good, [Criterion("a", 60), Criterion("b", 30)])
    with pytest.raises(PolicyError, match="outcomes"):
        validate_policy([Stage("withdrawn", 1), *good], [])


def test_weighted_score() -> None:
    scores = {"community_benefit": 5, "financial_sustainability": 3, "governance_and_capacity": 4, "local_support": 0}
    assert weighted_score(P, scores) == 40 + 15 + 16 + 0
