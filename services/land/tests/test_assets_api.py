"""Assets: validation (UPRN, postcode, GeoJSON), geocoding, search, concurrency and tenant isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import CHERWELL, ClientFactory

HALL = {
    "name": "East Oxford Community Centre",
    "reference": "OCC-0042",
    "uprn": "100120812345",
    "address": "44b Princes Street, Oxford",
    "postcode": "ox4 1da",
    "tenure": "freehold",
    "asset_type": "building",
    "current_use": "community centre",
    "status": "in_use",
    "valuation": {"amount": "1250000.00", "currency": "GBP"},
}


async def create(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/assets", json={**HALL, **overrides})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_create_geocodes_postcode_and_pads_uprn(client: httpx.AsyncClient) -> None:
    asset = await create(client, uprn="12345")
    assert asset["postcode"] == "OX4 1DA"
    assert asset["lad_code"] == "E07000178"
    assert asset["point"]["lat"] == pytest.approx(51.75, abs=0.05)
    assert asset["uprn"] == "000000012345"
    assert asset["valuation"] == {"amount": "1250000.00", "currency": "GBP"}
    assert asset["version"] == 1


@pytest.mark.parametrize(
    ("field", "value", "loc"),
    [
        ("uprn", "1001208123456", ["body", "uprn"]),  # 13 digits
        ("uprn", "10012A", ["body", "uprn"]),
        ("uprn", "0", ["body", "uprn"]),
        ("postcode", "NOT A POSTCODE", ["body", "postcode"]),
        ("geometry", {"type": "Point", "coordinates": [200, 51.7]}, ["body", "geometry"]),
        ("geometry", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]}, ["body", "geometry"]),
        ("geometry", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, ["body", "geometry"]),
        ("geometry", {"type": "Circle", "coordinates": [0, 0]}, ["body", "geometry"]),
        ("geometry", {"type": "Point", "coordinates": ["a", "b"]}, ["body", "geometry"]),
        ("tenure", "rented", ["body", "tenure"]),
        ("valuation", {"amount": "-1", "currency": "GBP"}, ["body", "valuation", "amount"]),
        ("unknown_field", 1, ["body", "unknown_field"]),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    client: httpx.AsyncClient, field: str, value: Any, loc: list[str]
) -> None:
    response = await client.post("/api/v1/assets", json={**HALL, field: value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(error["loc"][: len(loc)] == loc for error in response.json()["errors"]), response.json()


async def test_valid_polygon_places_the_asset(client: httpx.AsyncClient) -> None:
    ring = [[-1.26, 51.75], [-1.25, 51.75], [-1.25, 51.76], [-1.26, 51.76], [-1.26, 51.75]]
    asset = await create(client, postcode=None, geometry={"type": "Polygon", "coordinates": [ring]})
    assert asset["point"]["lat"] == pytest.approx(51.755)
    assert asset["point"]["lon"] == pytest.approx(-1.255)


async def test_duplicate_uprn_in_one_council_is_a_409(client: httpx.AsyncClient) -> None:
    first = await create(client)
    response = await client.post("/api/v1/assets", json={**HALL, "reference": "OTHER"})
    assert response.status_code == 409
    assert response.json()["existing_id"] == first["id"]


async def test_another_council_sees_404_and_may_hold_the_same_uprn(make_client: ClientFactory) -> None:
    oxford, cherwell = make_client(), make_client(tenant=CHERWELL, area=(CHERWELL,))
    asset = await create(oxford)
    assert (await cherwell.get(f"/api/v1/assets/{asset['id']}")).status_code == 404
    assert (await cherwell.patch(f"/api/v1/assets/{asset['id']}", json={"name": "x"})).status_code == 404
    assert (await cherwell.get("/api/v1/assets")).json()["data"] == []
    assert (await cherwell.post("/api/v1/assets", json=HALL)).status_code == 201


async def test_patch_with_stale_if_match_is_412_and_unchanged_keeps_version(client: httpx.AsyncClient) -> None:
    asset = await create(client)
    url = f"/api/v1/assets/{asset['id']}"
    same = await client.patch(url, json={"name": HALL["name"]})
    assert same.json()["version"] == 1
    changed = await client.patch(url, json={"status": "surplus"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = await client.patch(url, json={"status": "for_disposal"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412


async def test_search_by_bbox_radius_lad_and_status_with_cursors(client: httpx.AsyncClient) -> None:
    oxford = [await create(client, reference=f"OX-{i}", uprn=str(1000 + i), status="surplus") for i in range(3)]
    london = await create(client, reference="LDN", uprn="2000", postcode="SW1A 1AA", status="in_use")

    async def ids(**params: Any) -> set[str]:
        response = await client.get("/api/v1/assets", params=params)
        assert response.status_code == 200, response.text
        return {a["id"] for a in response.json()["data"]}

    assert await ids(bbox="-1.4,51.6,-1.1,51.9") == {a["id"] for a in oxford}
    assert await ids(near="51.5,-0.14", radius_km=5) == {london["id"]}
    assert await ids(lad="E07000178") == {a["id"] for a in oxford}
    assert await ids(status="in_use") == {london["id"]}

    seen: list[str] = []
    cursor = None
    while True:
        page = (
            await client.get("/api/v1/assets", params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        ).json()
        seen += [a["id"] for a in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([a["id"] for a in oxford] + [london["id"]])


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "-1,52,-2,51"},
        {"near": "51.7,-1.2"},
        {"near": "x,y", "radius_km": 1},
        {"cursor": "not-a-cursor"},
        {"status": "lost"},
        {"lad": "Oxford"},
    ],
)
async def test_bad_search_parameters_are_422(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/api/v1/assets", params=params)
    assert response.status_code == 422, response.text


async def test_read_scope_cannot_write(make_client: ClientFactory) -> None:
    reader = make_client(scopes=("land:read",))
    assert (await reader.post("/api/v1/assets", json=HALL)).status_code == 403
    anonymous = make_client()
    anonymous.headers.pop("Authorization")
    assert (await anonymous.get("/api/v1/assets")).status_code == 401
