"""LM3 = (R1 + R2 + R3) / R1 (NEF, *The Money Trail*, 2002).

R1 is the spend traced; R2 the part of it spent locally (with local suppliers, and as wages of staff who
live locally); R3 what those local suppliers and staff re-spend locally. R3 <= R2 <= R1, so LM3 lies in
[1, 3]. Re-spend shares come from surveys; where a survey is missing a documented proxy stands in and the
figure is reported as an estimate, so no LM3 looks more certain than it is.

Pure arithmetic: the caller decides which suppliers are local (from their sites) and turns
`LM3ValidationError` into a 422.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

ZERO = Decimal(0)
ONE = Decimal(1)
PENNY = Decimal("0.01")
LM3_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")

SUPPLIER_RESPEND = "local_supplier_respend"
STAFF_RESPEND = "local_staff_respend"

Loc = tuple[str | int, ...]


class LM3ValidationError(ValueError):
    """An input breaks a rule. `loc` names the field, e.g. ("suppliers", 2, "amount"); `rule` is a stable code."""

    def __init__(self, loc: Loc, rule: str, message: str) -> None:
        self.loc, self.rule, self.message = loc, rule, message
        super().__init__(f"{self.field}: {message}")

    @property
    def field(self) -> str:
        """The field as a path: "suppliers[2].amount"."""
        text = ""
        for part in self.loc:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


@dataclass(frozen=True)
class Proxy:
    """A stand-in local re-spend share used when no survey answer exists."""

    share: Decimal
    source: str


# Deliberately modest so that an estimated R3 does not flatter the result; tenants override them with their
# own evidence (`calculate_lm3(..., proxies=...)`), and every use is listed in the result as an estimate.
DEFAULT_PROXIES: Mapping[str, Proxy] = MappingProxyType(
    {
        SUPPLIER_RESPEND: Proxy(
            Decimal("0.25"),
            "Conservative placeholder, not a measurement: a quarter of a local supplier's income re-spent "
            "locally. NEF's LM3 Online reported £1.76 of local value per £1 spent with local suppliers for "
            "Northumberland County Council (lm3online.com/about), so real shares can be far higher. "
            "Replace with a supplier survey.",
        ),
        STAFF_RESPEND: Proxy(
            Decimal("0.40"),
            "NEF's own illustration of averaged staff surveys ('staff spend an average of 40% of their "
            "salaries locally', Plugging the Leaks LM3 survey-averaging template). Replace with a staff survey.",
        ),
    }
)


@dataclass(frozen=True)
class SupplierSpend:
    supplier: str  # reported back as given: an organisation id or a name
    amount: Decimal
    is_local: bool
    local_respend_share: Decimal | None = None  # surveyed share of its income re-spent locally (0-1)


@dataclass(frozen=True)
class StaffWages:
    total: Decimal
    local_share: Decimal  # share of the wage bill paid to staff living locally (headcount share if that is all)
    local_respend_share: Decimal | None = None  # surveyed share of local staff's pay spent locally (0-1)


@dataclass(frozen=True)
class LM3Input:
    suppliers: Sequence[SupplierSpend] = ()
    staff: StaffWages | None = None
    r1: Decimal | None = None  # defaults to supplier spend + wages


@dataclass(frozen=True)
class Estimate:
    """A figure that rests on a proxy rather than a survey."""

    figure: str  # the input it replaces, e.g. "suppliers[0].local_respend_share"
    subject: str  # the supplier, or "staff"
    proxy: str
    share: Decimal
    source: str
    r3: Decimal  # the part of R3 resting on it, to the penny


@dataclass(frozen=True)
class SupplierContribution:
    supplier: str
    amount: Decimal
    is_local: bool
    r2: Decimal
    r3: Decimal
    local_respend_share: Decimal | None  # the share used; None for a non-local supplier
    estimated: bool


@dataclass(frozen=True)
class StaffContribution:
    total: Decimal
    local_share: Decimal
    r2: Decimal
    r3: Decimal
    local_respend_share: Decimal
    estimated: bool


@dataclass(frozen=True)
class Coverage:
    """How much of R3 rests on surveys and how much on proxies. Shares are None when R3 is 0."""

    surveyed_r3: Decimal
    estimated_r3: Decimal
    surveyed_share: Decimal | None
    estimated_share: Decimal | None


@dataclass(frozen=True)
class LM3Result:
    """`r1`-`r3` to the penny and `lm3` to 2 dp for display; the `*_exact` fields are unrounded."""

    r1: Decimal
    r2: Decimal
    r3: Decimal
    lm3: Decimal
    r1_exact: Decimal
    r2_exact: Decimal
    r3_exact: Decimal
    lm3_exact: Decimal
    assumptions: tuple[str, ...]
    estimates: tuple[Estimate, ...]
    by_supplier: tuple[SupplierContribution, ...]
    staff: StaffContribution | None
    coverage: Coverage
    proxies_used: Mapping[str, Proxy]  # the proxies behind `estimates`, by key


def calculate_lm3(data: LM3Input, proxies: Mapping[str, Proxy] | None = None) -> LM3Result:
    """Compute LM3. `proxies` override entries of `DEFAULT_PROXIES` by key. Raises `LM3ValidationError`."""
    tally = _Tally(_proxy_table(proxies))
    contributions = [_supplier(i, s, tally) for i, s in enumerate(data.suppliers)]
    staff, local_wages = _staff(data.staff, tally) if data.staff is not None else (None, ZERO)

    spend = sum((c.amount for c in contributions), ZERO)
    r2 = sum((c.amount for c in contributions if c.is_local), ZERO) + local_wages
    r3 = tally.surveyed + tally.estimated
    if data.r1 is None:
        r1 = spend + (staff.total if staff is not None else ZERO)
        tally.assumptions.insert(0, f"R1 was not given: taken as supplier spend plus wages, {_money(r1)}.")
    else:
        r1 = _non_negative(data.r1, ("r1",))
    if r1 == ZERO:
        raise LM3ValidationError(("r1",), "positive", "R1 is 0: there is no spend to trace")
    if r2 > r1:
        raise LM3ValidationError(
            ("r1",), "r2_exceeds_r1", f"R2 ({_money(r2)}) is more than R1 ({_money(r1)}): local spend cannot exceed it"
        )

    lm3 = (r1 + r2 + r3) / r1
    return LM3Result(
        r1=_penny(r1),
        r2=_penny(r2),
        r3=_penny(r3),
        lm3=lm3.quantize(LM3_PLACES, ROUND_HALF_UP),
        r1_exact=r1,
        r2_exact=r2,
        r3_exact=r3,
        lm3_exact=lm3,
        assumptions=tuple(tally.assumptions),
        estimates=tuple(tally.estimates),
        by_supplier=tuple(contributions),
        staff=staff,
        coverage=_coverage(tally.surveyed, tally.estimated),
        proxies_used=MappingProxyType({e.proxy: tally.table[e.proxy] for e in tally.estimates}),
    )


class _Tally:
    """R3 as it accumulates, split by surveyed and proxy-based, with the notes that explain it."""

    def __init__(self, table: Mapping[str, Proxy]) -> None:
        self.table = table
        self.surveyed = self.estimated = ZERO
        self.assumptions: list[str] = []
        self.estimates: list[Estimate] = []

    def respend(
        self, base: Decimal, surveyed: Decimal | None, key: str, figure: str, subject: str
    ) -> tuple[Decimal, Decimal, bool]:
        """(share used, R3, estimated?) for `base` of local money: the survey answer, else the proxy."""
        if surveyed is not None:
            r3 = base * surveyed
            self.surveyed += r3
            return surveyed, r3, False
        proxy = self.table[key]
        r3 = base * proxy.share
        self.estimated += r3
        self.estimates.append(Estimate(figure, subject, key, proxy.share, proxy.source, _penny(r3)))
        self.assumptions.append(
            f"ESTIMATE: local re-spend by {subject} is taken as {_percent(proxy.share)} of {_money(base)} "
            f"(proxy '{key}', no survey answer): {proxy.source}"
        )
        return proxy.share, r3, True


def _supplier(i: int, s: SupplierSpend, tally: _Tally) -> SupplierContribution:
    amount = _non_negative(s.amount, ("suppliers", i, "amount"))
    surveyed = _share_or_none(s.local_respend_share, ("suppliers", i, "local_respend_share"))
    if not s.is_local:
        if surveyed is not None:
            tally.assumptions.append(
                f"The surveyed re-spend share for {s.supplier} is ignored: the supplier is not local, and LM3 "
                "counts round-3 re-spend by local suppliers and staff only."
            )
        return SupplierContribution(s.supplier, amount, False, ZERO, ZERO, None, False)
    figure = f"suppliers[{i}].local_respend_share"
    share, r3, estimated = tally.respend(amount, surveyed, SUPPLIER_RESPEND, figure, s.supplier)
    return SupplierContribution(s.supplier, amount, True, _penny(amount), _penny(r3), share, estimated)


def _staff(wages: StaffWages, tally: _Tally) -> tuple[StaffContribution, Decimal]:
    """The staff contribution and the exact local wages (their part of R2)."""
    total = _non_negative(wages.total, ("staff", "total"))
    local_share = _share(wages.local_share, ("staff", "local_share"))
    surveyed = _share_or_none(wages.local_respend_share, ("staff", "local_respend_share"))
    local_wages = total * local_share
    share, r3, estimated = tally.respend(local_wages, surveyed, STAFF_RESPEND, "staff.local_respend_share", "staff")
    return StaffContribution(total, local_share, _penny(local_wages), _penny(r3), share, estimated), local_wages


def _proxy_table(overrides: Mapping[str, Proxy] | None) -> Mapping[str, Proxy]:
    table = dict(DEFAULT_PROXIES)
    for key, proxy in (overrides or {}).items():
        if key not in DEFAULT_PROXIES:
            raise LM3ValidationError(
                ("proxies", key), "unknown_proxy", f"unknown proxy; expected one of {sorted(DEFAULT_PROXIES)}"
            )
        _share(proxy.share, ("proxies", key, "share"))
        table[key] = proxy
    return table


def _coverage(surveyed: Decimal, estimated: Decimal) -> Coverage:
    total = surveyed + estimated
    if total == ZERO:
        return Coverage(_penny(surveyed), _penny(estimated), None, None)
    surveyed_share = (surveyed / total).quantize(SHARE_PLACES, ROUND_HALF_UP)
    return Coverage(_penny(surveyed), _penny(estimated), surveyed_share, ONE - surveyed_share)


def _decimal(value: object, loc: Loc) -> Decimal:
    # Money and shares must arrive as Decimal (or int): a float has already lost the penny.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise LM3ValidationError(loc, "not_decimal", f"must be a Decimal, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise LM3ValidationError(loc, "finite", "must be a finite number")
    return number


def _non_negative(value: object, loc: Loc) -> Decimal:
    number = _decimal(value, loc)
    if number < ZERO:
        raise LM3ValidationError(loc, "non_negative", f"must not be negative (got {number})")
    return number


def _share(value: object, loc: Loc) -> Decimal:
    number = _decimal(value, loc)
    if not ZERO <= number <= ONE:
        raise LM3ValidationError(loc, "share_range", f"must be a share between 0 and 1 (got {number})")
    return number


def _share_or_none(value: object, loc: Loc) -> Decimal | None:
    return None if value is None else _share(value, loc)


def _penny(value: Decimal) -> Decimal:
    return value.quantize(PENNY, ROUND_HALF_UP)


def _money(value: Decimal) -> str:
    return f"£{_penny(value):,}"


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"
