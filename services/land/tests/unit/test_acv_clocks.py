"""ACV clocks as a table of worked cases: every period begins with its trigger day."""

from datetime import date

import pytest
from land.acv.clocks import (
    BidRequestTooLate,
    appeal_deadline,
    decision_due,
    full_moratorium_for,
    judge_disposal_notice,
    listing_ends,
    moratorium_ends,
    review_request_deadline,
    start_moratorium,
)
from land.acv.regimes import CRTB_CODE, LA2011, RegimeBook

D = date.fromisoformat


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2025-01-31", "2025-03-27"),  # SPEC's example
        ("2024-01-04", "2024-02-28"),  # 8 weeks across a leap February
        ("2024-01-05", "2024-02-29"),  # ... ending on the leap day
        ("2025-12-01", "2026-01-25"),  # across a year end
    ],
)
def test_decision_due_eight_weeks(received: str, due: str) -> None:
    assert decision_due(LA2011, D(received)) == D(due)


@pytest.mark.parametrize(
    ("t0", "interim", "full", "protected"),
    [
        ("2025-03-03", "2025-04-13", "2025-09-02", "2026-09-02"),  # SPEC's worked example
        ("2023-08-31", "2023-10-11", "2024-02-28", "2025-02-27"),  # 31 Aug + 6 months clamps to 29 Feb 2024
        ("2024-02-29", "2024-04-10", "2024-08-28", "2025-08-28"),  # a leap-day notice
        ("2025-12-31", "2026-02-10", "2026-06-29", "2027-06-29"),  # year end; 31 Dec + 6 months = 30 Jun
    ],
)
def test_moratorium_clocks(t0: str, interim: str, full: str, protected: str) -> None:
    m = start_moratorium(LA2011, D(t0))
    assert (m.interim_ends, m.protected_ends) == (D(interim), D(protected))
    assert full_moratorium_for(LA2011, m, D(t0)) == D(full)


def test_bid_request_on_the_last_interim_day_triggers_the_full_moratorium() -> None:
    m = start_moratorium(LA2011, D("2025-03-03"))
    assert full_moratorium_for(LA2011, m, D("2025-04-13")) == D("2025-09-02")


def test_bid_request_the_day_after_the_interim_period_is_too_late() -> None:
    m = start_moratorium(LA2011, D("2025-03-03"))
    with pytest.raises(BidRequestTooLate, match="after the interim moratorium ended on 2025-04-13"):
        full_moratorium_for(LA2011, m, D("2025-04-14"))


def test_bid_request_before_the_notice_is_refused() -> None:
    m = start_moratorium(LA2011, D("2025-03-03"))
    with pytest.raises(BidRequestTooLate, match="before the disposal notice"):
        full_moratorium_for(LA2011, m, D("2025-03-02"))


def test_second_notice_inside_the_protected_period_starts_no_moratorium() -> None:
    first = start_moratorium(LA2011, D("2025-03-03"))
    inside = judge_disposal_notice([first], D("2026-09-02"))  # the protected period's last day
    assert not inside.starts_moratorium
    assert "protected period" in inside.reason
    assert judge_disposal_notice([first], D("2026-09-03")).starts_moratorium
    assert judge_disposal_notice([], D("2025-03-03")).starts_moratorium


def test_listing_review_and_appeal_deadlines() -> None:
    assert listing_ends(LA2011, D("2025-03-27")) == D("2030-03-26")
    assert listing_ends(LA2011, D("2024-02-29")) == D("2029-02-27")  # 29 Feb + 5 years = 28 Feb 2029
    assert review_request_deadline(LA2011, D("2025-03-27")) == D("2025-05-21")
    assert appeal_deadline(LA2011, D("2025-06-30")) == D("2025-07-27")


def test_moratorium_ends_is_the_full_one_when_it_began() -> None:
    m = start_moratorium(LA2011, D("2025-03-03"))
    assert moratorium_ends(m) == D("2025-04-13")
    assert moratorium_ends(m.__class__(**{**m.__dict__, "full_ends": D("2025-09-02")})) == D("2025-09-02")


def test_regime_switches_by_the_date_a_nomination_is_received() -> None:
    book = RegimeBook.default(crtb_effective_from=D("2027-04-01"))
    assert book.in_force_on(D("2027-03-31")).code == "LA2011"
    crtb = book.in_force_on(D("2027-04-01"))
    assert crtb.code == CRTB_CODE
    m = start_moratorium(crtb, D("2027-05-10"))
    assert full_moratorium_for(crtb, m, D("2027-05-10")) == D("2028-05-09")  # 12 months, not 6
    # An old case keeps its regime: looked up by the code stored on it.
    assert book.by_code("LA2011").full_moratorium.months == 6


def test_without_a_crtb_date_only_la2011_is_in_force() -> None:
    book = RegimeBook.default()
    assert book.in_force_on(D("2030-01-01")).code == "LA2011"
