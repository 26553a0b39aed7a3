"""Deadlines for Scottish asset transfer requests.

- The decision is due within 6 months beginning with the validation date (s.82), later if the community
  body agrees an extension; no decision by then counts as a refusal for review and appeal (s.85-86).
- A review (Asset Transfer Request (Review Procedure) (Scotland) Regulations 2016) or an appeal to the
  Scottish Ministers (Appeals Regulations 2016) is asked for within 20 working days beginning with the
  date of the decision notice — or, with no decision, the day after the decision was due.
Working days exclude Saturdays, Sundays and Scottish bank holidays (the `holidays` package, GB-SCT).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

DECISION_PERIOD = relativedelta(months=6)
REVIEW_WORKING_DAYS = 20


@cache
def _scottish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="SCT", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _scottish_holidays(day.year)


def working_day_deadline(start: date, working_days: int) -> date:
    """The `working_days`-th working day of a period beginning with `start` (start is day 1 if it is a
    working day; otherwise counting begins with the next working day)."""
    counted, day = 0, start
    while True:
        if is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def decision_due(validation_date: date) -> date:
    return validation_date + DECISION_PERIOD - timedelta(days=1)


def review_deadline(decision_notice: date) -> date:
    return working_day_deadline(decision_notice, REVIEW_WORKING_DAYS)


def deemed_refusal_date(due: date) -> date:
    """No decision by the end of the day it was due: refused, for review and appeal, from the next day."""
    return due + timedelta(days=1)
