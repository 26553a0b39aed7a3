"""The statutory periods of the community right to bid, as versioned regimes.

A case keeps the regime in force on the day its nomination was received, so a new regime (such as the
proposed Community Right to Buy with a 12-month moratorium) changes nothing for cases already open.
Adding one is a new `Regime` row with its effective date — no other code changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Regime:
    code: str
    title: str
    effective_from: date
    decision_period: relativedelta  # nomination received → the council's decision is due
    listing_period: relativedelta  # a listing lasts this long from the listing decision
    review_request_period: relativedelta  # the owner may ask for a review of the listing
    appeal_period: relativedelta  # appeal to the First-tier Tribunal after the review decision
    interim_moratorium: relativedelta  # from the disposal notice: community groups may ask to bid
    full_moratorium: relativedelta  # from the disposal notice, when a group asked in time
    protected_period: relativedelta  # from the disposal notice: no new moratorium inside it


LA2011 = Regime(
    code="LA2011",
    title="Localism Act 2011 Part 5 Chapter 3 and the Assets of Community Value (England) Regulations 2012",
    effective_from=date(2012, 9, 21),
    decision_period=relativedelta(weeks=8),
    listing_period=relativedelta(years=5),
    review_request_period=relativedelta(weeks=8),
    appeal_period=relativedelta(days=28),
    interim_moratorium=relativedelta(weeks=6),
    full_moratorium=relativedelta(months=6),
    protected_period=relativedelta(months=18),
)

# The proposed Community Right to Buy (English Devolution and Community Empowerment Bill): the same
# shape with a 12-month full moratorium. It has no commencement date yet, so it is off unless a
# deployment sets one (LAND_CRTB_EFFECTIVE_FROM); the other periods are assumed unchanged until the
# regulations say otherwise.
CRTB_CODE = "CRTB"


def community_right_to_buy(effective_from: date) -> Regime:
    return Regime(
        code=CRTB_CODE,
        title="Community Right to Buy (proposed; 12-month moratorium)",
        effective_from=effective_from,
        decision_period=LA2011.decision_period,
        listing_period=LA2011.listing_period,
        review_request_period=LA2011.review_request_period,
        appeal_period=LA2011.appeal_period,
        interim_moratorium=LA2011.interim_moratorium,
        full_moratorium=relativedelta(months=12),
        protected_period=LA2011.protected_period,
    )


class RegimeBook:
    """The regimes a deployment knows, looked up by code (stored on each case) or by date (new cases)."""

    def __init__(self, regimes: Sequence[Regime]) -> None:
        self.regimes = tuple(sorted(regimes, key=lambda r: r.effective_from))
        if not self.regimes:
            raise ValueError("at least one regime is needed")
        self._by_code = {r.code: r for r in self.regimes}

    @classmethod
    def default(cls, crtb_effective_from: date | None = None) -> RegimeBook:
        regimes = [LA2011]
        if crtb_effective_from is not None:
            regimes.append(community_right_to_buy(crtb_effective_from))
        return cls(regimes)

    def in_force_on(self, day: date) -> Regime:
        """The regime for a nomination received on `day` (the earliest one for days before them all)."""
        current = self.regimes[0]
        for regime in self.regimes:
            if regime.effective_from <= day:
                current = regime
        return current

    def by_code(self, code: str) -> Regime:
        return self._by_code[code]
