"""The in-memory indexes the engine ranks from, kept in step with the `suppliers` read model and `tenders`.

The database is the source of truth: an index loads it whole on first use and then, before each query,
reads only rows changed since the previous refresh began (minus an overlap for transactions that committed
late), so an organisation the consumer has just applied, or a tender just published, is matchable at once. Both
indexes keep their items in the structures of `search.py`, so a top-k query scores a few hundred
candidates instead of every one that shares a CPV division, with the same result.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import sys
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from localwealth_shared.clock import today, utcnow
from localwealth_shared.reference.geography.distance import EARTH_MEAN_RADIUS_KM
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from procurement.db import Supplier, SupplierScore, Tender
from procurement.matching import engine
from procurement.matching.model import Opportunity, Site, SupplierFacts
from procurement.matching.scoring import (
    CPV_DEPTH_SCORE,
    UNKNOWN,
    Match,
    capacity_fit_float,
    capacity_of,
    certifications_component,
    geography_value,
    score,
    social_economy_component,
)
from procurement.matching.search import (
    MONEY_EDGES,
    Bands,
    CpvDepth,
    Entry,
    Grid,
    Lean,
    PrefixIndex,
    best_first,
    cpv_keys,
    money_class,
)
from procurement.matching.weights import COMPONENTS

# Suppliers' capacity classes, by factors of 16: finer classes made more, smaller sets for the search to visit
# than the tighter bounds saved (bench/matching.py).
CAPACITY_EDGES = MONEY_EDGES[1::2]
OVERLAP = timedelta(seconds=5)  # longer than a transaction takes to commit after stamping updated_at
CURRENT_CERTIFICATION = "active"  # the registry's status for a certification that counts today
OPEN_STATUSES = ("active",)  # tenders matched to organisations
# Rows between handing the event loop back during a full load (seconds at 100,000 suppliers), so that the
# API answers other requests meanwhile; matching requests wait for the index's lock.
YIELD_EVERY = 2000


def _shared(value: str | None) -> str | None:
    """One copy of a string that many suppliers repeat (CPV codes, district codes)."""
    return sys.intern(value) if value is not None else None


def facts_of(row: Supplier, impact_score: float | None) -> SupplierFacts:
    day = today().isoformat()
    return SupplierFacts(
        id=row.id,
        name=row.name,
        cpv_codes=tuple(sys.intern(code) for code in row.cpv_codes),
        sites=tuple(
            Site(s.get("lat"), s.get("lon"), _shared(s.get("lad_code")), bool(s.get("is_operating_site", True)))
            for s in row.sites
        ),
        turnover=row.turnover_amount,
        employees=row.employees,
        is_vcse=row.is_vcse,
        is_sme=row.is_sme,
        is_social_economy=row.is_social_economy,
        legal_form=row.legal_form,
        ownership=tuple(row.ownership),
        certifications=tuple(
            c["scheme"]
            for c in row.certifications
            if (c.get("status") or CURRENT_CERTIFICATION).casefold() == CURRENT_CERTIFICATION
            and not (c.get("expires_on") and c["expires_on"] < day)
        ),
    )


@contextlib.contextmanager
def _full_load(full: bool) -> Iterator[None]:
    """Keep the cyclic garbage collector out of a full load, then take everything alive out of its sight. An
    index holds millions of long-lived objects: at 100,000 suppliers each full collection walking them took
    0.5–1 s, during the load and later during queries (bench/matching.py). Objects freed later by
    reference counting are still freed."""
    if not full:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class _Changes:
    """Which rows a refresh reads: those stamped since the previous refresh began, less OVERLAP (a
    transaction may commit a little after it stamps `updated_at`; clocks may be a little apart). Rows read
    last time and unchanged since are skipped, so a burst of writes is not re-applied on every query."""

    def __init__(self) -> None:
        self._since: datetime | None = None
        self._applied: dict[str, tuple[datetime, int]] = {}  # rows inside the overlap, as applied

    def start(self) -> datetime | None:
        """The lower bound of `updated_at` for this refresh (None: read everything)."""
        bound = None if self._since is None else self._since - OVERLAP
        self._since = utcnow()
        if bound is not None:
            self._applied = {key: seen for key, seen in self._applied.items() if seen[0] >= bound}
        return bound

    def is_new(self, key: str, updated_at: datetime, version: int) -> bool:
        if self._applied.get(key) == (updated_at, version):
            return False
        if self._since is not None and updated_at >= self._since - OVERLAP:  # the next refresh reads it again
            self._applied[key] = (updated_at, version)
        return True


def _weights(weights: Mapping[str, float]) -> tuple[float, ...] | None:
    """The weights in `COMPONENTS` order, or None when a negative one voids the search's bounds."""
    values = tuple(float(weights[c]) for c in COMPONENTS)
    return None if min(values) < 0 else values


def _capacity_max(value: float | None, capacity_class: int) -> float:
    """The best capacity fit of a contract of `value` with any capacity in the class."""
    if value is None or capacity_class < 0:
        return UNKNOWN
    if capacity_class == len(CAPACITY_EDGES):
        return 1.0
    return capacity_fit_float(value / CAPACITY_EDGES[capacity_class])


def _capacity_max_by_value(capacity: float | None, value_class: int) -> float:
    """The best capacity fit for `capacity` of any contract value in the class."""
    if capacity is None or value_class < 0:
        return UNKNOWN
    return capacity_fit_float((MONEY_EDGES[value_class - 1] if value_class else 0.0) / capacity)


@dataclass(frozen=True, slots=True)
class _Point:
    """A point in radians with its latitude's cosine: most of the haversine worked out once."""

    phi: float
    lam: float
    cos_phi: float

    @classmethod
    def of(cls, lat: float, lon: float) -> _Point:
        phi = math.radians(lat)
        return cls(phi, math.radians(lon), math.cos(phi))

    def nearest_km(self, points: tuple[_Point, ...]) -> float:
        """`haversine_km` to the nearest of `points` (equal to it but for the last bits of rounding)."""
        least = math.inf
        for p in points:
            a = math.sin((p.phi - self.phi) / 2) ** 2 + self.cos_phi * p.cos_phi * math.sin((p.lam - self.lam) / 2) ** 2
            if a < least:
                least = a
        return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(least)))


@dataclass(slots=True)
class _LeanSupplier:
    """A supplier as the bounded search scores it, worked out once per change."""

    facts: SupplierFacts  # for the CPV codes and the impact score, which changes on its own
    points: tuple[float, ...]  # latitude, longitude, … of geocoded operating sites
    sites: tuple[_Point, ...]  # the same, ready for distances
    lads: tuple[str, ...]  # districts of operating sites
    capacity: float | None
    social: float
    certifications: float

    @classmethod
    def of(cls, facts: SupplierFacts) -> _LeanSupplier:
        ops = facts.operating_sites
        capacity = capacity_of(facts)
        located = [(s.lat, s.lon) for s in ops if s.lat is not None and s.lon is not None]
        return cls(
            facts,
            tuple(x for point in located for x in point),
            tuple(_Point.of(lat, lon) for lat, lon in located),
            tuple(dict.fromkeys(s.lad_code for s in ops if s.lad_code)),
            float(capacity) if capacity is not None else None,
            social_economy_component(facts)[0],
            certifications_component(facts)[0],
        )

    def rest(self, w: tuple[float, ...]) -> float:
        """Social economy, certifications and impact, weighted: the part that does not depend on the tender."""
        impact = self.facts.impact_score
        return w[3] * self.social + w[4] * self.certifications + w[5] * (impact / 100 if impact is not None else 0.0)

    def search_class(self) -> tuple[int, int, int, int]:
        """Levels of social economy (fifths), certifications (halves), impact (none, or some: bounded by 1;
        quarters made more sets than their 0.05 weight saved), capacity (`CAPACITY_EDGES`). It changes with
        the impact score, so the index re-adds a supplier whose score changes."""
        impact = self.facts.impact_score or 0.0
        cls = (
            round(self.social * 5),
            round(self.certifications * 2),
            math.ceil(impact / 100),
            -1 if self.capacity is None else bisect_right(CAPACITY_EDGES, self.capacity),
        )
        return _CLASSES.setdefault(cls, cls)  # one tuple per class, not per supplier


_CLASSES: dict[tuple[int, int, int, int], tuple[int, int, int, int]] = {}


class SupplierIndex:
    def __init__(self) -> None:
        self.suppliers: dict[str, SupplierFacts] = {}
        self.scores: dict[str, float] = {}
        self._lean: dict[str, _LeanSupplier] = {}
        self._class: dict[str, tuple[int, int, int, int]] = {}
        self._prefix = PrefixIndex()
        self._by_class: dict[tuple[int, int, int, int], set[str]] = defaultdict(set)  # for tenders without CPV
        self._grid = Grid()
        self._lads: dict[str, set[str]] = defaultdict(set)
        self._uk: set[str] = set()  # an operating site with a district
        self._sme: set[str] = set()
        self._vcse: set[str] = set()
        self._supplier_changes = _Changes()
        self._score_changes = _Changes()
        self._lock = asyncio.Lock()

    def put(self, facts: SupplierFacts) -> None:
        self.remove(facts.id)
        facts.impact_score = self.scores.get(facts.id)
        self.suppliers[facts.id] = facts
        lean = self._lean[facts.id] = _LeanSupplier.of(facts)
        cls = self._class[facts.id] = lean.search_class()
        self._prefix.add(facts.id, facts.cpv_codes, cls)
        self._by_class[cls].add(facts.id)
        self._grid.add(facts.id, lean.points)
        for lad in lean.lads:
            self._lads[lad].add(facts.id)
        if lean.lads:
            self._uk.add(facts.id)
        if facts.is_sme:
            self._sme.add(facts.id)
        if facts.is_vcse:
            self._vcse.add(facts.id)

    def remove(self, supplier_id: str) -> None:
        if self.suppliers.pop(supplier_id, None) is None:
            return
        lean = self._lean.pop(supplier_id)
        self._prefix.remove(supplier_id)
        self._by_class[self._class.pop(supplier_id)].discard(supplier_id)
        self._grid.remove(supplier_id)
        for lad in lean.lads:
            self._lads[lad].discard(supplier_id)
        for members in (self._uk, self._sme, self._vcse):
            members.discard(supplier_id)

    def set_score(self, supplier_id: str, score: float) -> None:
        self.scores[supplier_id] = score
        if supplier_id in self.suppliers:
            self.put(self.suppliers[supplier_id])  # the impact level is part of the supplier's search class

    def candidates(self, cpv_codes: tuple[str, ...]) -> list[SupplierFacts]:
        """Suppliers sharing a CPV division with any of the codes; every supplier when there are none."""
        if not cpv_codes:
            return list(self.suppliers.values())
        ids: set[str] = set()
        for division in {keys[0] for keys in map(cpv_keys, cpv_codes) if keys}:
            for items in self._prefix.sets.get(division, {}).values():
                ids |= items
        return [self.suppliers[i] for i in ids]

    def top_suppliers(self, opp: Opportunity, weights: Mapping[str, float], limit: int) -> list[Match]:
        """The same as `engine.suppliers_for(opp, self.candidates(opp.cpv_codes), weights, limit)`, faster."""
        w = _weights(weights)
        if w is None:
            return engine.suppliers_for(opp, self.candidates(opp.cpv_codes), weights, limit)
        depth_of = CpvDepth(opp.cpv_codes)
        query_keys = depth_of.keys
        lat, lon = opp.lat, opp.lon
        located = lat is not None and lon is not None
        value = float(opp.value) if opp.value is not None else None
        area = frozenset(opp.delivery_lad_codes)

        w_cpv, w_geo, w_capacity = w[0], w[1], w[2]
        lean_of = self._lean
        to = _Point.of(lat, lon) if lat is not None and lon is not None else None

        def lean(supplier_id: str, g_max: float, floor: float) -> float | None:
            s = lean_of[supplier_id]
            depth = depth_of(s.facts.cpv_codes)
            if query_keys and not depth:
                return None
            fit = UNKNOWN if value is None or s.capacity is None else capacity_fit_float(value / s.capacity)
            partial = w_cpv * CPV_DEPTH_SCORE[depth] + w_capacity * fit + s.rest(w)
            if partial + w_geo * g_max < floor:
                return partial + w_geo * g_max
            km = to.nearest_km(s.sites) if to is not None and s.sites else None
            return partial + w_geo * geography_value(km, supplier_id in local, located)

        def base(key: str, cls: tuple[int, int, int, int]) -> float:
            rest = w[3] * cls[0] / 5 + w[4] * cls[1] / 2 + w[5] * cls[2]
            return w[0] * CPV_DEPTH_SCORE[len(key)] + w[2] * _capacity_max(value, cls[3]) + rest

        if query_keys:
            entries = [(base(key, cls), items) for key, cls, items in self._prefix.entries(query_keys)]  # type: ignore[arg-type]
        else:
            entries = [(base("", cls), items) for cls, items in self._by_class.items() if items]
        local: set[str] = set().union(*(self._lads.get(lad, ()) for lad in area))
        bands = Bands(self._grid, (lat, lon)) if lat is not None and lon is not None else None

        def search(entries: list[Entry], local: set[str], score_of: Lean, limit: int) -> tuple[list[str], bool]:
            # A supplier with no geocoded operating site scores 0 on geography unless it is local.
            return best_first(
                entries, bands, w[1], unlocated_g=0.0, flat_g=UNKNOWN, local=local, lean=score_of, limit=limit
            )

        parts = self._admitting(opp.reservation)
        if parts is None:
            finalists, _ = search(entries, local, lean, limit)
        else:
            # Eligible suppliers rank first: the best of them, then, if there are too few, of the others.
            if len(parts[0]) * 8 < len(self.suppliers):  # few are eligible: search among them only
                eligible = parts[0].intersection(*parts[1:])
                admitted: Callable[[str], bool] = eligible.__contains__
                inside = [(b, items & eligible) for b, items in entries]
                finalists, full = search([e for e in inside if e[1]], local & eligible, lean, limit)
            else:

                def admitted(supplier_id: str) -> bool:
                    return all(supplier_id in part for part in parts)

                finalists, full = search(
                    entries,
                    {i for i in local if admitted(i)},
                    lambda i, g, floor: lean(i, g, floor) if admitted(i) else None,
                    limit,
                )
            if not full:
                rest, _ = search(
                    entries,
                    {i for i in local if not admitted(i)},
                    lambda i, g, floor: None if admitted(i) else lean(i, g, floor),
                    limit - len(finalists),
                )
                finalists += rest
        return engine.top((score(self.suppliers[i], opp, weights) for i in finalists), limit)

    def _admitting(self, reservation: Mapping[str, object] | None) -> list[set[str]] | None:
        """Sets, smallest first, whose intersection is the suppliers a reservation admits (as
        `scoring.eligibility` judges them); None: everyone."""
        if not reservation:
            return None
        parts: list[set[str]] = []
        if reservation.get("scope") == "local_area":
            area = reservation.get("area_lad_codes") or ()
            parts.append(set().union(*(self._lads.get(str(lad), ()) for lad in area)))  # type: ignore[attr-defined]
        elif reservation.get("scope") == "uk":
            parts.append(self._uk)
        if reservation.get("sme_only"):
            parts.append(self._sme)
        if reservation.get("vcse_only"):
            parts.append(self._vcse)
        return sorted(parts, key=len) or None

    async def refresh(self, session: AsyncSession) -> None:
        async with self._lock:
            await self._refresh_scores(session)
            await self._refresh_suppliers(session)

    async def _refresh_scores(self, session: AsyncSession) -> None:
        query = select(SupplierScore)
        if (since := self._score_changes.start()) is not None:
            query = query.where(SupplierScore.updated_at >= since)
        for row in (await session.execute(query)).scalars():
            if self._score_changes.is_new(row.organisation_id, row.updated_at, row.version):
                self.set_score(row.organisation_id, row.score)

    async def _refresh_suppliers(self, session: AsyncSession) -> None:
        query = select(Supplier)
        if (since := self._supplier_changes.start()) is not None:
            query = query.where(Supplier.updated_at >= since)
        with _full_load(since is None):
            for n, row in enumerate((await session.execute(query)).scalars()):
                if since is None and n % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)
                if not self._supplier_changes.is_new(row.id, row.updated_at, row.registry_version):
                    continue
                if row.deregistered:
                    self.remove(row.id)
                else:
                    self.put(facts_of(row, None))


@dataclass(frozen=True, slots=True)
class _LeanOpportunity:
    opp: Opportunity
    value: float | None
    point: _Point | None  # the delivery location


class OpportunityIndex:
    """Open tenders and each of their lots as opportunities, for the organisation → tenders direction."""

    def __init__(self) -> None:
        self.opportunities: dict[str, _LeanOpportunity] = {}  # by "<tender id>/<lot id or ''>"
        self.titles: dict[str, str] = {}
        self._of_tender: dict[str, list[str]] = {}
        self._prefix = PrefixIndex()
        self._grid = Grid()
        self._delivered_in: dict[str, set[str]] = defaultdict(set)
        self._local_area: set[str] = set()  # reserved to a local area …
        self._area: dict[str, set[str]] = defaultdict(set)  # … including this district
        self._uk: set[str] = set()
        self._sme: set[str] = set()
        self._vcse: set[str] = set()
        self._changes = _Changes()
        self._lock = asyncio.Lock()

    def put(self, tender: Tender) -> None:
        self.remove(tender.id)
        if tender.status not in OPEN_STATUSES:
            return
        self.titles[tender.id] = tender.title
        opps = [engine.opportunity(tender)] + [engine.opportunity(tender, lot["id"]) for lot in tender.lots]
        self._of_tender[tender.id] = keys = [f"{tender.id}/{opp.lot_id or ''}" for opp in opps]
        for key, opp in zip(keys, opps, strict=True):
            value = float(opp.value) if opp.value is not None else None
            point = _Point.of(opp.lat, opp.lon) if opp.lat is not None and opp.lon is not None else None
            self.opportunities[key] = _LeanOpportunity(opp, value, point)
            self._prefix.add(key, opp.cpv_codes, money_class(value))
            self._grid.add(key, (opp.lat, opp.lon) if opp.lat is not None and opp.lon is not None else ())
            for lad in opp.delivery_lad_codes:
                self._delivered_in[lad].add(key)
            for member in self._restricted(opp.reservation):
                member.add(key)

    def remove(self, tender_id: str) -> None:
        self.titles.pop(tender_id, None)
        for key in self._of_tender.pop(tender_id, ()):
            opp = self.opportunities.pop(key).opp
            self._prefix.remove(key)
            self._grid.remove(key)
            for lad in opp.delivery_lad_codes:
                self._delivered_in[lad].discard(key)
            for member in self._restricted(opp.reservation):
                member.discard(key)

    def _restricted(self, reservation: Mapping[str, object] | None) -> list[set[str]]:
        """The sets an opportunity with this reservation belongs to (a supplier may be excluded by each)."""
        if not reservation:
            return []
        sets = []
        if reservation.get("scope") == "local_area":
            sets.append(self._local_area)
            sets += [self._area[str(lad)] for lad in reservation.get("area_lad_codes") or ()]  # type: ignore[attr-defined]
        elif reservation.get("scope") == "uk":
            sets.append(self._uk)
        if reservation.get("sme_only"):
            sets.append(self._sme)
        if reservation.get("vcse_only"):
            sets.append(self._vcse)
        return sets

    def _ineligible(self, supplier: SupplierFacts, lads: frozenset[str]) -> set[str]:
        """The opportunities whose reservation excludes this supplier (as `scoring.eligibility` judges it)."""
        out = self._local_area - set().union(*(self._area.get(lad, ()) for lad in lads))
        if not lads:
            out |= self._uk
        if not supplier.is_sme:
            out |= self._sme
        if not supplier.is_vcse:
            out |= self._vcse
        return out

    def top_tenders(self, supplier: SupplierFacts, weights: Mapping[str, float], limit: int) -> list[Match]:
        """The same as `engine.tenders_for(supplier, <every open opportunity>, weights, limit)`, faster."""
        w = _weights(weights)
        if w is None:
            return engine.tenders_for(supplier, [o.opp for o in self.opportunities.values()], weights, limit)
        s = _LeanSupplier.of(supplier)
        rest, lads, depth_of = s.rest(w), frozenset(s.lads), CpvDepth(supplier.cpv_codes)

        def lean(key: str, g_max: float, floor: float) -> float | None:
            o = self.opportunities[key]
            depth = depth_of(o.opp.cpv_codes)
            if o.opp.cpv_codes and not depth:
                return None
            fit = UNKNOWN if o.value is None or s.capacity is None else capacity_fit_float(o.value / s.capacity)
            partial = w[0] * CPV_DEPTH_SCORE[depth] + w[2] * fit + rest
            if partial + w[1] * g_max < floor:
                return partial + w[1] * g_max
            km = o.point.nearest_km(s.sites) if o.point is not None and s.sites else None
            local = not lads.isdisjoint(o.opp.delivery_lad_codes)
            return partial + w[1] * geography_value(km, local, o.point is not None)

        entries = [
            (w[0] * CPV_DEPTH_SCORE[len(key)] + w[2] * _capacity_max_by_value(s.capacity, int(cls)) + rest, items)  # type: ignore[call-overload]
            for key, cls, items in self._prefix.entries(depth_of.keys | {""})
        ]
        local: set[str] = set().union(*(self._delivered_in.get(lad, ()) for lad in s.lads))
        bands = Bands(self._grid, s.points) if s.points else None
        excluded = self._ineligible(supplier, lads)

        def search(entries: list[Entry], local: set[str], score_of: Lean, limit: int) -> tuple[list[str], bool]:
            # A tender with no delivery location scores UNKNOWN on geography unless it is local.
            return best_first(
                entries, bands, w[1], unlocated_g=UNKNOWN, flat_g=UNKNOWN, local=local, lean=score_of, limit=limit
            )

        finalists, full = search(
            entries, local - excluded, lambda k, g, floor: None if k in excluded else lean(k, g, floor), limit
        )
        if not full and excluded:
            outside = [(b, items & excluded) for b, items in entries]
            more, _ = search([e for e in outside if e[1]], local & excluded, lean, limit - len(finalists))
            finalists += more
        return engine.top((score(supplier, self.opportunities[k].opp, weights) for k in finalists), limit)

    async def refresh(self, session: AsyncSession) -> None:
        async with self._lock:
            query = select(Tender)
            if (since := self._changes.start()) is not None:
                query = query.where(Tender.updated_at >= since)
            with _full_load(since is None):
                for n, row in enumerate((await session.execute(query)).scalars()):
                    if since is None and n % YIELD_EVERY == YIELD_EVERY - 1:
                        await asyncio.sleep(0)
                    if self._changes.is_new(row.id, row.updated_at, row.version):
                        self.put(row)
