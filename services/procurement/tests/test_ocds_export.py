"""GET /tenders/{id}/ocds returns a compiled release valid against the official OCDS 1.1.5 release schema."""

from __future__ import annotations

import httpx
from procurement.ocds.export import schema_errors

from .conftest import ClientFactory
from .test_tenders_api import CARE_TENDER


async def test_a_tender_with_lots_and_awards_is_a_valid_compiled_release(client: httpx.AsyncClient) -> None:
    tender = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    await client.post(
        f"/api/v1/tenders/{tender['id']}/awards",
        json={"supplier": {"name": "Cowley Kitchen", "identifier": {"scheme": "GB-COH", "id": "01234567"}},
              "value": {"amount": "59000.50", "currency": "GBP"}, "date": "2026-05-01", "lot_id": "1"},
    )  # fmt: skip
    resp = await client.get(f"/api/v1/tenders/{tender['id']}/ocds")
    assert resp.status_code == 200
    release = resp.json()
    assert schema_errors(release) == []
    assert release["ocid"] == tender["ocid"] and release["tag"] == ["compiled"]
    assert release["tender"]["status"] == "active"
    assert release["tender"]["classification"] == {"scheme": "CPV", "id": "55520000"}
    assert release["tender"]["value"] == {"amount": 150000.0, "currency": "GBP"}
    assert release["tender"]["mainProcurementCategory"] == "services"
    assert release["tender"]["items"][0]["deliveryAddresses"][0]["postalCode"] == "OX1 1BX"
    assert release["tender"]["suitability"] == {"sme": True, "vcse": True}
    assert [lot["id"] for lot in release["tender"]["lots"]] == ["1", "2"]
    award = release["awards"][0]
    assert award["relatedLots"] == ["1"] and award["value"] == {"amount": 59000.5, "currency": "GBP"}
    supplier = next(p for p in release["parties"] if p["roles"] == ["supplier"])
    assert supplier["identifier"] == {"scheme": "GB-COH", "id": "01234567"}


async def test_the_schema_check_catches_a_broken_release() -> None:
    assert schema_errors({"ocid": "x", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["bogus"]})


async def test_a_minimal_draft_is_valid_and_private(make_client: ClientFactory) -> None:
    owner = make_client()
    draft = (await owner.post("/api/v1/tenders", json={"title": "Idea"})).json()
    release = (await owner.get(f"/api/v1/tenders/{draft['id']}/ocds")).json()
    assert schema_errors(release) == [] and release["tender"]["status"] == "planned"
    assert (await make_client(tenant="t-other").get(f"/api/v1/tenders/{draft['id']}/ocds")).status_code == 404
