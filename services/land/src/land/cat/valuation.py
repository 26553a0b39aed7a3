"""The undervalue of a disposal and the General Disposal Consent (England) 2003 limit.

A council may dispose of land for less than the best consideration reasonably obtainable when the
undervalue (market value − consideration) is £2,000,000 or less; above that it needs the Secretary of
State's specific consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

CONSENT_THRESHOLD = Decimal("2000000.00")


@dataclass(frozen=True)
class Undervalue:
    amount: Decimal
    requires_secretary_of_state_consent: bool


def undervalue(market_value: Decimal, consideration: Decimal) -> Undervalue:
    amount = max(market_value - consideration, Decimal("0.00")).quantize(Decimal("0.01"))
    return Undervalue(amount, amount > CONSENT_THRESHOLD)
