"""Response classes: JSON rendered with orjson (datetimes, Decimals via str, fast), and CSV downloads."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import Response


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class JSONDocResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_default)


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


class CSVResponse(Response):
    """A CSV download; as a `response_class` it documents `text/csv` in the OpenAPI."""

    media_type = "text/csv"
    charset = "utf-8"

    def __init__(self, content: str, filename: str, status_code: int = 200) -> None:
        # Headers are latin-1 and a quote would end the value: keep the name to safe ASCII.
        safe = _UNSAFE_FILENAME.sub("-", filename).strip("-") or "export.csv"
        super().__init__(content, status_code, headers={"Content-Disposition": f'attachment; filename="{safe}"'})
