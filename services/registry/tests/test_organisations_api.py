"""Organisations over HTTP: identifier rules, validation, concurrency, idempotency, auth."""

from __future__ import annotations

import httpx
import pytest

from .conftest import ClientFactory

OXFORD_COOP = {
    "name": "Oxford Wholefoods Co-operative Limited",
    "legal_form": "registered_society_cooperative",
    "identifiers": [{"scheme": "GB-MPR", "id": "12345R"}],
    "ownership": ["worker_cooperative"],
    "sites": [{"name": "Shop", "address": "1 High St, Oxford", "postcode": "ox11bx", "is_registered_office": True}],
    "sic_codes": ["47210"],
    "cpv_codes": ["15000000-8"],
    "employees": 12,
    "turnover": {"amount": "450000.00", "currency": "GBP"},
}


def problem_types(resp: httpx.Response) -> list[str]:
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.text
    return [e["type"] for e in resp.json().get("errors", [])]


def problem_locs(resp: httpx.Response) -> list[list[object]]:
    return [e["loc"] for e in resp.json().get("errors", [])]


@pytest.mark.parametrize(
    ("scheme", "given", "stored"),
    [
        ("GB-COH", "3416658", "03416658"),
        ("GB-COH", "sc123456", "SC123456"),
        ("GB-COH", " 0341 6658 ", "03416658"),
        ("GB-SC", "SC012345", "SC012345"),
        ("gb-chc", "1123456", "1123456"),
    ],
)
async def test_identifiers_are_normalised(client: httpx.AsyncClient, scheme: str, given: str, stored: str) -> None:
    resp = await client.post(
        "/api/v1/organisations", json={"name": "Normalised", "identifiers": [{"scheme": scheme, "id": given}]}
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["identifiers"] == [{"scheme": scheme.upper(), "id": stored}]
    assert body["canonical_identifier"] == f"{scheme.upper()}-{stored}"


@pytest.mark.parametrize(
    ("scheme", "given", "rule"),
    [
        ("GB-COH", "123456789", "identifier.gb_coh.format"),
        ("GB-COH", "ZZ123456", "identifier.gb_coh.prefix"),
        ("GB-SC", "12345678901", "identifier.gb_sc.format"),
        ("XX-NOPE", "123", "identifier.unknown_scheme"),
    ],
)
async def test_malformed_and_unknown_identifiers_are_422_naming_the_rule(
    client: httpx.AsyncClient, scheme: str, given: str, rule: str
) -> None:
    resp = await client.post(
        "/api/v1/organisations", json={"name": "Bad id", "identifiers": [{"scheme": scheme, "id": given}]}
    )
    assert resp.status_code == 422
    assert problem_types(resp) == [rule]
    assert problem_locs(resp)[0][:3] == ["body", "identifiers", 0]


async def test_a_second_organisation_with_the_same_identifier_is_409_pointing_at_the_first(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post(
        "/api/v1/organisations", json={"name": "First", "identifiers": [{"scheme": "GB-COH", "id": "3416658"}]}
    )
    second = await client.post(
        "/api/v1/organisations", json={"name": "Second", "identifiers": [{"scheme": "GB-COH", "id": "03416658"}]}
    )
    assert second.status_code == 409
    assert second.json()["code"] == "identifier_taken"
    assert second.json()["existing_organisation_id"] == first.json()["id"]


async def test_create_normalises_geocodes_and_derives_flags(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/organisations", json=OXFORD_COOP)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert resp.headers["location"] == f"/api/v1/organisations/{body['id']}"
    assert resp.headers["etag"] == 'W/"1"'
    site = body["sites"][0]
    assert (site["postcode"], site["lad_code"], site["postcode_status"]) == ("OX1 1BX", "E07000178", "sector")
    assert 51.7 < site["lat"] < 51.8
    assert body["cpv_codes"] == ["15000000"]
    assert body["flags"] == {"is_vcse": False, "is_sme": True, "is_social_economy": True}
    assert body["created_by"] == "t-oxford"


async def test_an_unknown_postcode_is_kept_and_flagged(client: httpx.AsyncClient) -> None:
    resp = await client.post("/api/v1/organisations", json={"name": "Far away", "sites": [{"postcode": "ZE9 9ZZ"}]})
    assert resp.status_code == 201, resp.text
    site = resp.json()["sites"][0]
    assert (site["postcode"], site["postcode_status"], site["lat"]) == ("ZE9 9ZZ", "unknown", None)
    assert resp.json()["warnings"][0]["code"] == "postcode.unknown"


async def test_expired_certification_reads_as_expired_and_does_not_make_vcse(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/organisations",
        json={
            "name": "Old Mark Ltd",
            "legal_form": "company_limited_by_shares",
            "certifications": [{"scheme": "social_enterprise_mark", "expires_on": "2020-01-01"}],
        },
    )
    assert resp.json()["certifications"][0]["status"] == "expired"
    assert resp.json()["flags"]["is_vcse"] is False


@pytest.mark.parametrize(
    ("body", "loc", "rule"),
    [
        ({"name": "X", "nickname": "y"}, ["body", "nickname"], "extra_forbidden"),
        ({"name": 5}, ["body", "name"], "string_type"),
        ({"name": ""}, ["body", "name"], "string_too_short"),
        ({"name": "X", "employees": "many"}, ["body", "employees"], "int_parsing"),
        ({"name": "X", "employees": -1}, ["body", "employees"], "greater_than_equal"),
        ({"name": "X", "sites": [{"postcode": "NOPE 123"}]}, ["body", "sites", 0, "postcode"], "postcode.format"),
        ({"name": "X", "cpv_codes": ["99999999"]}, ["body", "cpv_codes", 0], "cpv.unknown"),
        ({"name": "X", "cpv_codes": ["85A"]}, ["body", "cpv_codes", 0], "cpv.format"),
        ({"name": "X", "sic_codes": ["99998"]}, ["body", "sic_codes", 0], "sic.unknown"),
        ({"name": "X", "legal_form": "pirate_ship"}, ["body", "legal_form"], "enum"),
        (
            {"name": "X", "turnover": {"amount": "1.234", "currency": "GBP"}},
            ["body", "turnover", "amount"],
            "decimal_max_places",
        ),
        (
            {"name": "X", "turnover": {"amount": "10", "currency": "EUR"}},
            ["body", "turnover", "currency"],
            "literal_error",
        ),
        ({"name": "X", "website": "not a url"}, ["body", "website"], "value_error"),
    ],
)
async def test_bad_input_is_422_naming_the_field(client: httpx.AsyncClient, body: dict, loc: list, rule: str) -> None:
    resp = await client.post("/api/v1/organisations", json=body)
    assert resp.status_code == 422, resp.text
    assert loc in problem_locs(resp)
    assert rule in problem_types(resp)


async def test_malformed_json_oversize_and_wrong_media_type(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/organisations", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 422 and resp.headers["content-type"].startswith("application/problem+json")
    resp = await client.post("/api/v1/organisations", json={"name": "x" * 10, "description": "d" * 6_000_000})
    assert resp.status_code == 413 and resp.json()["code"] == "payload_too_large"
    resp = await client.post("/api/v1/organisations", content=b"<org/>", headers={"content-type": "application/xml"})
    assert resp.status_code == 415 and resp.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"cursor": "garbage!"}, ["query", "cursor"]),
        ({"limit": "0"}, ["query", "limit"]),
        ({"limit": "201"}, ["query", "limit"]),
        ({"legal_fom": "llp"}, ["query", "legal_fom"]),
        ({"near": "51.7"}, ["query", "near"]),
        ({"cpv": "12"}, ["query", "cpv"]),
        ({"updated_since": "yesterday"}, ["query", "updated_since"]),
        ({"lad": "Oxford"}, ["query", "lad"]),
    ],
)
async def test_bad_query_parameters_are_422(client: httpx.AsyncClient, params: dict, loc: list) -> None:
    resp = await client.get("/api/v1/organisations", params=params)
    assert resp.status_code == 422, resp.text
    assert loc in problem_locs(resp)


async def test_patch_with_stale_if_match_is_412_and_fresh_one_bumps_the_version(client: httpx.AsyncClient) -> None:
    created = (await client.post("/api/v1/organisations", json=OXFORD_COOP)).json()
    url = f"/api/v1/organisations/{created['id']}"
    ok = await client.patch(url, json={"employees": 14}, headers={"If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["etag"] == 'W/"2"'
    stale = await client.patch(url, json={"employees": 15}, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    assert (await client.get(url)).json()["employees"] == 14
    unchanged = await client.patch(url, json={"employees": 14})
    assert unchanged.json()["version"] == 2


async def test_deregister_hides_the_organisation_and_frees_its_identifiers(client: httpx.AsyncClient) -> None:
    created = (await client.post("/api/v1/organisations", json=OXFORD_COOP)).json()
    url = f"/api/v1/organisations/{created['id']}"
    assert (await client.delete(url, headers={"If-Match": 'W/"9"'})).status_code == 412
    assert (await client.delete(url, headers={"If-Match": 'W/"1"'})).status_code == 204
    assert (await client.get(url)).status_code == 404
    again = await client.post("/api/v1/organisations", json=OXFORD_COOP)
    assert again.status_code == 201


async def test_idempotency_key_replays_refuses_a_different_body_and_reports_in_flight(
    client: httpx.AsyncClient, registry_app
) -> None:
    headers = {"Idempotency-Key": "create-oxford-1"}
    first = await client.post("/api/v1/organisations", json=OXFORD_COOP, headers=headers)
    replay = await client.post("/api/v1/organisations", json=OXFORD_COOP, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json()["id"] == first.json()["id"]
    assert replay.headers["idempotent-replayed"] == "true"
    different = await client.post("/api/v1/organisations", json={**OXFORD_COOP, "name": "Other"}, headers=headers)
    assert different.status_code == 422 and different.json()["code"] == "idempotency_key_reused"
    listed = (await client.get("/api/v1/organisations", params={"q": "Oxford Wholefoods"})).json()["data"]
    assert len(listed) == 1

    # A request still being processed under a key: simulate the first request's claim.
    from localwealth_shared.clock import utcnow
    from registry.db import platform

    async with registry_app.state.db.transaction() as session:
        await session.execute(
            platform.idempotency_keys.insert().values(
                tenant_id="t-oxford", key="busy", request_hash="x", state="in_flight", created_at=utcnow()
            )
        )
    busy = await client.post("/api/v1/organisations", json=OXFORD_COOP, headers={"Idempotency-Key": "busy"})
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_in_flight"


async def test_credentials_and_scopes(make_client: ClientFactory) -> None:
    anonymous = make_client(auth=False)
    resp = await anonymous.get("/api/v1/organisations")
    assert resp.status_code == 401 and resp.headers["www-authenticate"] == "Bearer"
    forged = httpx.AsyncClient(
        transport=anonymous._transport, base_url="http://registry", headers={"Authorization": "Bearer a.b.c"}
    )
    assert (await forged.get("/api/v1/organisations")).status_code == 401
    reader = make_client(scopes=("registry:read",))
    assert (await reader.get("/api/v1/organisations")).status_code == 200
    denied = await reader.post("/api/v1/organisations", json={"name": "No scope"})
    assert denied.status_code == 403 and denied.json()["code"] == "scope_missing"
    other_service = make_client(scopes=("land:read",))
    assert (await other_service.get("/api/v1/organisations")).status_code == 403


async def test_the_registry_is_shared_and_records_which_tenant_changed_it(make_client: ClientFactory) -> None:
    oxford, leeds = make_client("t-oxford"), make_client("t-leeds")
    created = (await oxford.post("/api/v1/organisations", json=OXFORD_COOP)).json()
    seen = await leeds.get(f"/api/v1/organisations/{created['id']}")
    assert seen.status_code == 200
    corrected = await leeds.patch(f"/api/v1/organisations/{created['id']}", json={"members": 40})
    assert corrected.json()["updated_by"] == "t-leeds" and corrected.json()["created_by"] == "t-oxford"
