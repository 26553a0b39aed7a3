"""LM3 through the API (SPEC §7.2): the worked examples, proxies as marked estimates, LM3 from the council's own
reconciled spend, validation as 422s naming the field, stored analyses paged, and tenant isolation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from .conftest import CHERWELL, ClientFactory

ANALYSES = "/api/v1/lm3/analyses"


def gbp(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "GBP"}


def amount(field: dict[str, str]) -> Decimal:
    return Decimal(field["amount"])


async def analyse(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post(ANALYSES, json=body)
    assert resp.status_code == 201, resp.text
    assert resp.headers["Location"] == f"{ANALYSES}/{resp.json()['id']}"
    return dict(resp.json())


async def test_the_worked_example_r1_100_r2_40_r3_10_gives_1_5(client: httpx.AsyncClient) -> None:
    body = {
        "label": "NEF worked example",
        "r1": gbp("100.00"),
        "suppliers": [
            {"supplier": "Local Co-op", "amount": gbp("40.00"), "is_local": True, "local_respend_share": "0.25"}
        ],
    }
    created = await analyse(client, body)
    assert (created["r1"], created["r2"], created["r3"]) == (gbp("100.00"), gbp("40.00"), gbp("10.00"))
    assert created["lm3"] == "1.50"
    assert created["estimates"] == [] and created["coverage"]["surveyed_share"] == "1.0000"
    assert created["by_supplier"][0]["r3"] == gbp("10.00") and not created["by_supplier"][0]["estimated"]
    assert created["input"]["suppliers"][0]["supplier"] == "Local Co-op"

    stored = await client.get(f"{ANALYSES}/{created['id']}")
    assert stored.status_code == 200 and stored.json() == created


async def test_the_split_example_with_local_staff(client: httpx.AsyncClient) -> None:
    # R2 = 30 (supplier) + 20 × 0.5 (local wages) = 40; R3 = 30 × 0.2 + 10 × 0.4 = 10; LM3 = 150 / 100.
    created = await analyse(
        client,
        {
            "r1": gbp("100"),
            "suppliers": [{"supplier": "Bakery", "amount": gbp("30"), "is_local": True, "local_respend_share": "0.2"}],
            "staff": {"total": gbp("20"), "local_share": "0.5", "local_respend_share": "0.4"},
        },
    )
    assert (created["r2"], created["r3"], created["lm3"]) == (gbp("40.00"), gbp("10.00"), "1.50")
    assert created["staff"] == {
        "total": gbp("20.00"),
        "local_share": "0.5",
        "r2": gbp("10.00"),
        "r3": gbp("4.00"),
        "local_respend_share": "0.4",
        "estimated": False,
    }


async def test_missing_surveys_are_estimates_and_a_council_may_give_its_own_proxy(client: httpx.AsyncClient) -> None:
    suppliers = [
        {"supplier": "Local Cafe", "amount": gbp("400.00"), "is_local": True},
        {"supplier": "Far Away Ltd", "amount": gbp("100.00"), "is_local": False},
    ]
    defaults = await analyse(client, {"suppliers": suppliers})
    # R1 taken as the spend, 500; R2 = 400; R3 = 400 × the default 25% proxy = 100; LM3 = 1000 / 500.
    assert (defaults["r1"], defaults["r2"], defaults["r3"], defaults["lm3"]) == (
        gbp("500.00"),
        gbp("400.00"),
        gbp("100.00"),
        "2.00",
    )
    assert [e["figure"] for e in defaults["estimates"]] == ["suppliers[0].local_respend_share"]
    assert defaults["assumptions"][0] == "R1 was not given: taken as supplier spend plus wages, £500.00."
    assert any(a.startswith("ESTIMATE") and "Local Cafe" in a for a in defaults["assumptions"])
    assert set(defaults["proxies_used"]) == {"local_supplier_respend"}

    own = await analyse(
        client,
        {"suppliers": suppliers, "proxies": {"local_supplier_respend": {"share": "0.6", "source": "Our 2024 survey"}}},
    )
    # R3 = 400 × 0.6 = 240; LM3 = (500 + 400 + 240) / 500 = 2.28.
    assert (own["r3"], own["lm3"]) == (gbp("240.00"), "2.28")
    assert own["proxies_used"] == {"local_supplier_respend": {"share": "0.6", "source": "Our 2024 survey"}}


async def test_lm3_from_the_councils_reconciled_spend(
    client: httpx.AsyncClient, upload: Any, known_organisation: Any
) -> None:
    local_id = await known_organisation("Cowley Road Workers Co-operative Ltd")
    distant_id = await known_organisation("Banbury Supplies Limited", lad=CHERWELL)
    rows = [
        "05/05/2017,COWLEY ROAD WORKERS CO-OPERATIVE LTD,1000.00,T1",
        "06/05/2017,Cowley Road Workers Co-operative Limited,200.00,T2",
        "07/05/2017,BANBURY SUPPLIES LTD,500.00,T3",
        "08/05/2017,Zyxwv Unheard Of Trading,300.00,T4",
        "09/05/2017,REDACTED,150.00,T5",
        "10/05/2017,Refunds R Us,-40.00,T6",
        "05/05/2016,COWLEY ROAD WORKERS CO-OPERATIVE LTD,9999.00,T0",  # 2016-17: outside the period
    ]
    job = await upload(("Paid Date,Supplier Name,Amount,Trans No\n" + "\n".join(rows) + "\n").encode())
    assert job["counts"]["created"] == 7, job

    created = await analyse(client, {"from_spend": {"period": "2017-18"}})
    assert created["source"] == "spend" and created["period"] == "2017-18"
    # R1 = 1200 + 500 + 300 + 150 = 2150 (the credit-only supplier is left out); R2 = the co-op's 1200, the only
    # supplier with a site in Oxford; R3 = 1200 × 25% (proxy) = 300; LM3 = (2150 + 1200 + 300) / 2150 = 1.70.
    assert (created["r1"], created["r2"], created["r3"]) == (gbp("2150.00"), gbp("1200.00"), gbp("300.00"))
    assert created["lm3"] == "1.70"
    by_org = {s["organisation_id"]: s for s in created["by_supplier"]}
    assert by_org[local_id]["is_local"] and by_org[local_id]["amount"] == gbp("1200.00")
    assert by_org[local_id]["estimated"] and by_org[local_id]["supplier_id"]
    assert not by_org[distant_id]["is_local"] and by_org[distant_id]["r2"] == gbp("0.00")
    assert {s["supplier"] for s in created["by_supplier"] if s["organisation_id"] is None} >= {
        "Zyxwv Unheard Of Trading"
    }
    notes = "\n".join(created["assumptions"])
    assert "£300.00 with 1 suppliers not reconciled" in notes
    assert "£150.00 with redacted suppliers" in notes
    assert "1 suppliers whose credits" in notes and "E07000178" in notes

    # A council with no spend in the period is told so, at the field.
    empty = await client.post(ANALYSES, json={"from_spend": {"period": "2019-20"}})
    assert empty.status_code == 422
    assert empty.json()["errors"][0] == {
        "loc": ["body", "from_spend", "period"],
        "msg": "the council has no spend in 2019-20",
        "type": "lm3.no_spend",
    }


async def test_validation_errors_name_the_field_and_rule(client: httpx.AsyncClient) -> None:
    local = {"supplier": "A", "amount": gbp("40"), "is_local": True, "local_respend_share": "0.5"}
    cases: list[tuple[dict[str, Any], list[Any], str]] = [
        ({"suppliers": [local], "from_spend": {"period": "2017-18"}}, ["body", "from_spend"], "lm3.one_source"),
        ({}, ["body", "suppliers"], "lm3.one_source"),
        ({"suppliers": [{**local, "amount": gbp("-1.00")}]}, ["body", "suppliers", 0, "amount"], "non_negative"),
        ({"suppliers": [local], "r1": gbp("10")}, ["body", "r1"], "r2_exceeds_r1"),
        ({"suppliers": [{**local, "amount": gbp("0")}]}, ["body", "r1"], "positive"),
        (
            {"suppliers": [{**local, "local_respend_share": "1.5"}]},
            ["body", "suppliers", 0, "local_respend_share"],
            "less_than_equal",
        ),
        ({"suppliers": [{**local, "colour": "red"}]}, ["body", "suppliers", 0, "colour"], "extra_forbidden"),
        ({"from_spend": {"period": "2017-19"}}, ["body", "from_spend", "period"], "period.financial_year"),
        (
            {"suppliers": [local], "proxies": {"made_up": {"share": "0.1", "source": "x"}}},
            ["body", "proxies", "made_up"],
            "extra_forbidden",
        ),
    ]
    for body, loc, rule in cases:
        resp = await client.post(ANALYSES, json=body)
        assert resp.status_code == 422, (body, resp.text)
        problem = resp.json()
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert (problem["errors"][0]["loc"], problem["errors"][0]["type"]) == (loc, rule), (body, problem)
    assert (await client.get(ANALYSES)).json()["data"] == []


async def test_analyses_are_listed_in_pages_and_private_to_their_council(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    ids = []
    for n in range(3):
        body = {"label": f"run {n}", "suppliers": [{"supplier": "A", "amount": gbp("10"), "is_local": False}]}
        ids.append((await analyse(client, body))["id"])
    first = (await client.get(ANALYSES, params={"limit": 2})).json()
    second = (await client.get(ANALYSES, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [a["id"] for a in first["data"] + second["data"]] == ids and second["next_cursor"] is None
    assert first["data"][0]["lm3"] == "1.00" and "by_supplier" not in first["data"][0]

    other = make_client(tenant=CHERWELL, area=(CHERWELL,))
    assert (await other.get(f"{ANALYSES}/{ids[0]}")).status_code == 404
    assert (await other.get(ANALYSES)).json()["data"] == []
    reader = make_client(scopes=("impact:read",))
    assert (await reader.post(ANALYSES, json={"suppliers": []})).status_code == 403
