"""Social value rules over the stored records: which measure set a tenant may use, what an award may add
without double counting, and what an award (or a tenant, or a supplier) is worth in a reporting year.

Never commits: the request commits or rolls back. Engine errors (`SocialValueError`) carry a `loc` relative to
the lines given here, and the endpoints say where in the request that is.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from localwealth_shared.clock import utcnow
from localwealth_shared.http.problems import Conflict, field_error
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from impact.social_value.engine import (
    Actual,
    AdjustmentEffects,
    Adjustments,
    Commitment,
    Loc,
    MeasureDelivery,
    SocialValueError,
    Valuation,
    ValueSummary,
    check_actuals,
    check_commitments,
    compare_delivery,
    gdp_deflator,
    value_actual,
    value_commitment,
)
from impact.social_value.measure_sets import MeasureSet, MeasureSetDocument, default_measure_set, parse_measure_set
from impact.social_value.schemas import ActualIn, AdjustmentsIn, CommitmentsIn
from impact.social_value.tables import MeasureSetRecord, SocialValueActual, SocialValueAward, SocialValueCommitment

logger = logging.getLogger("impact.social_value")

ZERO = Decimal(0)
SHARE_PLACES = Decimal("0.0001")
NO_EFFECTS = AdjustmentEffects(ZERO, ZERO, ZERO, ZERO)


def open_default_code() -> str:
    return default_measure_set().code


def latest_reporting_year() -> int:
    """The default reporting year: the latest the bundled price index has a value for."""
    return max(gdp_deflator().values)


def reporting_year_or_latest(year: int | None) -> int:
    """Refuse a year the price index cannot reach before any line is valued (even when there are none)."""
    if year is None:
        return latest_reporting_year()
    index = gdp_deflator()
    if not index.covers(year):
        raise SocialValueError(("reporting_year",), "year_not_in_index", f"{index.name} covers {index.span} only")
    return year


# --- measure sets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedSet:
    measure_set: MeasureSet
    record: MeasureSetRecord | None  # None for the open default

    @property
    def is_default(self) -> bool:
        return self.record is None


async def find_measure_set(
    session: AsyncSession, tenant_id: str, code: str, *, for_update: bool = False
) -> ResolvedSet | None:
    """The tenant's own set with that code, or the open default; never another tenant's (they may be licensed)."""
    if code == open_default_code():
        return ResolvedSet(default_measure_set(), None)
    stmt = select(MeasureSetRecord).where(MeasureSetRecord.tenant_id == tenant_id, MeasureSetRecord.code == code)
    record = await session.scalar(stmt.with_for_update() if for_update else stmt)
    return None if record is None else ResolvedSet(parse_measure_set(record.document), record)


async def store_measure_set(
    session: AsyncSession, tenant_id: str, document: MeasureSetDocument, record: MeasureSetRecord | None
) -> MeasureSetRecord:
    """Create or replace a tenant's set. A replacement must keep every measure the tenant's awards already use,
    or their stored lines could no longer be valued."""
    now = utcnow()
    if record is None:
        record = MeasureSetRecord(id=str(uuid.uuid4()), tenant_id=tenant_id, code=document.code, created_at=now)
        record.version = 0
        session.add(record)
    else:
        kept = {m.code for m in MeasureSet(document)}
        dropped = sorted(await measures_in_use(session, tenant_id, document.code) - kept)
        if dropped:
            raise Conflict(
                f"measure set {document.code!r} is used by awards whose lines claim {', '.join(dropped)}; "
                "keep those measures in the new upload",
                code="measure_in_use",
                extra={"measures": dropped},
            )
    record.name, record.document = document.name, document.model_dump(mode="json")
    record.updated_at, record.version = now, record.version + 1
    try:
        await session.flush()
    except IntegrityError as exc:  # another request created the same code a moment ago
        message = f"measure set {document.code} was just created by another request; read it and retry"
        raise Conflict(message, code="measure_set_conflict") from exc
    return record


async def measures_in_use(session: AsyncSession, tenant_id: str, code: str) -> set[str]:
    used: set[str] = set()
    for table in (SocialValueCommitment, SocialValueActual):
        rows = await session.scalars(
            select(table.measure_code)
            .join(
                SocialValueAward,
                (SocialValueAward.tenant_id == table.tenant_id) & (SocialValueAward.award_id == table.award_id),
            )
            .where(SocialValueAward.tenant_id == tenant_id, SocialValueAward.measure_set_code == code)
            .distinct()
        )
        used.update(rows.all())
    return used


# --- awards: recording ---------------------------------------------------------------------------------


async def find_award(
    session: AsyncSession, tenant_id: str, award_id: str, *, for_update: bool = False
) -> SocialValueAward | None:
    # Locked while lines are added, so two requests cannot both pass the double-counting guard (PostgreSQL).
    stmt = select(SocialValueAward).where(
        SocialValueAward.tenant_id == tenant_id, SocialValueAward.award_id == award_id
    )
    return await session.scalar(stmt.with_for_update() if for_update else stmt)


async def add_commitments(
    session: AsyncSession, tenant_id: str, award_id: str, award: SocialValueAward | None, body: CommitmentsIn
) -> SocialValueAward:
    """Record an award's commitments. Raises `SocialValueError` with locs into `body.commitments`."""
    if award is None:
        award = await _new_award(session, tenant_id, award_id, body)
    else:
        _same_award_terms(award, body)
    resolved = await _award_set(session, award)
    stored, _ = await award_lines(session, award)
    new = [
        Commitment(award_id, c.measure_code, c.quantity, c.years, _adjustments(c.adjustments), c.reference)
        for c in body.commitments
    ]
    check_commitments(new, resolved.measure_set, existing=[as_commitment(r) for r in stored])
    for i, commitment in enumerate(new):  # refused now, not on every later read, if it cannot be valued
        _valued(value_commitment, commitment, resolved.measure_set, latest_reporting_year(), ("commitments", i))
    now = utcnow()
    for c in body.commitments:
        session.add(
            SocialValueCommitment(
                id=str(uuid.uuid4()),
                tenant_id=tenant_id,
                award_id=award_id,
                measure_code=c.measure_code,
                quantity=c.quantity,
                years=c.years,
                reference=c.reference,
                created_at=now,
                **c.adjustments.model_dump(),
            )
        )
    _touch(award, now)
    await session.flush()
    return award


async def add_actual(session: AsyncSession, award: SocialValueAward, body: ActualIn) -> None:
    """Record a delivered actual. Raises `SocialValueError` with locs under ("actuals", 0)."""
    resolved = await _award_set(session, award)
    _, stored = await award_lines(session, award)
    adjustments = _adjustments(body.adjustments)
    new = Actual(award.award_id, body.measure_code, body.quantity, body.period, adjustments, body.reference)
    # The engine compares actuals of one period; a year and its quarters overlap, so those are compared too.
    overlapping = [replace(as_actual(r), period=body.period) for r in stored if _overlap(r.period, body.period)]
    check_actuals([new], resolved.measure_set, existing=overlapping)
    _valued(value_actual, new, resolved.measure_set, latest_reporting_year(), ("actuals", 0))
    now = utcnow()
    session.add(
        SocialValueActual(
            id=str(uuid.uuid4()),
            tenant_id=award.tenant_id,
            award_id=award.award_id,
            measure_code=body.measure_code,
            quantity=body.quantity,
            period=body.period,
            reference=body.reference,
            created_at=now,
            **body.adjustments.model_dump(),
        )
    )
    _touch(award, now)
    await session.flush()


def link_organisation(award: SocialValueAward, organisation_id: str | None) -> None:
    award.organisation_id = organisation_id
    _touch(award, utcnow())


async def _new_award(session: AsyncSession, tenant_id: str, award_id: str, body: CommitmentsIn) -> SocialValueAward:
    code = body.measure_set or open_default_code()
    if await find_measure_set(session, tenant_id, code) is None:
        message = f"no measure set {code!r} (yours or the open default)"
        raise field_error(("body", "measure_set"), message, "measure_set.unknown")
    now = utcnow()
    award = SocialValueAward(
        tenant_id=tenant_id,
        award_id=award_id,
        measure_set_code=code,
        organisation_id=body.organisation_id,
        created_at=now,
        updated_at=now,
        version=0,
    )
    session.add(award)
    try:
        await session.flush()
    except IntegrityError as exc:  # another request created it a moment ago
        raise Conflict(f"award {award_id} was just created by another request; retry", code="award_conflict") from exc
    return award


def _same_award_terms(award: SocialValueAward, body: CommitmentsIn) -> None:
    if body.measure_set is not None and body.measure_set != award.measure_set_code:
        raise field_error(
            ("body", "measure_set"),
            f"the award's lines are valued with {award.measure_set_code!r}; one set per award lets the "
            "double-counting guard see every line",
            "award.measure_set_fixed",
        )
    if body.organisation_id is not None and award.organisation_id not in (None, body.organisation_id):
        raise field_error(
            ("body", "organisation_id"),
            f"the award is linked to organisation {award.organisation_id}; change it with PATCH",
            "award.organisation_fixed",
        )
    if body.organisation_id is not None:
        award.organisation_id = body.organisation_id


def _touch(award: SocialValueAward, now: datetime) -> None:
    award.updated_at, award.version = now, award.version + 1


def _overlap(a: str, b: str) -> bool:
    """ "2024-25" overlaps each of its quarters "2024-25-Q1".."-Q4"; two quarters only if they are the same."""
    year_a, _, quarter_a = a.partition("-Q")
    year_b, _, quarter_b = b.partition("-Q")
    return year_a == year_b and (not quarter_a or not quarter_b or quarter_a == quarter_b)


def _adjustments(given: AdjustmentsIn) -> Adjustments:
    return Adjustments(given.deadweight, given.displacement, given.attribution, given.drop_off)


# --- awards: valuing -----------------------------------------------------------------------------------


async def award_lines(
    session: AsyncSession, award: SocialValueAward
) -> tuple[list[SocialValueCommitment], list[SocialValueActual]]:
    lines = []
    for table in (SocialValueCommitment, SocialValueActual):
        rows = await session.scalars(
            select(table)
            .where(table.tenant_id == award.tenant_id, table.award_id == award.award_id)
            .order_by(table.created_at, table.id)
        )
        lines.append(list(rows.all()))
    return lines[0], lines[1]  # type: ignore[return-value]


def as_commitment(row: SocialValueCommitment) -> Commitment:
    return Commitment(row.award_id, row.measure_code, row.quantity, row.years, _stored_adjustments(row), row.reference)


def as_actual(row: SocialValueActual) -> Actual:
    return Actual(row.award_id, row.measure_code, row.quantity, row.period, _stored_adjustments(row), row.reference)


def _stored_adjustments(row: SocialValueCommitment | SocialValueActual) -> Adjustments:
    return Adjustments(row.deadweight, row.displacement, row.attribution, row.drop_off)


@dataclass(frozen=True)
class AwardValues:
    resolved: ResolvedSet
    reporting_year: int
    commitments: list[tuple[SocialValueCommitment, Valuation]]
    actuals: list[tuple[SocialValueActual, Valuation]]
    committed: ValueSummary
    delivered: ValueSummary
    delivery: tuple[MeasureDelivery, ...]

    @property
    def delivered_share(self) -> Decimal | None:
        return share(self.delivered.net, self.committed.net)


SetCache = dict[tuple[str, str], ResolvedSet]


async def value_award(
    session: AsyncSession, award: SocialValueAward, reporting_year: int, sets: SetCache | None = None
) -> AwardValues:
    """Every line valued at `reporting_year`, the totals, and what was delivered of each measure committed.
    Lines are valued one by one: they passed the double-counting guard when they were recorded. `sets` keeps
    parsed measure sets across the awards of one totalling."""
    resolved = await _award_set(session, award, sets)
    commitment_rows, actual_rows = await award_lines(session, award)
    commitments, actuals = [as_commitment(r) for r in commitment_rows], [as_actual(r) for r in actual_rows]
    committed = [
        _valued(value_commitment, c, resolved.measure_set, reporting_year, ("commitments", i))
        for i, c in enumerate(commitments)
    ]
    delivered = [
        _valued(value_actual, a, resolved.measure_set, reporting_year, ("actuals", i)) for i, a in enumerate(actuals)
    ]
    comparison = compare_delivery(commitments, actuals)
    return AwardValues(
        resolved=resolved,
        reporting_year=reporting_year,
        commitments=list(zip(commitment_rows, committed, strict=True)),
        actuals=list(zip(actual_rows, delivered, strict=True)),
        committed=totals(committed),
        delivered=totals(delivered),
        delivery=comparison[0].measures if comparison else (),
    )


async def tenant_totals(
    session: AsyncSession, tenant_id: str, reporting_year: int
) -> tuple[int, ValueSummary, ValueSummary]:
    """(awards, committed, delivered) over all of a tenant's awards."""
    awards = (await session.scalars(select(SocialValueAward).where(SocialValueAward.tenant_id == tenant_id))).all()
    sets: SetCache = {}
    values = [await value_award(session, award, reporting_year, sets) for award in awards]
    committed = totals([v for a in values for _, v in a.commitments])
    delivered = totals([v for a in values for _, v in a.actuals])
    return len(awards), committed, delivered


async def delivered_by_organisation(
    session: AsyncSession, organisation_id: str, reporting_year: int | None = None
) -> tuple[Decimal, Decimal]:
    """(net value delivered, net value committed) by a supplier organisation across every tenant's awards, at
    the reporting year (default: the latest in the price index). Only totals leave here: each tenant's measure
    sets and awards stay private to it."""
    year = reporting_year_or_latest(reporting_year)
    awards = (
        await session.scalars(select(SocialValueAward).where(SocialValueAward.organisation_id == organisation_id))
    ).all()
    delivered = committed = ZERO
    sets: SetCache = {}
    for award in awards:
        try:
            values = await value_award(session, award, year, sets)
        except SocialValueError as exc:  # e.g. a measure priced in a year the index lacks: leave it out, say so
            logger.warning("award %s of %s left out of the totals: %s", award.award_id, award.tenant_id, exc)
            continue
        delivered, committed = delivered + values.delivered.net, committed + values.committed.net
    return delivered, committed


def totals(valuations: Sequence[Valuation]) -> ValueSummary:
    """Sums of the rounded lines, so they add up as shown."""
    effects = AdjustmentEffects(
        *(sum((getattr(v.effects, k) for v in valuations), ZERO) for k in NO_EFFECTS.__dataclass_fields__)
    )
    return ValueSummary(
        tuple(valuations), sum((v.gross for v in valuations), ZERO), sum((v.net for v in valuations), ZERO), effects
    )


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(SHARE_PLACES, ROUND_HALF_UP) if whole > ZERO else None


async def _award_set(session: AsyncSession, award: SocialValueAward, sets: SetCache | None = None) -> ResolvedSet:
    key = (award.tenant_id, award.measure_set_code)
    if sets is not None and key in sets:
        return sets[key]
    resolved = await find_measure_set(session, *key)
    if resolved is None:  # sets are never deleted, so this is a bug, not a client error
        raise RuntimeError(f"award {award.award_id} names missing measure set {award.measure_set_code!r}")
    if sets is not None:
        sets[key] = resolved
    return resolved


def _valued(
    value: Callable[..., Valuation], line: Commitment | Actual, measure_set: MeasureSet, year: int, loc: Loc
) -> Valuation:
    """Value one line; a failure names the line (`loc`) rather than the engine's single-line view of it."""
    try:
        return value(line, measure_set, reporting_year=year)
    except SocialValueError as exc:
        where = exc.loc if exc.loc[:1] == ("reporting_year",) else (*loc, *exc.loc)
        raise SocialValueError(where, exc.rule, exc.message) from exc
