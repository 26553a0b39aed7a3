"""Keyset pagination: opaque cursors over a stable ordering, `?limit=` 1–200 (default 50).

A cursor is the sort key of the last row served, so pages never skip or repeat rows while data changes;
lists that ERP systems sync from are ordered by `(updated_at, id)` and filtered by `updated_since`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import AfterValidator, BaseModel, BeforeValidator
from sqlalchemy import ColumnElement, and_, or_

from localwealth_shared.http.problems import field_error

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200, description="Page size (1–200).")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="Opaque cursor from the previous page's `next_cursor`.")
]


def _as_utc(value: datetime | None) -> datetime | None:
    """Move an RFC 3339 time to UTC; one that leaves the calendar on the way (year 9999 at −14:00) is a 422,
    not a database overflow. A time without an offset is left for the endpoint to refuse with its rule."""
    if value is None or value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date-time out of range") from exc


def _rfc3339_only(value: object) -> object:
    """pydantic would read `0.0` as a Unix timestamp; the API promises RFC 3339 date-times only."""
    if isinstance(value, str) and not _RFC3339_START.match(value):
        raise ValueError("an RFC 3339 date-time is expected, e.g. 2026-01-31T09:00:00Z")
    return value


_RFC3339_START = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")

UpdatedSince = Annotated[
    datetime | None,
    BeforeValidator(_rfc3339_only),
    AfterValidator(_as_utc),
    Query(description="Only items changed at or after this RFC 3339 time, ordered by (updated_at, id)."),
]


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = None


def encode_cursor(values: Sequence[Any]) -> str:
    raw = orjson.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """Decode a cursor whose values have the given types (datetime, str, int, float); 422 if it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("wrong shape")
        out: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            if kind is datetime:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise ValueError("naive time")
                out.append(parsed)
            elif kind is float:
                out.append(float(value))
            elif not isinstance(value, kind):
                raise ValueError("wrong type")
            else:
                out.append(value)
        return out
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise field_error(["query", "cursor"], "not a cursor issued by this list", "cursor.invalid") from exc


def after(columns: Sequence[ColumnElement[Any]], values: Sequence[Any]) -> ColumnElement[bool]:
    """`(c1, c2, ...) > (v1, v2, ...)` spelled out so it works on every database."""
    clauses = []
    for i, (column, value) in enumerate(zip(columns, values, strict=True)):
        equal_prefix = [columns[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal_prefix, column > value))
    return or_(*clauses)


def page_of(rows: Sequence[T], limit: int, key: Any) -> tuple[list[T], str | None]:
    """Given up to limit+1 rows, the page and the cursor of its last row (None on the last page)."""
    if len(rows) > limit:
        page = list(rows[:limit])
        return page, encode_cursor(key(page[-1]))
    return list(rows), None
