"""ACV clock arithmetic. Every statutory period "begins with" its trigger day, so the trigger is day 1:
end = trigger + period − 1 day (calendar arithmetic; relativedelta clamps month ends, e.g. 31 Aug + 6
months = 28/29 Feb).

Worked example (SPEC §6.2): a disposal notice received 2025-03-03 → interim moratorium ends 2025-04-13,
full moratorium 2025-09-02, protected period 2026-09-02.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from land.acv.regimes import Regime


def period_end(trigger: date, period: relativedelta) -> date:
    return trigger + period - timedelta(days=1)


def decision_due(regime: Regime, received: date) -> date:
    return period_end(received, regime.decision_period)


def listing_ends(regime: Regime, listed_on: date) -> date:
    return period_end(listed_on, regime.listing_period)


def review_request_deadline(regime: Regime, listed_on: date) -> date:
    return period_end(listed_on, regime.review_request_period)


def appeal_deadline(regime: Regime, review_decided_on: date) -> date:
    return period_end(review_decided_on, regime.appeal_period)


@dataclass(frozen=True)
class Moratorium:
    """The clocks started by one disposal notice received on `notice_date` (T0)."""

    notice_date: date
    interim_ends: date
    protected_ends: date
    full_ends: date | None = None  # set when an eligible group asked to bid within the interim period


def start_moratorium(regime: Regime, notice_date: date) -> Moratorium:
    return Moratorium(
        notice_date=notice_date,
        interim_ends=period_end(notice_date, regime.interim_moratorium),
        protected_ends=period_end(notice_date, regime.protected_period),
    )


@dataclass(frozen=True)
class NoticeOutcome:
    starts_moratorium: bool
    reason: str


def judge_disposal_notice(moratoria: Sequence[Moratorium], received: date) -> NoticeOutcome:
    """A notice inside an earlier notice's protected period starts no new moratorium (s.95(6))."""
    for m in moratoria:
        if m.notice_date <= received <= m.protected_ends:
            return NoticeOutcome(
                False,
                f"received inside the protected period of the notice of {m.notice_date.isoformat()} "
                f"(ends {m.protected_ends.isoformat()}): no new moratorium",
            )
    return NoticeOutcome(True, "starts the interim moratorium and the protected period")


class BidRequestTooLate(ValueError):
    """A request to be treated as a bidder outside the interim period: no full moratorium."""


def full_moratorium_for(regime: Regime, moratorium: Moratorium, received: date) -> date:
    """The full moratorium end date triggered by a bid request received on `received`.

    Raises BidRequestTooLate when the request is before the notice or after the interim period ended.
    A later request inside the interim period returns the same end date: it is counted from T0."""
    if received < moratorium.notice_date:
        raise BidRequestTooLate(
            f"received {received.isoformat()}, before the disposal notice of {moratorium.notice_date.isoformat()}"
        )
    if received > moratorium.interim_ends:
        raise BidRequestTooLate(
            f"received {received.isoformat()}, after the interim moratorium ended on "
            f"{moratorium.interim_ends.isoformat()}: no full moratorium"
        )
    return period_end(moratorium.notice_date, regime.full_moratorium)


def moratorium_ends(m: Moratorium) -> date:
    """The day the owner may next dispose: the end of the full moratorium if one began, else the interim."""
    return m.full_ends or m.interim_ends
