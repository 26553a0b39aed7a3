"""Cell values as councils write them: "£1,234.56", "(250.00)", "-0.01"; 31/03/2017, 2017-03-31, 31-Mar-17;
"REDACTED - PERSONAL DATA". Each parser returns the value or raises `ValueError` with a message a council
officer can act on."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_MONEY_NOISE = re.compile(r"[£$€,\s]|GBP", re.IGNORECASE)
_MONEY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_PENNY = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    """Money to the penny. Accounting negatives "(250.00)" and trailing "CR" are credits."""
    raw = text.strip()
    if not raw:
        raise ValueError("the amount is empty")
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    if raw.upper().endswith("CR"):
        negative, raw = True, raw[:-2]
    cleaned = _MONEY_NOISE.sub("", raw)
    if cleaned.startswith("-") and negative:
        raise ValueError(f"'{text.strip()}' is not an amount")
    if not _MONEY.match(cleaned):
        raise ValueError(f"'{text.strip()}' is not an amount")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f"'{text.strip()}' is not an amount") from exc
    if value != value.quantize(_PENNY):
        raise ValueError(f"'{text.strip()}' has fractions of a penny")
    if abs(value) >= Decimal("1e15"):
        raise ValueError(f"'{text.strip()}' is too large to be a payment")
    value = value.quantize(_PENNY)
    return -value if negative else value


def looks_like_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except ValueError:
        return False
    return True


MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(MONTH_ABBREVIATIONS, start=1)}
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$")
_NAMED_MONTH = re.compile(r"^(\d{1,2})[\s\-/]([A-Za-z]{3})[A-Za-z]*[\s\-/,]+(\d{2}|\d{4})$")
_TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


FIRST_YEAR, LAST_YEAR = 1990, 2100  # the years a payment date may plausibly have


class MissingDate(ValueError):
    """The cell holds no date at all (empty, or a bare time like '00:00:00' left by a spreadsheet)."""


def parse_date(text: str, *, day_first: bool = True) -> date:
    """A payment date. Numeric dates are read day-first (UK) unless the column was found to be month-first;
    ISO `YYYY-MM-DD` is always year-first."""
    raw = text.strip()
    if not raw or _TIME_ONLY.match(raw):
        raise MissingDate(f"no date in '{raw}'" if raw else "the date is empty")
    match = _NUMERIC_DATE.match(raw)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        else:
            day, month = (int(a), int(b)) if day_first else (int(b), int(a))
            year = _full_year(c)
        return _checked(year, month, day, raw)
    match = _NAMED_MONTH.match(raw)
    if match and match.group(2).lower() in MONTHS:
        return _checked(_full_year(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)), raw)
    try:  # a full ISO timestamp with an offset, as ERP exports write them
        return datetime.fromisoformat(raw).date()
    except ValueError:
        raise ValueError(f"'{raw}' is not a date (expected dd/mm/yyyy or yyyy-mm-dd)") from None


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _checked(year: int, month: int, day: int, raw: str) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"'{raw}': the year {year} is not plausible for a payment")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{raw}' is not a real date") from None


def numeric_date_order(values: list[str]) -> bool | None:
    """Whether a column's numeric dates are day-first (True), month-first (False), or undecided (None):
    a first part above 12 proves day-first, a second part above 12 proves month-first."""
    day_first = month_first = False
    for value in values:
        match = _NUMERIC_DATE.match(value.strip())
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        day_first |= first > 12
        month_first |= second > 12
    if day_first == month_first:
        return None
    return day_first


def looks_like_date(text: str) -> bool:
    try:
        parse_date(text)
    except ValueError:
        try:
            parse_date(text, day_first=False)
        except ValueError:
            return False
    return True


_REDACTED = re.compile(r"^\W*(redacted|withheld|personal data|data protection|not disclosed)\b", re.IGNORECASE)


def is_redacted(supplier_name: str) -> bool:
    """Councils redact private individuals: "REDACTED - PERSONAL DATA", "Redacted, personal data", "Withheld"."""
    return bool(_REDACTED.match(supplier_name.strip()))


def clean_text(text: str | None) -> str | None:
    """Trim, collapse runs of spaces (fixed-width exports pad names), and drop empty cells."""
    if text is None:
        return None
    value = " ".join(text.split())
    return value or None
