"""Scottish asset transfer deadlines: 6 months from validation, 20 working days over Scottish holidays."""

from datetime import date

import pytest
from land.scotland.deadlines import decision_due, deemed_refusal_date, is_working_day, review_deadline

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-12-01", False),  # St Andrew's Day (observed: 30 Nov was a Sunday)
        ("2026-01-02", False),  # 2 January is a holiday in Scotland, not in England
        ("2025-04-21", True),  # Easter Monday is not a Scottish bank holiday
        ("2025-08-04", False),  # Scotland's summer bank holiday is the first Monday of August
        ("2025-08-25", True),  # ... not England's last Monday
        ("2025-11-29", False),  # a Saturday
    ],
)
def test_scottish_working_days(day: str, working: bool) -> None:
    assert is_working_day(D(day)) is working


@pytest.mark.parametrize(
    ("notice", "deadline"),
    [
        ("2025-03-03", "2025-03-28"),  # four plain weeks: day 1 is the notice day
        ("2025-12-15", "2026-01-15"),  # across 25, 26 Dec, 1 and 2 Jan
        ("2025-11-17", "2025-12-15"),  # across St Andrew's Day observed on Monday 1 Dec
        ("2025-07-21", "2025-08-18"),  # across the summer bank holiday
        ("2025-03-01", "2025-03-28"),  # a Saturday notice: counting starts on Monday
    ],
)
def test_twenty_working_days_beginning_with_the_notice(notice: str, deadline: str) -> None:
    assert review_deadline(D(notice)) == D(deadline)


def test_decision_due_six_months_and_deemed_refusal() -> None:
    assert decision_due(D("2025-03-03")) == D("2025-09-02")
    assert decision_due(D("2025-08-31")) == D("2026-02-27")
    assert deemed_refusal_date(D("2025-09-02")) == D("2025-09-03")
