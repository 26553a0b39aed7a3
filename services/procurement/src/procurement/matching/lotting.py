"""Lotting advice: how many eligible local social-economy suppliers a tender would reach if it were split
into lots of a given size. "Eligible" = a CPV code in common, an operating site in the area, and a lot
that fits the supplier (capacity score at least `FIT`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from procurement.matching.model import Opportunity, SupplierFacts
from procurement.matching.scoring import capacity_fit, capacity_of, cpv_component, eligibility

FIT = 0.55  # the capacity score at which a contract equals a year's turnover


def local_social_economy(
    opp: Opportunity, candidates: Iterable[SupplierFacts], area: Sequence[str]
) -> list[SupplierFacts]:
    chosen = []
    for s in candidates:
        if not s.is_social_economy or not any(site.lad_code in area for site in s.operating_sites):
            continue
        if opp.cpv_codes and cpv_component(s, opp)[0] == 0:
            continue
        if not eligibility(s, opp)[0]:
            continue
        chosen.append(s)
    return chosen


def advise(
    opp: Opportunity, total: Decimal, lot_values: Sequence[Decimal], suppliers: Sequence[SupplierFacts]
) -> list[dict[str, object]]:
    options = []
    for size in sorted(set(lot_values)):
        reached = sorted(
            s.id for s in suppliers if (cap := capacity_of(s)) is not None and capacity_fit(size, cap) >= FIT
        )
        options.append(
            {
                "lot_value": f"{size:f}",
                "lots": max(1, math.ceil(total / size)),
                "eligible_local_social_economy_suppliers": len(reached),
                "organisation_ids": reached,
            }
        )
    return options
