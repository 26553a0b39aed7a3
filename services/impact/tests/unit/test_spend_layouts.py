"""Every layout of the Oxford files, and layouts never seen before, map to the right fields."""

from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal

import pytest
from impact.spend.parse import NOT_NAMED, SpendFileError, read_spend_file

from ..conftest import OXFORD_FILES

EVERY_FIELD = {"paid_date", "amount", "supplier_name", "transaction_ref", "supplier_ref", "expenditure_code",
               "capital_or_revenue", "service_area"}  # fmt: skip


@pytest.mark.parametrize("path", OXFORD_FILES, ids=lambda p: p.name.removesuffix(".csv.gz"))
def test_every_oxford_layout_maps_every_column(path) -> None:  # type: ignore[no-untyped-def]
    content = gzip.decompress(path.read_bytes())
    spend = read_spend_file(content, filename=path.name.removesuffix(".gz"))
    header = content.decode("latin-1").splitlines()[0].split(",")
    expected = EVERY_FIELD | (
        {"category"} if any("ategor" in h or ("Unit" in h and "Exp" in h) for h in header) else set()
    )
    expected |= {"body"} if len(header) == 10 else set()
    assert expected <= set(spend.mapping.columns), spend.notes
    accepted = [r for r in spend.records if not r.errors]
    assert len(accepted) >= len(spend.records) - 1  # only the one junk line in jan-mar-2014
    assert all(isinstance(r.fields["amount"], Decimal) for r in accepted)


def test_the_file_that_lost_its_dates_is_dated_by_its_period() -> None:
    path = next(p for p in OXFORD_FILES if "apr-jun-2014" in p.name)
    spend = read_spend_file(gzip.decompress(path.read_bytes()), filename=path.name)
    first = spend.records[0].fields
    assert first["paid_date"] is None and first["period_date"] == date(2014, 4, 1)
    assert first["date_basis"] == "file_period" and first["financial_year"] == "2014-15"
    without_period = read_spend_file(gzip.decompress(path.read_bytes()), filename="spend.csv")
    assert without_period.records[0].errors == [
        ("paid_date", "no date in '00:00:00'; give the file's period (e.g. 2014-04-01/2014-06-30)")
    ]


def test_latin1_pound_signs_and_blank_suppliers() -> None:
    content = "Paid Date,Amount,Supplier Name,Trans No\n01/05/2016,\xa31\xa0234.50,ACME LTD,1\n02/05/2016,10.00,,2\n"
    spend = read_spend_file(content.encode("latin-1"))
    first, blank = (r.fields for r in spend.records)
    assert first["amount"] == Decimal("1234.50") and first["supplier_name"] == "ACME LTD"
    assert blank["supplier_name"] == NOT_NAMED and blank["redacted"] is True


def test_an_unseen_layout_semicolons_bom_title_rows_iso_dates_synonyms() -> None:
    content = (
        "\ufeffWestshire District Council;;;;\n"
        "Payments over 500 pounds, published under the Transparency Code;;;;\n"
        "Date Paid;Payee;Purpose of expenditure;Net Amount (£);Payment Reference;Directorate\n"
        "2019-04-02;Riverside Community Co-operative Ltd;Grounds maintenance;£12,400.00;PAY-0001;Environment\n"
        "2019-04-03;REDACTED;Care package;980.10;PAY-0002;Adult Social Care\n"
        "2019-04-04;Westshire Housing Association;Rent refund;(650.00);PAY-0003;Housing\n"
    ).encode("utf-8")
    spend = read_spend_file(content)
    assert {"paid_date", "supplier_name", "category", "amount", "transaction_ref", "service_area"} <= set(
        spend.mapping.columns
    )
    rows = [r.fields for r in spend.records]
    assert [r["amount"] for r in rows] == [Decimal("12400.00"), Decimal("980.10"), Decimal("-650.00")]
    assert rows[0]["paid_date"] == date(2019, 4, 2) and rows[0]["category"] == "Grounds maintenance"
    assert rows[1]["redacted"] and rows[2]["service_area"] == "Housing"
    assert spend.records[0].number == 4  # spreadsheet rows: two title rows, the header, then the data


def test_a_headerless_file_is_read_by_content() -> None:
    content = (
        b"03/05/2018,INV-1001,Cowley Road Bakery Co-operative,1500.00\n"
        b"04/05/2018,INV-1002,Oxford Bus Company,220.50\n"
        b"17/05/2018,INV-1003,Cowley Road Bakery Co-operative,75.25\n"
    )
    spend = read_spend_file(content)
    assert not spend.mapping.has_header
    assert spend.mapping.columns["paid_date"] == 0 and spend.mapping.columns["amount"] == 3
    assert spend.mapping.columns["supplier_name"] == 2 and spend.mapping.columns["transaction_ref"] == 1
    assert spend.records[2].fields["paid_date"] == date(2018, 5, 17)


def test_month_first_files_are_detected() -> None:
    content = b"Payment Date,Vendor,Amount\n04/30/2019,ACME LTD,10.00\n05/01/2019,ACME LTD,20.00\n"
    spend = read_spend_file(content)
    assert [r.fields["paid_date"] for r in spend.records] == [date(2019, 4, 30), date(2019, 5, 1)]


def test_a_type_column_that_is_not_capital_or_revenue_is_not_mistaken_for_it() -> None:
    content = b"Date,Supplier,Amount,Type\n01/04/2019,ACME LTD,10.00,Invoice\n02/04/2019,ACME LTD,5.00,Credit note\n"
    spend = read_spend_file(content)
    assert "capital_or_revenue" not in spend.mapping.columns
    assert any("content is not" in n for n in spend.notes)


def test_bad_rows_are_reported_by_row_and_the_rest_read() -> None:
    content = (
        b"Paid Date,Supplier Name,Amount,Trans No\n"
        b"31/02/2017,ACME LTD,10.00,1\n"  # impossible date
        b"01/03/2017,ACME LTD,,2\n"  # empty amount
        b"02/03/2017,ACME LTD,ten pounds,3\n"  # not a number
        b"03/03/2017,ACME LTD,12.00,4\n"
    )
    records = read_spend_file(content).records
    assert [(r.number, r.errors) for r in records[:3]] == [
        (2, [("paid_date", "'31/02/2017' is not a real date")]),
        (3, [("amount", "the amount is empty")]),
        (4, [("amount", "'ten pounds' is not an amount")]),
    ]
    assert not records[3].errors


def test_a_file_without_spend_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(SpendFileError, match="amount"):
        read_spend_file(b"name,colour\nfoo,blue\nbar,red\n")
