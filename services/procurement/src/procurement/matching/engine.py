"""Ranking: suppliers for a tender (or lot) and open tenders for a supplier, top-k by score, eligible first.

`suppliers_for` and `tenders_for` score every candidate: the reference. The service ranks with the indexes'
`top_suppliers` / `top_tenders` (`index.py`, `search.py`), which give the same lists without scoring all."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from decimal import Decimal

from procurement.db import Tender
from procurement.matching.model import Opportunity, SupplierFacts
from procurement.matching.scoring import Match, score
from procurement.rules.reservation import is_reserved


def opportunity(tender: Tender, lot_id: str | None = None) -> Opportunity:
    """The tender (or one lot) as matched: a lot's own CPV codes and value when it has them."""
    lots = tuple(
        (lot["id"], lot.get("title"), Decimal(lot["value"]["amount"]) if lot.get("value") else None)
        for lot in tender.lots
    )
    cpv, value = tuple(tender.cpv_codes), tender.value_amount
    if lot_id is not None:
        lot = next(lot for lot in tender.lots if lot["id"] == lot_id)
        cpv = tuple(lot["cpv_codes"]) or cpv
        value = Decimal(lot["value"]["amount"]) if lot.get("value") else None
    return Opportunity(
        tender_id=tender.id,
        lot_id=lot_id,
        title=tender.title,
        cpv_codes=cpv,
        value=value,
        lat=tender.delivery_lat,
        lon=tender.delivery_lon,
        delivery_lad_codes=tuple(tender.delivery_lad_codes),
        reservation=tender.reservation if is_reserved(tender.reservation) else None,
        lots=lots if lot_id is None else (),
    )


def _rank_key(m: Match) -> tuple[bool, float, str, str, str]:
    # Ties go by id: the supplier's (one tender's matches), else the tender's and the lot's (one supplier's).
    return (m.eligible, m.score, m.supplier_id, m.tender_id, m.lot_id or "")


def top(matches: Iterable[Match], limit: int) -> list[Match]:
    return heapq.nlargest(limit, matches, key=_rank_key)


def suppliers_for(
    opp: Opportunity, candidates: Iterable[SupplierFacts], weights: Mapping[str, float], limit: int
) -> list[Match]:
    scored = (score(s, opp, weights) for s in candidates)
    # Suppliers with no CPV in common are noise when the tender names its CPV codes.
    return top((m for m in scored if not opp.cpv_codes or m.components["cpv"] > 0), limit)


def tenders_for(
    supplier: SupplierFacts, opportunities: Iterable[Opportunity], weights: Mapping[str, float], limit: int
) -> list[Match]:
    scored = ((o, score(supplier, o, weights)) for o in opportunities)
    return top((m for o, m in scored if not o.cpv_codes or m.components["cpv"] > 0), limit)
