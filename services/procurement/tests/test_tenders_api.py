"""Tenders through the API: validation, thresholds and reservation by publication date, privacy of planned
tenders, concurrency, pagination, and the `procurement.tender` events written to the outbox."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from localwealth_shared.contracts import validation_errors
from procurement.db import platform
from sqlalchemy import select

from .conftest import CHERWELL, OXFORD, ClientFactory

CARE_TENDER: dict[str, Any] = {
    "title": "Community catering for day centres",
    "description": "Meals for three day centres in Oxford",
    "status": "active",
    "notice_type": "UK4",
    "contract_type": "services",
    "value": {"amount": "150000.00", "currency": "GBP", "amount_gross": "180000.00"},
    "cpv_codes": ["55520000-1"],
    "delivery": {"postcode": "ox1 1bx"},
    "tender_period": {"start_date": "2026-03-01", "end_date": "2026-04-01"},
    "publication_date": "2026-03-01",
    "lots": [
        {"id": "1", "title": "North", "value": {"amount": "60000", "currency": "GBP"}, "cpv_codes": ["55520000"]},
        {"id": "2", "title": "South", "value": {"amount": "90000", "currency": "GBP"}, "cpv_codes": ["55521000"]},
    ],
    "suitability": {"sme": True, "vcse": True},
    "reservation": {"scope": "local_area", "vcse_only": True},
    "award_criteria": [
        {"name": "Price", "weight_pct": 40},
        {"name": "Quality", "weight_pct": 40},
        {"name": "Social value", "weight_pct": 20, "framework": "National TOMs"},
    ],
}


def with_(**changes: Any) -> dict[str, Any]:
    return {**CARE_TENDER, **changes}


def gross(amount: str) -> dict[str, Any]:
    return {"amount": amount, "currency": "GBP", "amount_gross": amount}


def first_error(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    return resp.json()["errors"][0]  # type: ignore[no-any-return]


async def outbox(app) -> list[Any]:  # type: ignore[no-untyped-def]
    async with app.state.db.reader() as session:
        return list((await session.execute(select(platform.outbox).order_by(platform.outbox.c.id))).all())


async def test_create_derives_threshold_geography_and_local_area(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/tenders", json=CARE_TENDER)
    assert resp.status_code == 201, resp.text
    tender = resp.json()
    assert resp.headers["Location"] == f"/api/v1/tenders/{tender['id']}"
    assert resp.headers["ETag"] == 'W/"1"'
    assert tender["ocid"].endswith(tender["id"])
    assert tender["buyer"] == {"tenant_id": "t-oxford", "name": "t-oxford council", "kind": "council"}
    assert tender["cpv_codes"] == ["55520000"]
    assert tender["amount_gross"] == "180000.00"
    assert tender["above_threshold"] is False
    assert tender["threshold"] == {
        "amount_gross": "207720",
        "currency": "GBP",
        "buyer_class": "sub_central",
        "effective_from": "2026-01-01",
    }
    assert tender["delivery"]["postcode"] == "OX1 1BX"
    assert tender["delivery"]["lad_codes"] == [OXFORD]
    assert 51.7 < tender["delivery"]["lat"] < 51.8
    assert tender["reservation"] == {
        "scope": "local_area",
        "area_lad_codes": [OXFORD],
        "sme_only": False,
        "vcse_only": True,
    }
    assert tender["social_value_weight_pct"] == "20"
    assert [c["is_social_value"] for c in tender["award_criteria"]] == [False, False, True]


@pytest.mark.parametrize(
    ("amount", "publication_date", "allowed"),
    [
        ("180000", "2026-03-01", True),
        ("250000", "2026-03-01", False),
        ("207719.99", "2026-03-01", True),
        ("207720", "2026-03-01", False),
        ("210000", "2025-12-31", True),
        ("210000", "2026-01-01", False),
    ],
)
async def test_reservation_allowed_only_below_the_threshold_in_force(
    client: httpx.AsyncClient, amount: str, publication_date: str, allowed: bool
) -> None:
    resp = await client.post("/api/v1/tenders", json=with_(value=gross(amount), publication_date=publication_date))
    if allowed:
        assert resp.status_code == 201, resp.text
        assert resp.json()["above_threshold"] is False
    else:
        error = first_error(resp)
        assert error["loc"] == ["body", "reservation"] and error["type"] == "reservation.above_threshold"


async def test_above_threshold_tender_without_reservation_is_fine(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/tenders", json=with_(value=gross("250000"), reservation=None))
    assert resp.status_code == 201 and resp.json()["above_threshold"] is True


async def test_reservation_area_may_be_given(client: httpx.AsyncClient) -> None:
    body = with_(reservation={"scope": "local_area", "area_lad_codes": [CHERWELL, OXFORD]})
    resp = await client.post("/api/v1/tenders", json=body)
    assert resp.json()["reservation"]["area_lad_codes"] == [CHERWELL, OXFORD]


@pytest.mark.parametrize(
    ("changes", "loc", "rule"),
    [
        ({"award_criteria": [{"name": "Price", "weight_pct": 70}, {"name": "Q", "weight_pct": 20}]},
         ["body", "award_criteria"], "award_criteria.weights_sum"),
        ({"cpv_codes": ["55520000", "12345678"]}, ["body", "cpv_codes", 1], "cpv.unknown"),
        ({"cpv_codes": ["five"]}, ["body", "cpv_codes", 0], "cpv.format"),
        ({"delivery": {"postcode": "not a postcode"}}, ["body", "delivery", "postcode"], None),
        ({"delivery": {"lad_codes": ["E99999999"]}}, ["body", "delivery", "lad_codes", 0], "lad.unknown"),
        ({"tender_period": {"start_date": "2026-04-01", "end_date": "2026-03-01"}},
         ["body", "tender_period", "end_date"], "tender_period.order"),
        ({"lots": [{"id": "1"}, {"id": "1"}]}, ["body", "lots", 1, "id"], "lots.unique_id"),
        ({"value": {"amount": "150000", "currency": "GBP"}}, ["body", "reservation"], "reservation.threshold_unknown"),
    ],
)  # fmt: skip
async def test_bad_input_names_the_field_and_rule(
    client: httpx.AsyncClient, changes: dict[str, Any], loc: list[Any], rule: str | None
) -> None:
    error = first_error(await client.post("/api/v1/tenders", json=with_(**changes)))
    assert error["loc"] == loc
    if rule is not None:
        assert error["type"] == rule


async def test_unknown_fields_and_notice_types_are_refused(client: httpx.AsyncClient) -> None:
    assert first_error(await client.post("/api/v1/tenders", json=with_(colour="red")))["loc"] == ["body", "colour"]
    assert first_error(await client.post("/api/v1/tenders", json=with_(notice_type="UK18")))["loc"] == [
        "body",
        "notice_type",
    ]


async def test_planned_tenders_are_private_to_their_buyer(make_client: ClientFactory) -> None:
    oxford, cherwell = make_client(), make_client(tenant="t-cherwell", area=(CHERWELL,))
    draft = (await oxford.post("/api/v1/tenders", json=with_(status="planned"))).json()
    assert draft["publication_date"] == "2026-03-01"
    assert (await oxford.get(f"/api/v1/tenders/{draft['id']}")).status_code == 200
    hidden = await cherwell.get(f"/api/v1/tenders/{draft['id']}")
    assert hidden.status_code == 404 and hidden.json()["code"] == "tender_not_found"
    assert (await cherwell.patch(f"/api/v1/tenders/{draft['id']}", json={"title": "x"})).status_code == 404
    assert [t["id"] for t in (await cherwell.get("/api/v1/tenders")).json()["data"]] == []
    assert [t["id"] for t in (await oxford.get("/api/v1/tenders")).json()["data"]] == [draft["id"]]

    published = await oxford.patch(
        f"/api/v1/tenders/{draft['id']}", json={"status": "active"}, headers={"If-Match": '"1"'}
    )
    assert published.status_code == 200 and published.json()["version"] == 2
    assert (await cherwell.get(f"/api/v1/tenders/{draft['id']}")).status_code == 200
    # Public now, but still only its buyer may change it.
    assert (await cherwell.patch(f"/api/v1/tenders/{draft['id']}", json={"title": "x"})).status_code == 404


async def test_patch_needs_a_current_if_match_and_revalidates(client: httpx.AsyncClient) -> None:
    tender = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    url = f"/api/v1/tenders/{tender['id']}"
    assert (await client.patch(url, json={"title": "New"}, headers={"If-Match": '"7"'})).status_code == 412
    # Raising the value over the threshold while reserved is refused, like on create.
    error = first_error(await client.patch(url, json={"value": gross("300000")}))
    assert error["type"] == "reservation.above_threshold"
    resp = await client.patch(url, json={"value": gross("300000"), "reservation": None}, headers={"If-Match": '"1"'})
    assert resp.status_code == 200 and resp.json()["above_threshold"] is True and resp.headers["ETag"] == 'W/"2"'
    assert first_error(await client.patch(url, json={"status": "planned"}))["type"] == "status.unpublish"


async def test_scopes_and_auth(make_client: ClientFactory) -> None:
    reader = make_client(scopes=("procurement:read",))
    assert (await reader.post("/api/v1/tenders", json=CARE_TENDER)).status_code == 403
    assert (await make_client(auth=False).get("/api/v1/tenders")).status_code == 401


async def test_keyset_pagination_has_no_gaps_or_repeats(client: httpx.AsyncClient) -> None:
    ids = {(await client.post("/api/v1/tenders", json=with_(title=f"T{i}"))).json()["id"] for i in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/tenders", params=params)).json()
        seen += [t["id"] for t in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert (await client.get("/api/v1/tenders", params={"cursor": "garbage"})).status_code == 422


async def test_idempotency_key_replays_the_create(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "abc"}
    first = await client.post("/api/v1/tenders", json=CARE_TENDER, headers=headers)
    again = await client.post("/api/v1/tenders", json=CARE_TENDER, headers=headers)
    assert again.json()["id"] == first.json()["id"]
    assert (await client.post("/api/v1/tenders", json=with_(title="Other"), headers=headers)).status_code == 422


async def test_public_changes_make_one_valid_event_each(client: httpx.AsyncClient, procurement_app) -> None:  # type: ignore[no-untyped-def]
    draft = (await client.post("/api/v1/tenders", json=with_(status="planned"))).json()
    url = f"/api/v1/tenders/{draft['id']}"
    await client.patch(url, json={"title": "Still a draft"})  # private: no event
    await client.patch(url, json={"status": "active"})
    await client.patch(url, json={"status": "active"})  # no change: no event
    await client.patch(url, json={"description": "More detail"})
    await client.patch(url, json={"status": "complete"})
    other = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    await client.patch(f"/api/v1/tenders/{other['id']}", json={"status": "cancelled"})
    rows = await outbox(procurement_app)
    prefix = "org.localwealth.procurement.tender."
    assert [r.type.removeprefix(prefix) for r in rows] == [
        "published.v1",
        "updated.v1",
        "closed.v1",
        "published.v1",
        "cancelled.v1",
    ]
    for row in rows:
        payload = orjson.loads(row.payload)
        assert validation_errors(row.type, payload) == [], row.type
        assert row.topic == "procurement.tender" and row.key == payload["id"]
    assert [orjson.loads(r.payload)["version"] for r in rows[:3]] == [3, 4, 5]
