"""The reporting period a request asks for: `period=2017-18` (a financial year, April–March),
`period=2017-18-Q3` (one quarter of it, Q1 = April–June), or `from=`/`to=` dates."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Query
from localwealth_shared.http.problems import Unprocessable, field_error
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from impact.spend.repository import PeriodFilter

_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-Q([1-4]))?$")

PeriodParam = Annotated[
    str | None,
    Query(
        description="A financial year `2017-18` or a quarter of one `2017-18-Q3` (Q1 = April–June)",
        pattern=r"^\d{4}-\d{2}(-Q[1-4])?$",
        examples=["2017-18"],
    ),
]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: object) -> object:
    """pydantic would read `0` as a Unix timestamp; the API promises `YYYY-MM-DD` dates only."""
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("a date is YYYY-MM-DD, e.g. 2017-04-01")
    return value


FromParam = Annotated[
    date | None, BeforeValidator(_iso_date_only), Query(alias="from", description="First day (inclusive), YYYY-MM-DD")
]
ToParam = Annotated[
    date | None, BeforeValidator(_iso_date_only), Query(alias="to", description="Last day (inclusive), YYYY-MM-DD")
]


def period_filter(period: str | None, start: date | None, end: date | None) -> PeriodFilter:
    if period and (start or end):
        raise field_error(("query", "period"), "give either period or from/to, not both", "period.exclusive")
    if period:
        match = _PERIOD.match(period)
        assert match is not None  # the query pattern already refused anything else
        first, second = int(match.group(1)), int(match.group(2))
        if (first + 1) % 100 != second:
            example = f"{first}-{(first + 1) % 100:02d}"
            message = f"a financial year runs from one year to the next, e.g. {example}"
            raise field_error(("query", "period"), message, "period.financial_year")
        return PeriodFilter(financial_year=f"{first}-{second:02d}", quarter=int(match.group(3) or 0) or None)
    if start and end and end < start:
        raise field_error(("query", "to"), "to must not be before from", "period.range")
    return PeriodFilter(start=start, end=end)


def bounds(period: PeriodFilter, today: date) -> tuple[date, date]:
    """The first and last day a period covers (an open date range ends today / starts in 1990)."""
    start, end = period.days()
    return start or date(1990, 1, 1), end or today


def current_financial_year(today: date) -> str:
    start = today.year if today.month >= 4 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _financial_period(value: str) -> str:
    """The `period` query rule (consecutive years) for a body field, reported where the field stands."""
    try:
        period_filter(value, None, None)
    except Unprocessable as exc:
        error = (exc.errors or [{}])[0]
        raise PydanticCustomError(str(error.get("type", "period")), str(error.get("msg", exc.detail))) from exc
    return value


FinancialPeriod = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}(-Q[1-4])?$", examples=["2017-18", "2017-18-Q3"]),
    AfterValidator(_financial_period),
]
