"""Top-k matches without scoring every candidate, with exactly the result of scoring them all.

Scoring each of the ~20,000 suppliers that share a CPV division with a tender, with explanations, takes
hundreds of milliseconds in Python. Instead the indexes keep their items (suppliers, or open tenders and
lots) in sets per *CPV key* — a code's hierarchical prefix at each SPEC level, or the full code — and per
*class*, a coarse summary of the facts the score uses other than CPV and geography (social-economy level,
certifications, impact, capacity or contract value). For one query each (key, class) set bounds its
members' score, except geography: `base = w_cpv·cpv(level) + w_capacity·capacity_max(class) + rest_max(class)`.
Geography is bounded by distance bands: a coarse grid of cells, each with the least distance from the query
point to anywhere in it. A best-first search pops (set, band) pairs by `base + w_geography·g(band)`, scores
the members with a lean float version of the score, and stops when no bound left can reach the k-th lean
score. Items local to the query (an operating site in the delivery area scores at least 0.9 on geography
wherever it is) escape the distance bound, so each set's local members are scored on its first pop.

Lean scores are not rounded; `scoring.score` rounds each component and the total to 4 places, so the two
differ by at most 1e-4 (the weights sum to 1). Bounds are compared with `SLACK` to spare, and every item
whose lean score is within `SLACK` of the k-th is re-scored with `scoring.score`: the ranking, tie-breaks
and explanations are those of the exhaustive ranking in `engine`.
"""

from __future__ import annotations

import functools
import heapq
import math
import sys
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence

from localwealth_shared.reference.classification import ClassificationError, cpv_significant_prefix
from localwealth_shared.reference.geography.distance import EARTH_MEAN_RADIUS_KM

from procurement.matching.scoring import HALF_SCORE_KM

SLACK = 3e-4
CELL_LAT, CELL_LON = 0.2, 0.3  # degrees: about 22 km by 20 km in Great Britain
BANDS_KM = (0.0, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0)
# Members of nearer bands are found by intersecting with the band's cells (few items live near a point);
# from this band on, by looking at each member's cells (most items are far, and few sets reach that far).
FAR = BANDS_KM.index(40.0)
UNLOCATED = len(BANDS_KM)  # the "band" of items with no geocoded point
# haversine's a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) grows with distance: band edges as values of a.
_BAND_A = tuple(math.sin(km / (2 * EARTH_MEAN_RADIUS_KM)) ** 2 for km in BANDS_KM)
# Money classes (capacity, contract value) by factors of four.
MONEY_EDGES = (25e3, 100e3, 400e3, 1.6e6, 6.4e6, 25.6e6, 102.4e6)


@functools.cache
def cpv_keys(code: str) -> tuple[str, ...]:
    """The index keys of a CPV code: its hierarchical prefix at each level it reaches (2 to 5 digits), and the
    code itself when it is deeper than a category. Two codes match at depth L ≥ 2 exactly when they share the
    key of length L (8 = identical codes), so the depth is the longest shared key (see `cpv_match_depth`)."""
    try:
        prefix = cpv_significant_prefix(code)
    except ClassificationError:
        return ()  # never matches (the registry and the tender rules validate codes)
    keys = [prefix[:n] for n in (2, 3, 4, 5) if len(prefix) >= n]
    if len(prefix) == 8:
        keys.append(code)
    return tuple(sys.intern(k) for k in keys)


class CpvDepth:
    """How deeply any of some codes agrees with any of the query's codes, remembered per code: the longest
    key they share (8 = an identical code), 0 for none."""

    def __init__(self, query_codes: Iterable[str]) -> None:
        self.keys = frozenset(k for code in query_codes for k in cpv_keys(code))
        self._of: dict[str, int] = {}

    def __call__(self, codes: Iterable[str]) -> int:
        best = 0
        for code in codes:
            depth = self._of.get(code)
            if depth is None:
                depth = self._of[code] = max((len(k) for k in cpv_keys(code) if k in self.keys), default=0)
            if depth > best:
                best = depth
        return best


def money_class(amount: float | None) -> int:
    """-1 when unknown, else how many `MONEY_EDGES` the amount reaches."""
    return -1 if amount is None else bisect_right(MONEY_EDGES, amount)


# The most a non-local item in each distance band can score on geography.
_BAND_G = tuple(HALF_SCORE_KM / (HALF_SCORE_KM + km) for km in BANDS_KM)


class PrefixIndex:
    """CPV key → class → items. An item is in the set of every key of its codes ("" when it has none)."""

    def __init__(self) -> None:
        self.sets: dict[str, dict[Hashable, set[str]]] = defaultdict(dict)
        self._of: dict[str, tuple[tuple[str, ...], Hashable]] = {}

    @staticmethod
    def _keys(codes: tuple[str, ...]) -> set[str]:
        return {k for code in codes for k in cpv_keys(code)} or {""}

    def add(self, item: str, codes: tuple[str, ...], cls: Hashable) -> None:
        self._of[item] = (codes, cls)
        for key in self._keys(codes):
            self.sets[key].setdefault(cls, set()).add(item)

    def remove(self, item: str) -> None:
        if item not in self._of:
            return
        codes, cls = self._of.pop(item)
        for key in self._keys(codes):
            by_class = self.sets[key]
            by_class[cls].discard(item)
            if not by_class[cls]:
                del by_class[cls]
                if not by_class:
                    del self.sets[key]

    def entries(self, keys: Iterable[str]) -> list[tuple[str, Hashable, set[str]]]:
        return [(key, cls, items) for key in keys for cls, items in self.sets.get(key, {}).items()]


def cell_of(lat: float, lon: float) -> int:
    return math.floor(lat / CELL_LAT) * 10_000 + math.floor(lon / CELL_LON) + 5_000


class Grid:
    """Items by the grid cells of their points (operating sites, delivery location)."""

    def __init__(self) -> None:
        self.cells: dict[int, set[str]] = defaultdict(set)
        self.cells_of: dict[str, tuple[int, ...]] = {}
        self.unlocated: set[str] = set()
        self._axes: tuple[frozenset[int], frozenset[int]] | None = None  # rows and columns, while unchanged

    def axes(self) -> tuple[frozenset[int], frozenset[int]]:
        """The rows and the columns that have cells (every query needs them; cells rarely come or go)."""
        if self._axes is None:
            self._axes = (
                frozenset(cell // 10_000 for cell in self.cells),
                frozenset(cell % 10_000 - 5_000 for cell in self.cells),
            )
        return self._axes

    def add(self, item: str, points: Sequence[float]) -> None:
        """`points`: latitude, longitude, latitude, longitude, …"""
        cells = tuple(sorted({cell_of(points[i], points[i + 1]) for i in range(0, len(points), 2)}))
        if not cells:
            self.unlocated.add(item)
            return
        self.cells_of[item] = cells
        for cell in cells:
            if cell not in self.cells:
                self._axes = None
            self.cells[cell].add(item)

    def remove(self, item: str) -> None:
        self.unlocated.discard(item)
        for cell in self.cells_of.pop(item, ()):
            self.cells[cell].discard(item)
            if not self.cells[cell]:
                del self.cells[cell]
                self._axes = None


class Bands:
    """The distance band of every cell of a grid around some query points (the nearest point counts)."""

    def __init__(self, grid: Grid, points: Sequence[float]) -> None:
        """`points`: latitude, longitude, latitude, longitude, …"""
        self.grid = grid
        rows, cols = grid.axes()
        # A lower bound of a over a cell: the least latitude and longitude differences to it, and the cos² of
        # the latitude farthest from the equator among the point and the cell. Per point, by row and column.
        self._terms: list[tuple[dict[int, tuple[float, float]], dict[int, float]]] = []
        for lat, lon in zip(points[::2], points[1::2], strict=True):
            row_terms = {}
            for row in rows:
                lat0 = row * CELL_LAT
                dlat = max(0.0, lat0 - lat, lat - lat0 - CELL_LAT)
                far = max(abs(lat), abs(lat0), abs(lat0 + CELL_LAT))
                row_terms[row] = (math.sin(math.radians(dlat) / 2) ** 2, math.cos(math.radians(far)) ** 2)
            col_terms = {}
            for col in cols:
                lon0 = col * CELL_LON
                dlon = max(0.0, lon0 - lon, lon - lon0 - CELL_LON)
                col_terms[col] = math.sin(math.radians(dlon if dlon <= 90 else 0.0) / 2) ** 2  # no wrap at ±180°
            self._terms.append((row_terms, col_terms))
        # Every cell's band (a far band's members are split by cell when it is reached).
        self.of_cell: dict[int, int] = {}
        self._near_cells: list[list[int]] = [[] for _ in range(FAR)]
        of_cell, near_cells, least_a = self.of_cell, self._near_cells, self._least_a
        if len(self._terms) == 1:  # one point (a tender's delivery location): inlined, it is most queries
            ((row_terms, col_terms),) = self._terms
            for cell in grid.cells:
                s_lat, cos2 = row_terms[cell // 10_000]
                band = of_cell[cell] = bisect_right(_BAND_A, s_lat + cos2 * col_terms[cell % 10_000 - 5_000]) - 1
                if band < FAR:
                    near_cells[band].append(cell)
        else:
            for cell in grid.cells:
                band = of_cell[cell] = bisect_right(_BAND_A, least_a(cell)) - 1
                if band < FAR:
                    near_cells[band].append(cell)
        self._near: dict[int, set[str]] = {}

    def _least_a(self, cell: int) -> float:
        row = cell // 10_000
        col = cell % 10_000 - 5_000
        least = math.inf
        for row_terms, col_terms in self._terms:
            s_lat, cos2 = row_terms[row]
            a = s_lat + cos2 * col_terms[col]
            if a < least:
                least = a
        return least

    def near(self, band: int) -> set[str]:
        """Items with a point in a cell of this (near) band."""
        items = self._near.get(band)
        if items is None:
            items = self._near[band] = set()
            for cell in self._near_cells[band]:
                items |= self.grid.cells[cell]
        return items

    def split(self, items: Iterable[str], unlocated: int | None) -> dict[int, list[str]]:
        """Items by the band of their nearest cell; unlocated ones in band `unlocated` (None: left out)."""
        out: dict[int, list[str]] = {}
        of_cell, cells_of = self.of_cell, self.grid.cells_of
        for item in items:
            cells = cells_of.get(item)
            if cells:
                band = of_cell[cells[0]] if len(cells) == 1 else min(of_cell[cell] for cell in cells)
            elif unlocated is not None:
                band = unlocated
            else:
                continue
            if band in out:
                out[band].append(item)
            else:
                out[band] = [item]
        return out


# An item's lean score, or None when it is not a candidate here. It is told the most the item can score on
# geography where the search found it, and the floor below which it cannot matter: it may then return any
# value under the floor (a bound) instead of working its score out.
Lean = Callable[[str, float, float], float | None]
Entry = tuple[float, set[str]]  # the most its items can score except geography, the items


def best_first(
    entries: Sequence[Entry],
    bands: Bands | None,
    w_geography: float,
    *,
    unlocated_g: float,
    flat_g: float,
    local: set[str],
    lean: Lean,
    limit: int,
) -> tuple[list[str], bool]:
    """The items whose lean score may put them in the top `limit`, and whether `limit` candidates were found.

    `entries` are (bound of everything but geography, items). With `bands` (the query has a location),
    items without a point score at most `unlocated_g` on geography; without, every item at most `flat_g`.
    `local` items (in the delivery area) may score up to 1 on geography wherever they are.
    """
    best: list[tuple[float, str]] = []  # min-heap of the `limit` best lean scores
    scored: dict[str, float | None] = {}
    # The k-th best lean score so far (-inf until there are k): nothing below it, less SLACK, can enter.
    kth = -math.inf

    def consider(items: Iterable[str], g_max: float) -> None:
        nonlocal kth
        for item in items:
            if item in scored:
                continue
            value = scored[item] = lean(item, g_max, kth - SLACK)
            if value is None:
                continue
            if len(best) < limit:
                heapq.heappush(best, (value, item))
                if len(best) == limit:
                    kth = best[0][0]
            elif (value, item) > best[0]:
                heapq.heapreplace(best, (value, item))
                kth = best[0][0]

    # An entry's first pop is bounded by the best geography, which its local members may have wherever they
    # are; they are scored then, with the members in the nearest band (or all, when there are no bands).
    queue = [(-(base + w_geography), i, 0) for i, (base, _) in enumerate(entries)]
    # Unlocated items that can score no more than the farthest band's are swept up with it; else their own.
    own_band = unlocated_g > _BAND_G[-1]
    if bands is not None and own_band:
        queue += [(-(base + w_geography * unlocated_g), i, UNLOCATED) for i, (base, _) in enumerate(entries)]
    heapq.heapify(queue)
    parts: dict[int, dict[int, list[str]]] = {}  # entries that reached the far bands, split by band
    while queue:
        negative_bound, i, band = heapq.heappop(queue)
        if -negative_bound + SLACK < kth:
            break  # nothing left can reach the k-th score
        base, items = entries[i]
        if band == 0 and local:
            consider(items & local, 1.0)
        if bands is None:
            consider(items, flat_g)
        elif band == UNLOCATED:
            consider(items & bands.grid.unlocated, unlocated_g)
        else:
            # Not yet scored means not local and nearest to the query in this band.
            if band < FAR:
                consider(items & bands.near(band), _BAND_G[band])
                following = band + 1
            else:
                if i not in parts:
                    parts[i] = bands.split(items, None if own_band else UNLOCATED - 1)
                split = parts[i]
                consider(split.get(band, ()), _BAND_G[band])
                following = min((b for b in split if b > band), default=UNLOCATED)
            if following < UNLOCATED:
                bound = base + w_geography * _BAND_G[following]
                if bound + SLACK >= kth:
                    heapq.heappush(queue, (-bound, i, following))
    return [item for item, value in scored.items() if value is not None and value >= kth - SLACK], len(best) >= limit
