"""Spend through the API: file imports as jobs, the ERP push, the summary, idempotency and tenant isolation."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from impact.spend import importer, prepared_file
from impact.spend.parse import read_spend_file
from sqlalchemy import text

from .conftest import CHERWELL, OXFORD_FILES, ClientFactory, oxford_file

APR_JUN_2016 = "expenditure-over-500-apr-jun-2016"


@pytest.fixture(params=["thread", "process"])
def preparing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Imports prepared by a thread, or by a child process, in batches of 300 lines committed 900 at a time."""
    monkeypatch.setattr(prepared_file, "BATCH", 300)
    monkeypatch.setattr(importer, "COMMIT_ROWS", 900)
    monkeypatch.setattr(prepared_file, "PROCESS_FROM_BYTES", 0 if request.param == "process" else 1 << 40)
    return str(request.param)


def expected_total(content: bytes, filename: str) -> tuple[Decimal, int]:
    """What the file's accepted rows add up to, computed independently of the database."""
    spend = read_spend_file(content, filename=filename)
    seen, total, n = set(), Decimal("0"), 0
    for r in spend.records:
        if r.errors:
            continue
        f = r.fields
        key = (f["transaction_ref"], f["period_date"], f["amount"], f["supplier_name"].upper())
        if key not in seen:
            seen.add(key)
            total += f["amount"]
            n += 1
    return total, n


async def test_every_oxford_file_imports_and_the_summary_is_exact_to_the_penny(
    client: httpx.AsyncClient, upload: Any, impact_app: FastAPI
) -> None:
    grand, lines = Decimal("0"), 0
    for path in OXFORD_FILES:
        name = path.name.removesuffix(".gz")
        content = oxford_file(name.removesuffix(".csv"))
        job = await upload(content, filename=name)
        assert job["status"] in ("succeeded", "partially_succeeded"), job
        assert job["counts"]["rejected"] <= 2, job["errors"]  # the junk line; the duplicated payments
        assert job["progress"] == {"processed": job["progress"]["total"], "total": job["progress"]["total"]}
        total, n = expected_total(content, name)
        grand, lines = grand + total, lines + n
    summary = (await client.get("/api/v1/spend/summary")).json()
    assert Decimal(summary["total"]["amount"]) == grand
    assert summary["lines"] == lines
    async with impact_app.state.db.reader() as session:  # no foreign key: the writer keeps lines' suppliers
        orphans = await session.execute(
            text("SELECT count(*) FROM spend_lines l LEFT JOIN spend_suppliers s ON s.id = l.supplier_id "
                 "WHERE s.id IS NULL")
        )  # fmt: skip
        assert orphans.scalar_one() == 0
    assert sum(Decimal(c["total"]["amount"]) for c in summary["by_category"]) == grand
    fy = (await client.get("/api/v1/spend/summary", params={"period": "2016-17"})).json()
    q1 = (await client.get("/api/v1/spend/summary", params={"period": "2016-17-Q1"})).json()
    assert Decimal(q1["total"]["amount"]) < Decimal(fy["total"]["amount"]) < grand
    assert q1["period"]["label"] == "2016-17 Q1"


async def test_re_uploading_a_file_changes_nothing(client: httpx.AsyncClient, upload: Any, preparing: str) -> None:
    content = oxford_file(APR_JUN_2016)
    first = await upload(content, filename=f"{APR_JUN_2016}.csv")
    before = (await client.get("/api/v1/spend/summary")).json()
    again = await upload(content, filename=f"{APR_JUN_2016}.csv")
    after = (await client.get("/api/v1/spend/summary")).json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": first["counts"]["created"], "rejected": 0}
    assert after == before
    assert "column 'supplier_name' → supplier_name" in first["message"]


async def test_a_corrected_category_updates_the_line_it_names(
    client: httpx.AsyncClient, upload: Any, preparing: str
) -> None:
    header = b"Paid Date,Supplier Name,Amount,Trans No,Expenditure Category\n"
    lines = [b"03/03/2017,ACME LTD,12.00,1,Stationery\n", b"04/03/2017,ACME LTD,13.00,2,Stationery\n"]
    await upload(header + b"".join(lines))
    corrected = await upload(header + lines[0] + lines[1].replace(b"Stationery", b"Printing"))
    assert corrected["counts"] == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    stored = {line["transaction_ref"]: line for line in (await client.get("/api/v1/spend/lines")).json()["data"]}
    assert (stored["2"]["category"], stored["2"]["version"]) == ("Printing", 2)
    assert (stored["1"]["category"], stored["1"]["version"]) == ("Stationery", 1)


async def test_overlapping_files_never_double_count(client: httpx.AsyncClient, upload: Any, preparing: str) -> None:
    rows = list(csv.reader(io.StringIO(oxford_file(APR_JUN_2016).decode("latin-1"))))
    header, body = rows[0], rows[1:]

    def as_file(part: list[list[str]], transform=lambda r: r) -> bytes:  # type: ignore[no-untyped-def]
        out = io.StringIO()
        csv.writer(out).writerows([header, *(transform(r) for r in part)])
        return out.getvalue().encode("latin-1")

    await upload(as_file(body[:2000]), filename="first.csv")
    # The second file overlaps by 500 lines, written by the newer ledger: "46289405 - 2" for "46289405_2",
    # the supplier's name in capitals.
    restyled = as_file(body[1500:], lambda r: [*r[:5], r[5].replace("_", " - "), *r[6:9], r[9].upper()])
    second = await upload(restyled, filename="second.csv")
    assert second["counts"]["unchanged"] >= 500 - 40  # the overlap (less lines without a supplier name)
    whole, _ = expected_total(as_file(body), "whole.csv")
    summary = (await client.get("/api/v1/spend/summary")).json()
    assert Decimal(summary["total"]["amount"]) == whole


async def test_bad_rows_are_reported_and_the_rest_imported(
    client: httpx.AsyncClient, upload: Any, preparing: str
) -> None:
    content = (
        b"Paid Date,Supplier Name,Amount,Trans No\n"
        b"31/02/2017,ACME LTD,10.00,1\n"
        b"01/03/2017,ACME LTD,,2\n"
        b"02/03/2017,ACME LTD,ten pounds,3\n"
        b"03/03/2017,ACME LTD,12.00,4\n"
        b"03/03/2017,ACME LTD,12.00,4\n"
    )
    job = await upload(content)
    assert job["status"] == "partially_succeeded"
    assert job["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 4}
    assert [(e["row"], e["field"]) for e in job["errors"]] == [
        (2, "paid_date"), (3, "amount"), (4, "amount"), (6, "row")
    ]  # fmt: skip
    assert "same payment as row 5" in job["errors"][-1]["message"]
    errors_csv = await client.get(job["errors_csv_url"])
    assert errors_csv.headers["content-type"].startswith("text/csv") and "ten pounds" in errors_csv.text
    summary = (await client.get("/api/v1/spend/summary")).json()
    assert summary["total"]["amount"] == "12.00" and summary["lines"] == 1


async def test_a_file_that_is_not_spend_fails_with_the_reason(upload: Any, preparing: str) -> None:
    job = await upload(b"name,colour\nfoo,blue\n")
    assert job["status"] == "failed"
    assert job["errors"][0]["field"] == "file" and "amount" in job["errors"][0]["message"]


async def test_the_period_option_dates_a_file_that_lost_its_dates(
    client: httpx.AsyncClient, upload: Any, preparing: str
) -> None:
    content = b"Paid Date,Supplier Name,Amount,Trans No\n00:00:00,ACME LTD,10.00,1\n"
    job = await upload(content, data={"period": "2015-01-01/2015-03-31"})
    assert job["status"] == "succeeded"
    line = (await client.get("/api/v1/spend/lines")).json()["data"][0]
    assert line["paid_date"] is None and line["period_date"] == "2015-01-01" and line["financial_year"] == "2014-15"
    refused = await client.post("/api/v1/spend/imports", files={"file": ("x.csv", content)}, data={"period": "Q1 2015"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"][-1] == "period"


async def test_the_erp_push_shares_the_natural_key_with_files(client: httpx.AsyncClient, upload: Any) -> None:
    await upload(b"Paid Date,Supplier Name,Amount,Trans No\n03/03/2017,ACME LTD,12.00,T-1\n")
    lines = [
        {"transaction_ref": "T 1", "paid_date": "2017-03-03", "amount": {"amount": "12.00"},
         "supplier_name": "Acme Ltd"},
        {"transaction_ref": "T-2", "paid_date": "2017-03-04", "amount": {"amount": "-3.50"},
         "supplier_name": "Acme Ltd", "category": "Refund", "capital_or_revenue": "revenue"},
        {"paid_date": "2017-02-30", "amount": {"amount": "1"}, "supplier_name": "X"},
        "not json",
        {"paid_date": "2017-03-05", "amount": {"amount": "1.00"}, "supplier_name": "X", "colour": "red"},
    ]  # fmt: skip
    body = b"\n".join(line.encode() if isinstance(line, str) else orjson.dumps(line) for line in lines)
    resp = await client.post("/api/v1/spend/lines", content=body, headers={"content-type": "application/x-ndjson"})
    assert resp.status_code == 200, resp.text
    result = resp.json()
    assert result["counts"] == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 3}
    assert {(e["row"], e["field"]) for e in result["errors"]} == {(3, "paid_date"), (4, "line"), (5, "colour")}
    again = await client.post("/api/v1/spend/lines", content=body, headers={"content-type": "application/x-ndjson"})
    assert again.json()["counts"]["created"] == 0
    summary = (await client.get("/api/v1/spend/summary")).json()
    assert summary["total"]["amount"] == "8.50" and summary["lines"] == 2
    as_array = await client.post(
        "/api/v1/spend/lines",
        json=[{"paid_date": "2017-03-06", "amount": {"amount": "5.00"}, "supplier_name": "Acme Ltd"}],
    )
    assert as_array.json()["counts"]["created"] == 1


async def test_push_refuses_what_it_cannot_store(client: httpx.AsyncClient) -> None:
    ndjson = {"content-type": "application/x-ndjson"}
    assert (
        await client.post("/api/v1/spend/lines", content=b"[1,", headers={"content-type": "application/json"})
    ).status_code == 422
    empty = await client.post("/api/v1/spend/lines", content=b"", headers=ndjson)
    assert empty.status_code == 422 and empty.json()["errors"][0]["type"] == "body.empty"
    nothing_good = await client.post("/api/v1/spend/lines", content=b'{"paid_date": "x"}\nnot json\n', headers=ndjson)
    assert nothing_good.status_code == 422
    assert {tuple(e["loc"][:2]) for e in nothing_good.json()["errors"]} >= {("body", 1), ("body", 2)}
    csv_body = await client.post("/api/v1/spend/lines", content=b"a,b\n", headers={"content-type": "text/csv"})
    assert csv_body.status_code == 415


async def test_a_council_never_sees_another_councils_spend(
    make_client: ClientFactory, client: httpx.AsyncClient, upload: Any
) -> None:
    job = await upload(b"Paid Date,Supplier Name,Amount,Trans No\n03/03/2017,ACME LTD,12.00,T-1\n")
    other = make_client(tenant=CHERWELL, area=(CHERWELL,))
    summary = (await other.get("/api/v1/spend/summary")).json()
    assert summary["total"]["amount"] == "0.00" and summary["lines"] == 0
    assert (await other.get("/api/v1/spend/lines")).json()["data"] == []
    assert (await other.get(f"/api/v1/spend/imports/{job['id']}")).status_code == 404
    supplier_id = (await client.get("/api/v1/spend/lines")).json()["data"][0]["supplier_id"]
    assert (await other.get(f"/api/v1/spend/suppliers/{supplier_id}")).status_code == 404
    assert (await other.get("/api/v1/spend/suppliers")).json()["data"] == []


async def test_period_parameters_are_checked(client: httpx.AsyncClient) -> None:
    for params, rule in (
        ({"period": "2017-19"}, "period.financial_year"),
        ({"period": "2017-18", "from": "2017-04-01"}, "period.exclusive"),
        ({"from": "2017-04-02", "to": "2017-04-01"}, "period.range"),
    ):
        resp = await client.get("/api/v1/spend/summary", params=params)
        assert resp.status_code == 422 and resp.json()["errors"][0]["type"] == rule, resp.text
    assert (await client.get("/api/v1/spend/summary", params={"period": "2017"})).status_code == 422


async def test_lines_page_by_updated_since_without_gaps(client: httpx.AsyncClient, upload: Any) -> None:
    rows = "".join(f"0{1 + i % 9}/03/2017,Supplier {i},{i}.00,T{i}\n" for i in range(1, 8))
    await upload(f"Paid Date,Supplier Name,Amount,Trans No\n{rows}".encode())
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3, "updated_since": "2000-01-01T00:00:00Z"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/spend/lines", params=params)).json()
        seen += [line["transaction_ref"] for line in page["data"]]
        if not (cursor := page["next_cursor"]):
            break
    assert sorted(seen) == sorted(f"T{i}" for i in range(1, 8))
