"""Cell parsing: amounts as councils write them, dates in their many spellings, redacted names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from impact.spend.parse import Period, financial_year, period_from_filename
from impact.spend.values import MissingDate, is_redacted, numeric_date_order, parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500", "1500.00"),
        ("£1,234.56", "1234.56"),
        (" 100565.40 ", "100565.40"),
        ("-0.01", "-0.01"),
        ("(250.00)", "-250.00"),
        ("1,000.00 CR", "-1000.00"),
        ("GBP 12.5", "12.50"),
        (".5", "0.50"),
    ],
)
def test_amounts(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "  ", "abc", "12.345", "1.2.3", "--5", "(-5)", "1e5", "12/01/2016"])
def test_bad_amounts_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"amount|penny|empty"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07/04/2015", date(2015, 4, 7)),
        ("7/4/15", date(2015, 4, 7)),
        ("2015-04-07", date(2015, 4, 7)),
        ("2015-04-07T00:00:00", date(2015, 4, 7)),
        ("07/04/2015 00:00:00", date(2015, 4, 7)),
        ("07-Apr-2015", date(2015, 4, 7)),
        ("7 April 2015", date(2015, 4, 7)),
        ("07.04.2015", date(2015, 4, 7)),
        ("29/02/2016", date(2016, 2, 29)),
    ],
)
def test_dates_day_first(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_month_first_when_the_column_says_so() -> None:
    assert parse_date("04/07/2015", day_first=False) == date(2015, 4, 7)
    assert numeric_date_order(["04/07/2015", "12/31/2015"]) is False
    assert numeric_date_order(["31/12/2015", "04/07/2015"]) is True
    assert numeric_date_order(["01/02/2015"]) is None


@pytest.mark.parametrize("text", ["31/02/2016", "29/02/2015", "32/01/2016", "12/13/2016x", "1/1/1800", "tomorrow"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("text", ["", "00:00:00", "0:00"])
def test_a_cell_without_a_date_is_missing_not_wrong(text: str) -> None:
    with pytest.raises(MissingDate):
        parse_date(text)


@pytest.mark.parametrize(
    "name", ["REDACTED - PERSONAL DATA", "Redacted personal data", "Redacted, personal data", "REDACTED", "Withheld"]
)
def test_redacted_names(name: str) -> None:
    assert is_redacted(name)


def test_a_name_containing_redacted_later_is_a_supplier() -> None:
    assert not is_redacted("Oxford Redacted Records Ltd")


def test_financial_years_and_quarters() -> None:
    assert financial_year(date(2017, 4, 1)) == ("2017-18", 1)
    assert financial_year(date(2018, 3, 31)) == ("2017-18", 4)
    assert financial_year(date(2017, 12, 31)) == ("2017-18", 3)
    assert financial_year(date(1999, 7, 1)) == ("1999-00", 2)


def test_period_from_file_names() -> None:
    assert period_from_filename("expenditure-over-500-apr-jun-2014.csv") == Period(date(2014, 4, 1), date(2014, 6, 30))
    assert period_from_filename("Spend_December_to_February_2016.csv") == Period(date(2015, 12, 1), date(2016, 2, 29))
    assert period_from_filename("payments-march-2017.csv") == Period(date(2017, 3, 1), date(2017, 3, 31))
    assert period_from_filename("spend.csv") is None
    with pytest.raises(ValueError, match="two ISO dates"):
        Period.parse("2014-04")
