"""Search: forgiving names, hierarchical CPV, radius, flags, and change feeds with cursors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx


async def add(client: httpx.AsyncClient, name: str, **fields: object) -> dict:
    resp = await client.post("/api/v1/organisations", json={"name": name, **fields})
    assert resp.status_code == 201, resp.text
    return resp.json()


async def names(client: httpx.AsyncClient, **params: object) -> list[str]:
    resp = await client.get("/api/v1/organisations", params=params)
    assert resp.status_code == 200, resp.text
    return [o["name"] for o in resp.json()["data"]]


async def test_name_search_forgives_case_punctuation_suffixes_and_typos(client: httpx.AsyncClient) -> None:
    await add(client, "The Oxford Bicycle Co-operative Limited")
    await add(client, "Leeds Bread Co-op")
    for q in ("oxford bicycle cooperative ltd", "OXFORD BICYCLE CO-OPERATIVE", "oxfrod bicycel cooperative"):
        assert (await names(client, q=q))[0] == "The Oxford Bicycle Co-operative Limited", q
    assert "Leeds Bread Co-op" not in await names(client, q="oxford bicycle")


async def test_cpv_filter_is_hierarchical_and_never_textual(client: httpx.AsyncClient) -> None:
    await add(client, "Care Co", cpv_codes=["85311000"])  # welfare services for the elderly
    await add(client, "Health Co", cpv_codes=["85100000"])  # health services
    await add(client, "Builders", cpv_codes=["45000000"])
    assert sorted(await names(client, cpv="85000000")) == ["Care Co", "Health Co"]  # division matches all below
    assert await names(client, cpv="85300000") == ["Care Co"]  # group
    assert await names(client, cpv="85311000-2") == ["Care Co"]  # check digit accepted
    assert await names(client, cpv="85312000") == []  # a sibling category is not a match


async def test_radius_lad_and_flag_filters(client: httpx.AsyncClient) -> None:
    await add(client, "Oxford Org", sites=[{"postcode": "OX1 1BX"}], legal_form="community_interest_company")
    await add(client, "London Org", sites=[{"postcode": "EC1A 1BB"}], legal_form="company_limited_by_shares")
    assert await names(client, near="51.752,-1.2577", radius_km=5) == ["Oxford Org"]
    assert sorted(await names(client, near="51.752,-1.2577", radius_km=100)) == ["London Org", "Oxford Org"]
    assert await names(client, lad="E07000178") == ["Oxford Org"]
    assert await names(client, is_vcse="true") == ["Oxford Org"]
    assert await names(client, legal_form="company_limited_by_shares") == ["London Org"]


async def test_updated_since_pages_through_changes_without_gaps_or_repeats(client: httpx.AsyncClient) -> None:
    for i in range(7):
        await add(client, f"Org {i}")
    before = datetime.now(UTC)
    await asyncio.sleep(0.01)
    first = (await client.get("/api/v1/organisations", params={"limit": 3})).json()
    changed = first["data"][0]
    await client.patch(f"/api/v1/organisations/{changed['id']}", json={"members": 5})

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "updated_since": before.isoformat()}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/organisations", params=params)).json()
        seen.extend(o["name"] for o in page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [changed["name"]]

    everything: list[str] = []
    cursor = None
    while True:
        page = (
            await client.get("/api/v1/organisations", params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        ).json()
        everything.extend(o["id"] for o in page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(everything) == len(set(everything)) == 7


async def test_reference_lookups(client: httpx.AsyncClient) -> None:
    cpv = (await client.get("/api/v1/reference/cpv", params={"q": "welfare services"})).json()["data"]
    assert any(item["code"].startswith("853") for item in cpv)
    sic = (await client.get("/api/v1/reference/sic", params={"q": "4711"})).json()["data"]
    assert sic[0]["code"].startswith("4711")
    las = (await client.get("/api/v1/reference/local-authorities")).json()["data"]
    assert any(la["code"] == "E07000178" and la["name"] == "Oxford" for la in las)
    pc = (await client.get("/api/v1/reference/postcodes/ox11bx")).json()
    assert (pc["postcode"], pc["lad_code"], pc["local_authority"]) == ("OX1 1BX", "E07000178", "Oxford")
    assert (await client.get("/api/v1/reference/postcodes/nonsense")).status_code == 422
