"""The ERP push: a JSON-lines (or JSON array) body of payment lines → the same records a file becomes, so
both paths share one natural key, one writer and one set of row errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from localwealth_shared.reference.identifiers import IdentifierError, parse_org_id
from pydantic import ValidationError

from impact.spend.parse import SpendRecord, financial_year
from impact.spend.schemas import SpendLineIn
from impact.spend.values import clean_text, is_redacted

MAX_LINES = 10_000


class PushBodyError(ValueError):
    pass


def parse_body(body: bytes, *, json_array: bool) -> Iterator[tuple[int, Any]]:
    """(line number, decoded value) for each line of JSON lines, or each item of a JSON array."""
    if json_array:
        try:
            items = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise PushBodyError(f"the body is not valid JSON: {exc}") from exc
        if not isinstance(items, list):
            raise PushBodyError("an application/json body is an array of lines")
        yield from enumerate(items, start=1)
        return
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError:
            yield number, _Unreadable()


class _Unreadable:
    """A line that is not JSON: reported on its line, the others still load."""


def to_record(number: int, item: Any) -> SpendRecord:
    record = SpendRecord(number)
    if isinstance(item, _Unreadable):
        record.errors.append(("line", "not a JSON object"))
        return record
    try:
        line = SpendLineIn.model_validate(item)
    except ValidationError as exc:
        for error in exc.errors():
            loc = ".".join(str(p) for p in error["loc"]) or "line"
            record.errors.append((loc, error["msg"]))
        return record
    supplier = clean_text(line.supplier_name) or ""
    record.fields = {
        "paid_date": line.paid_date,
        "period_date": line.paid_date,
        "date_basis": "paid_date",
        "amount": line.amount.amount,
        "supplier_name": supplier,
        "redacted": is_redacted(supplier),
        "transaction_ref": clean_text(line.transaction_ref),
        "supplier_ref": clean_text(line.supplier_ref),
        "body": clean_text(line.body),
        "service_area": clean_text(line.service_area),
        "category": clean_text(line.category),
        "expenditure_code": clean_text(line.expenditure_code),
        "capital_or_revenue": line.capital_or_revenue,
        "identifier": None,
    }
    record.fields["financial_year"], record.fields["quarter"] = financial_year(line.paid_date)
    if line.supplier_identifier and not record.fields["redacted"]:
        try:
            record.fields["identifier"] = parse_org_id(line.supplier_identifier).org_id
        except IdentifierError as exc:
            record.errors.append(("supplier_identifier", str(exc)))
    return record
