"""Supplier reconciliation through the API and the registry consumer on the real broker: matches at import,
re-matching when the registry grows, the review queue, manual matches that stay, dead letters."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from impact.config import ImpactSettings
from impact.db import SpendSupplier, platform
from impact.main import thresholds_of
from impact.organisations.read_model import apply_organisation_events, organisations_consumer
from localwealth_shared.broker import EmbeddedBroker
from localwealth_shared.db import Database
from localwealth_shared.events.consumer import EventConsumer, dlq_topic, read_topic
from localwealth_shared.events.envelope import CloudEvent
from sqlalchemy import select

from .conftest import registry_event

LEDGER = (
    b"Paid Date,Supplier Name,Amount,Trans No\n"
    b"01/04/2017,COWLEY ROAD BAKERY CO-OP,1500.00,T1\n"
    b"02/04/2017,UHURU WHOLEFOODS,250.00,T2\n"
    b"03/04/2017,REDACTED - PERSONAL DATA,900.00,T3\n"
    b"04/04/2017,OXFORD BUSES,75.00,T4\n"
)


async def suppliers(client: httpx.AsyncClient, **params: Any) -> dict[str, dict[str, Any]]:
    page = (await client.get("/api/v1/spend/suppliers", params={"limit": 200, **params})).json()
    return {s["name"]: s for s in page["data"]}


async def test_suppliers_are_matched_at_import_and_when_the_registry_grows(
    client: httpx.AsyncClient, upload: Any, known_organisation: Any
) -> None:
    bakery = await known_organisation("Cowley Road Bakery Co-operative Limited")
    bus = await known_organisation("The Oxford Bus Company Limited", legal_form="company_limited_by_shares")
    await upload(LEDGER)
    found = await suppliers(client)
    assert found["COWLEY ROAD BAKERY CO-OP"]["status"] == "matched"
    assert found["COWLEY ROAD BAKERY CO-OP"]["organisation_id"] == bakery
    assert found["COWLEY ROAD BAKERY CO-OP"]["organisation_name"] == "Cowley Road Bakery Co-operative Limited"
    assert found["UHURU WHOLEFOODS"]["status"] == "unmatched"
    assert found["REDACTED"]["status"] == "redacted"
    review = found["OXFORD BUSES"]
    assert review["status"] == "suggested" and review["candidates"][0]["organisation_id"] == bus
    # A registry event brings the co-op the ledger calls "UHURU WHOLEFOODS": it is matched without an upload.
    uhuru = await known_organisation("Uhuru Wholefoods Co-operative Ltd")
    found = await suppliers(client)
    assert found["UHURU WHOLEFOODS"]["organisation_id"] == uhuru and found["UHURU WHOLEFOODS"]["method"] == "name"
    stats = (await client.get("/api/v1/spend/suppliers/stats")).json()
    assert (
        stats["by_status"]["matched"]["suppliers"] == 2
        and stats["by_status"]["redacted"]["spend"]["amount"] == "900.00"
    )
    assert stats["match_rate"] == round(2 / 3, 4) and stats["spend_match_rate"] == round(1750 / 1825, 4)
    assert [s["name"] for s in (await client.get("/api/v1/spend/suppliers", params={"status": "suggested"})).json()[
        "data"
    ]] == ["OXFORD BUSES"]  # fmt: skip


async def test_a_manual_match_is_final(client: httpx.AsyncClient, upload: Any, known_organisation: Any) -> None:
    bus = await known_organisation("The Oxford Bus Company Limited", legal_form="company_limited_by_shares")
    await upload(LEDGER)
    review = (await suppliers(client))["OXFORD BUSES"]
    resp = await client.post(f"/api/v1/spend/suppliers/{review['id']}/match", json={"organisation_id": bus})
    assert resp.status_code == 200 and resp.json()["method"] == "manual" and resp.json()["status"] == "matched"
    await known_organisation("Oxford Buses Ltd")  # an exact-name organisation arrives later
    assert (await suppliers(client))["OXFORD BUSES"]["organisation_id"] == bus
    stale = await client.post(
        f"/api/v1/spend/suppliers/{review['id']}/match", json={"organisation_id": None}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    unlinked = await client.post(f"/api/v1/spend/suppliers/{review['id']}/match", json={"organisation_id": None})
    assert unlinked.json()["status"] == "unmatched" and unlinked.json()["method"] == "manual"


async def test_manual_match_input_is_checked(client: httpx.AsyncClient, upload: Any) -> None:
    await upload(LEDGER)
    found = await suppliers(client)
    unknown = await client.post(
        f"/api/v1/spend/suppliers/{found['UHURU WHOLEFOODS']['id']}/match", json={"organisation_id": "nope"}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["type"] == "organisation.unknown"
    redacted = await client.post(
        f"/api/v1/spend/suppliers/{found['REDACTED']['id']}/match", json={"organisation_id": "x"}
    )
    assert redacted.status_code == 422 and redacted.json()["errors"][0]["type"] == "supplier.redacted"
    assert (
        await client.post("/api/v1/spend/suppliers/missing/match", json={"organisation_id": None})
    ).status_code == 404


async def test_an_identifier_in_the_ledger_is_matched_first(client: httpx.AsyncClient, known_organisation: Any) -> None:
    org = await known_organisation("Something Else Entirely Ltd", identifiers=[{"scheme": "GB-COH", "id": "03416658"}])
    body = (
        b'{"transaction_ref": "P1", "paid_date": "2017-05-01", "amount": {"amount": "10.00"},'
        b' "supplier_name": "Acme", "supplier_identifier": "GB-COH-3416658"}\n'
    )
    await client.post("/api/v1/spend/lines", content=body, headers={"content-type": "application/x-ndjson"})
    acme = (await suppliers(client))["Acme"]
    assert (acme["status"], acme["organisation_id"], acme["method"], acme["identifier"]) == (
        "matched", org, "identifier", "GB-COH-03416658"
    )  # fmt: skip


@pytest.mark.broker
async def test_the_registry_consumer_rematches_over_the_real_broker_and_dead_letters_poison(
    running_broker: EmbeddedBroker, impact_settings: ImpactSettings, upload: Any, client: httpx.AsyncClient,
    unique_name: str,
) -> None:  # fmt: skip
    await upload(LEDGER)
    topic = f"{unique_name}.registry.organisation"
    spec = dataclasses.replace(organisations_consumer(thresholds_of(impact_settings)), name=unique_name, topics=[topic])
    db = Database(impact_settings.database_url)
    consumer = EventConsumer(
        db, platform, spec, service="impact", bootstrap_servers=running_broker.bootstrap_servers, max_attempts=2,
        retry_backoff_s=0.05,
    )  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=running_broker.bootstrap_servers)
    await producer.start()
    task = asyncio.create_task(consumer.run())
    try:
        event = registry_event("Uhuru Wholefoods Co-operative Ltd")
        poison = CloudEvent(type="org.localwealth.registry.organisation.updated.v1", source="/test", data={"no": "id"})
        for e in (event, event, poison):
            await producer.send_and_wait(topic, value=e.encoded_data(), key=b"k", headers=e.kafka_headers())
        for _ in range(150):
            async with db.reader() as session:
                row = (
                    await session.scalars(select(SpendSupplier).where(SpendSupplier.name == "UHURU WHOLEFOODS"))
                ).one()
            if row.status == "matched":
                break
            await asyncio.sleep(0.1)
        assert row.organisation_id == event.data["id"] and row.version == 2  # applied once, despite the duplicate
        dead: list[Any] = []
        for _ in range(100):
            if dead := await read_topic(running_broker.bootstrap_servers, dlq_topic(topic)):
                break
            await asyncio.sleep(0.2)
        assert [dict(r.headers)["ce_id"].decode() for r in dead] == [poison.id]
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)
        await producer.stop()
        await db.dispose()


async def test_reconciling_again_is_a_job(
    impact_app: Any, client: httpx.AsyncClient, upload: Any, run_imports: Any, make_client: Any
) -> None:
    await upload(LEDGER)
    # An organisation the read model took in without re-matching (e.g. loaded before a threshold change).
    async with impact_app.state.db.transaction() as session:
        await apply_organisation_events(session, [registry_event("Uhuru Wholefoods Co-operative Ltd")])
    assert (await suppliers(client))["UHURU WHOLEFOODS"]["status"] == "unmatched"
    resp = await client.post("/api/v1/spend/suppliers/reconcile")
    assert resp.status_code == 202
    await run_imports()
    job = (await client.get(resp.headers["Location"])).json()
    assert job["status"] == "succeeded" and job["counts"]["updated"] == 1 and job["progress"]["total"] == 3
    assert (await suppliers(client))["UHURU WHOLEFOODS"]["status"] == "matched"
    other = make_client(tenant="E07000177", area=("E07000177",))
    assert (await other.get(resp.headers["Location"])).status_code == 404
    assert (await client.get(f"/api/v1/spend/imports/{job['id']}")).status_code == 404  # not an import
