"""Social value: valuing commitments and delivered actuals, guarding against double counting, and comparing
what was promised with what was delivered.

value = quantity × proxy value × price-year uplift × (1 − deadweight) × (1 − displacement) × (1 − attribution),
for each year the outcome lasts, with drop-off after the first: year n = year 1 × (1 − drop_off)^(n − 1).
Gross value is before any adjustment; net value after all of them. The effects are reported in the order of
the SROI Guide's Stage 4 (deadweight and displacement, then attribution, then drop-off), each as the money
it removed, so gross − effects = net to the penny.

Pure functions over a `MeasureSet`: the caller loads the tenant's set and turns `SocialValueError` into a 422.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib.resources import files
from types import MappingProxyType

from impact.social_value.measure_sets import MAX_PRICE_YEAR, MIN_PRICE_YEAR, MeasureSet, PlacedMeasure

ZERO = Decimal(0)
ONE = Decimal(1)
PENNY = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")
MAX_YEARS = 100
GDP_DEFLATOR_PATH = "data/price_index/gdp_deflator.csv"

Loc = tuple[str | int, ...]


class SocialValueError(ValueError):
    """An input breaks a rule. `loc` names the field, e.g. ("commitments", 1, "quantity"); `rule` is a stable code."""

    def __init__(self, loc: Loc, rule: str, message: str) -> None:
        self.loc, self.rule, self.message = loc, rule, message
        super().__init__(f"{self.field}: {message}" if loc else message)

    @property
    def field(self) -> str:
        text = ""
        for part in self.loc:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


class DoubleCountingError(SocialValueError):
    """Two lines for one award (and period) value the same change; the message names both measures."""

    def __init__(
        self, loc: Loc, message: str, *, award_id: str, measures: tuple[str, str], period: str | None, reason: str
    ) -> None:
        super().__init__(loc, "double_counting", message)
        self.award_id, self.measures, self.period, self.reason = award_id, measures, period, reason


# --- price-year uplift ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceIndex:
    """A price index by calendar year (any base): uplift from year a to b is index[b] / index[a]."""

    name: str
    values: Mapping[int, Decimal]
    source: str = ""

    def __post_init__(self) -> None:
        checked: dict[int, Decimal] = {}
        for year, value in self.values.items():
            if isinstance(year, bool) or not isinstance(year, int):
                raise SocialValueError(("price_index", str(year)), "not_a_year", "index keys must be calendar years")
            number = _decimal(value, ("price_index", year))
            if number <= ZERO:
                raise SocialValueError(
                    ("price_index", year), "positive", f"index values must be positive (got {number})"
                )
            checked[year] = number
        if not checked:
            raise SocialValueError(("price_index",), "empty", "the price index has no years")
        object.__setattr__(self, "values", MappingProxyType(dict(sorted(checked.items()))))

    def covers(self, year: int) -> bool:
        return year in self.values

    @property
    def span(self) -> str:
        years = list(self.values)
        return f"{years[0]}-{years[-1]}"

    def uplift(self, from_year: int, to_year: int) -> Decimal:
        """The factor turning `from_year` prices into `to_year` prices (exactly 1 for the same year)."""
        if from_year == to_year:
            return ONE
        for year in (from_year, to_year):
            if year not in self.values:
                raise SocialValueError(
                    ("price_index",), "year_not_in_index", f"{self.name} has no value for {year} (covers {self.span})"
                )
        return self.values[to_year] / self.values[from_year]

    @classmethod
    def from_csv(cls, name: str, text: str, source: str = "") -> PriceIndex:
        """Rows of `year,index`."""
        return cls(name, {int(r["year"]): Decimal(r["index"]) for r in csv.DictReader(text.splitlines())}, source)


@functools.cache
def gdp_deflator() -> PriceIndex:
    """The bundled UK GDP deflator (ONS YBGB, 2022 = 100; see data/price_index/SOURCE.txt)."""
    text = files("impact.social_value").joinpath(GDP_DEFLATOR_PATH).read_text(encoding="utf-8")
    return PriceIndex.from_csv("UK GDP deflator (ONS YBGB)", text, "ONS YBGB, release of 30 June 2025, OGL v3.0")


# --- inputs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustments:
    """SROI adjustments, each a share 0-1. Drop-off applies per year after the first."""

    deadweight: Decimal = ZERO
    displacement: Decimal = ZERO
    attribution: Decimal = ZERO
    drop_off: Decimal = ZERO


NO_ADJUSTMENTS = Adjustments()


@dataclass(frozen=True)
class Commitment:
    """A supplier's social value promise for a contract award."""

    award_id: str
    measure_code: str
    quantity: Decimal  # units per year; the year-1 quantity when drop-off applies
    years: int | None = None  # how long the outcome lasts; None is one year
    adjustments: Adjustments = NO_ADJUSTMENTS
    reference: str | None = None  # the caller's id for the line, echoed back


@dataclass(frozen=True)
class Actual:
    """What was delivered against an award in a period (valued as one year)."""

    award_id: str
    measure_code: str
    quantity: Decimal
    period: str  # e.g. "2024-25" or "2024-25 Q1"
    adjustments: Adjustments = NO_ADJUSTMENTS
    reference: str | None = None


# --- outputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdjustmentEffects:
    """Money removed by each adjustment, to the penny."""

    deadweight: Decimal
    displacement: Decimal
    attribution: Decimal
    drop_off: Decimal

    @property
    def total(self) -> Decimal:
        return self.deadweight + self.displacement + self.attribution + self.drop_off


@dataclass(frozen=True)
class YearValue:
    year: int  # 1 for the first year of the outcome
    gross: Decimal
    net: Decimal


@dataclass(frozen=True)
class Valuation:
    award_id: str
    measure_code: str
    outcome_code: str
    reference: str | None
    period: str | None  # None for a commitment
    quantity: Decimal
    years: int
    proxy_value: Decimal  # as in the measure set, in `price_year` prices
    price_year: int
    reporting_year: int
    uplift: Decimal  # exact price-year factor
    unit_value: Decimal  # proxy value in reporting-year prices, to the penny
    gross: Decimal
    net: Decimal
    effects: AdjustmentEffects
    by_year: tuple[YearValue, ...]  # each year rounded on its own, so they may differ from the totals by pence
    licence: str


@dataclass(frozen=True)
class ValueSummary:
    """Lines and their totals; totals are sums of the rounded lines, so they add up as shown."""

    lines: tuple[Valuation, ...]
    gross: Decimal
    net: Decimal
    effects: AdjustmentEffects


@dataclass(frozen=True)
class MeasureDelivery:
    measure_code: str
    committed: Decimal  # quantity × years over the whole commitment
    delivered: Decimal
    delivered_share: Decimal | None  # delivered / committed to 4 dp (over 1 when over-delivered); None if uncommitted


@dataclass(frozen=True)
class AwardDelivery:
    award_id: str
    measures: tuple[MeasureDelivery, ...]


# --- valuation -----------------------------------------------------------------------------------------


def value_commitment(
    commitment: Commitment, measure_set: MeasureSet, *, reporting_year: int, price_index: PriceIndex | None = None
) -> Valuation:
    """Value one commitment (no double-counting check: use `value_commitments` or `check_commitments`)."""
    _check_commitment(commitment, ())
    return _value(commitment, (), measure_set, _reporting_year(reporting_year), price_index or gdp_deflator())


def value_actual(
    actual: Actual, measure_set: MeasureSet, *, reporting_year: int, price_index: PriceIndex | None = None
) -> Valuation:
    """Value one delivered actual, as one year of outcome."""
    _check_actual(actual, ())
    return _value(actual, (), measure_set, _reporting_year(reporting_year), price_index or gdp_deflator())


def value_commitments(
    commitments: Sequence[Commitment],
    measure_set: MeasureSet,
    *,
    reporting_year: int,
    price_index: PriceIndex | None = None,
) -> ValueSummary:
    """Validate, refuse double counting, and value every commitment. Raises `SocialValueError`."""
    check_commitments(commitments, measure_set)
    year, index = _reporting_year(reporting_year), price_index or gdp_deflator()
    return _summary(_value(c, ("commitments", i), measure_set, year, index) for i, c in enumerate(commitments))


def value_actuals(
    actuals: Sequence[Actual], measure_set: MeasureSet, *, reporting_year: int, price_index: PriceIndex | None = None
) -> ValueSummary:
    """Validate, refuse double counting, and value every delivered actual. Raises `SocialValueError`."""
    check_actuals(actuals, measure_set)
    year, index = _reporting_year(reporting_year), price_index or gdp_deflator()
    return _summary(_value(a, ("actuals", i), measure_set, year, index) for i, a in enumerate(actuals))


def _value(
    line: Commitment | Actual, loc: Loc, measure_set: MeasureSet, reporting_year: int, index: PriceIndex
) -> Valuation:
    placed = _placed(measure_set, line.measure_code, loc)
    measure = placed.measure
    if measure.price_year != reporting_year:
        if not index.covers(reporting_year):
            raise SocialValueError(
                ("reporting_year",),
                "year_not_in_index",
                f"{index.name} has no value for {reporting_year} ({index.span})",
            )
        if not index.covers(measure.price_year):
            raise SocialValueError(
                (*loc, "measure_code"),
                "year_not_in_index",
                f"measure {measure.code!r} is priced in {measure.price_year}, which {index.name} does not cover "
                f"({index.span})",
            )
    factor = index.uplift(measure.price_year, reporting_year)
    years = (line.years or 1) if isinstance(line, Commitment) else 1
    adj = line.adjustments
    quantity = Decimal(line.quantity)

    unit = measure.proxy_value * factor
    year_gross = quantity * unit
    # Cumulative stages, rounded to the penny; each effect is the step between two of them, so they reconcile.
    gross = year_gross * years
    after_deadweight = gross * (ONE - adj.deadweight)
    after_displacement = after_deadweight * (ONE - adj.displacement)
    after_attribution = after_displacement * (ONE - adj.attribution)
    year_one_net = year_gross * (ONE - adj.deadweight) * (ONE - adj.displacement) * (ONE - adj.attribution)
    year_nets = [year_one_net * (ONE - adj.drop_off) ** (n - 1) for n in range(1, years + 1)]
    stages = [_penny(v) for v in (gross, after_deadweight, after_displacement, after_attribution, sum(year_nets, ZERO))]

    return Valuation(
        award_id=line.award_id,
        measure_code=measure.code,
        outcome_code=placed.outcome_code,
        reference=line.reference,
        period=line.period if isinstance(line, Actual) else None,
        quantity=quantity,
        years=years,
        proxy_value=measure.proxy_value,
        price_year=measure.price_year,
        reporting_year=reporting_year,
        uplift=factor,
        unit_value=_penny(unit),
        gross=stages[0],
        net=stages[4],
        effects=AdjustmentEffects(*(stages[k] - stages[k + 1] for k in range(4))),
        by_year=tuple(YearValue(n, _penny(year_gross), _penny(v)) for n, v in enumerate(year_nets, start=1)),
        licence=measure.licence,
    )


def _summary(valuations: Iterable[Valuation]) -> ValueSummary:
    lines = tuple(valuations)
    effects = AdjustmentEffects(
        *(
            sum((getattr(v.effects, k) for v in lines), ZERO)
            for k in ("deadweight", "displacement", "attribution", "drop_off")
        )
    )
    return ValueSummary(lines, sum((v.gross for v in lines), ZERO), sum((v.net for v in lines), ZERO), effects)


# --- double-counting guard -----------------------------------------------------------------------------


def check_commitments(
    commitments: Sequence[Commitment], measure_set: MeasureSet, *, existing: Sequence[Commitment] = ()
) -> None:
    """Refuse two commitments for one award that value the same outcome (or declared-overlapping measures, or
    the same measure twice). `existing` are lines already stored; the new ones are checked against them too."""
    for i, c in enumerate(commitments):
        _check_commitment(c, ("commitments", i))
        _placed(measure_set, c.measure_code, ("commitments", i))
    _guard(
        [(("existing", j), c.award_id, None, c.measure_code) for j, c in enumerate(existing)],
        [(("commitments", i), c.award_id, None, c.measure_code) for i, c in enumerate(commitments)],
        measure_set,
    )


def check_actuals(actuals: Sequence[Actual], measure_set: MeasureSet, *, existing: Sequence[Actual] = ()) -> None:
    """As `check_commitments`, for delivered actuals of the same award in the same period."""
    for i, a in enumerate(actuals):
        _check_actual(a, ("actuals", i))
        _placed(measure_set, a.measure_code, ("actuals", i))
    _guard(
        [(("existing", j), a.award_id, a.period, a.measure_code) for j, a in enumerate(existing)],
        [(("actuals", i), a.award_id, a.period, a.measure_code) for i, a in enumerate(actuals)],
        measure_set,
    )


_Entry = tuple[Loc, str, str | None, str]  # (loc, award, period, measure code)


def _guard(existing: list[_Entry], new: list[_Entry], measure_set: MeasureSet) -> None:
    seen: dict[tuple[str, str | None], list[_Entry]] = {}
    for entry in existing:
        seen.setdefault((entry[1], entry[2]), []).append(entry)
    for entry in new:
        _, award, period, code = entry
        for other in seen.get((award, period), []):
            reason = measure_set.conflict(other[3], code)
            if reason is not None:
                raise _double_counting(entry, other, reason, measure_set)
        seen.setdefault((award, period), []).append(entry)


def _double_counting(entry: _Entry, other: _Entry, reason: str, measure_set: MeasureSet) -> DoubleCountingError:
    loc, award, period, code = entry
    first = other[3]
    scope = f"award {award!r}" + (f" in period {period!r}" if period is not None else "")
    if reason == "same_measure":
        why = f"measure {code!r} is claimed twice; claim it once with the total quantity"
    elif reason == "same_outcome":
        outcome = measure_set[code].outcome_code
        why = f"measures {first!r} and {code!r} both value outcome {outcome!r}; claiming both would double count"
    else:
        why = (
            f"measures {first!r} and {code!r} are declared as overlapping in measure set {measure_set.code!r}; "
            "claiming both would double count"
        )
    return DoubleCountingError(
        (*loc, "measure_code"), f"{scope}: {why}", award_id=award, measures=(first, code), period=period, reason=reason
    )


# --- commitments vs actuals ----------------------------------------------------------------------------


def compare_delivery(commitments: Sequence[Commitment], actuals: Sequence[Actual]) -> tuple[AwardDelivery, ...]:
    """Per award and measure: committed quantity (× years), delivered quantity, and the delivered share."""
    committed: dict[tuple[str, str], Decimal] = {}
    delivered: dict[tuple[str, str], Decimal] = {}
    for i, c in enumerate(commitments):
        _check_commitment(c, ("commitments", i))
        key = (c.award_id, c.measure_code)
        committed[key] = committed.get(key, ZERO) + c.quantity * (c.years or 1)
    for i, a in enumerate(actuals):
        _check_actual(a, ("actuals", i))
        key = (a.award_id, a.measure_code)
        delivered[key] = delivered.get(key, ZERO) + a.quantity
    keys = sorted(committed.keys() | delivered.keys())
    awards: dict[str, list[MeasureDelivery]] = {}
    for award, code in keys:
        promised, done = committed.get((award, code), ZERO), delivered.get((award, code), ZERO)
        share = (done / promised).quantize(SHARE_PLACES, ROUND_HALF_UP) if promised > ZERO else None
        awards.setdefault(award, []).append(MeasureDelivery(code, promised, done, share))
    return tuple(AwardDelivery(award, tuple(measures)) for award, measures in awards.items())


# --- validation ----------------------------------------------------------------------------------------


def _check_commitment(c: Commitment, loc: Loc) -> None:
    _check_common(c, loc)
    if _decimal(c.quantity, (*loc, "quantity")) <= ZERO:
        raise SocialValueError(
            (*loc, "quantity"), "positive", f"a commitment needs a positive quantity (got {c.quantity})"
        )
    if c.years is not None and (
        isinstance(c.years, bool) or not isinstance(c.years, int) or not 1 <= c.years <= MAX_YEARS
    ):
        raise SocialValueError((*loc, "years"), "years_range", f"years must be a whole number from 1 to {MAX_YEARS}")


def _check_actual(a: Actual, loc: Loc) -> None:
    _check_common(a, loc)
    if _decimal(a.quantity, (*loc, "quantity")) < ZERO:
        raise SocialValueError(
            (*loc, "quantity"), "non_negative", f"a delivered quantity cannot be negative ({a.quantity})"
        )
    if not isinstance(a.period, str) or not a.period.strip():
        raise SocialValueError((*loc, "period"), "required", "a delivered actual needs a period")


def _check_common(line: Commitment | Actual, loc: Loc) -> None:
    for name in ("award_id", "measure_code"):
        value = getattr(line, name)
        if not isinstance(value, str) or not value.strip():
            raise SocialValueError((*loc, name), "required", f"{name} is required")
    for name in ("deadweight", "displacement", "attribution", "drop_off"):
        share = _decimal(getattr(line.adjustments, name), (*loc, "adjustments", name))
        if not ZERO <= share <= ONE:
            raise SocialValueError((*loc, "adjustments", name), "share_range", f"must be between 0 and 1 (got {share})")


def _reporting_year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_PRICE_YEAR <= year <= MAX_PRICE_YEAR:
        raise SocialValueError(
            ("reporting_year",), "year_range", f"must be a year from {MIN_PRICE_YEAR} to {MAX_PRICE_YEAR}"
        )
    return year


def _placed(measure_set: MeasureSet, code: str, loc: Loc) -> PlacedMeasure:
    placed = measure_set.get(code)
    if placed is None:
        raise SocialValueError(
            (*loc, "measure_code"), "unknown_measure", f"measure set {measure_set.code!r} has no measure {code!r}"
        )
    return placed


def _decimal(value: object, loc: Loc) -> Decimal:
    # Quantities and shares must arrive as Decimal (or int): a float has already lost precision.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise SocialValueError(loc, "not_decimal", f"must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise SocialValueError(loc, "finite", "must be a finite number")
    return number


def _penny(value: Decimal) -> Decimal:
    return value.quantize(PENNY, ROUND_HALF_UP)
