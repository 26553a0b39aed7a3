"""The supplier read model fed through the real broker by the worker's consumers: a registry event makes an
organisation matchable; a redelivered event applies once; a poison message goes to the dead-letter topic."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from localwealth_shared.broker import EmbeddedBroker
from localwealth_shared.events.consumer import read_topic
from localwealth_shared.events.envelope import CloudEvent
from procurement.config import ProcurementSettings
from procurement.db import Supplier, platform
from procurement.suppliers.read_model import UPDATED
from procurement.worker import run_worker
from sqlalchemy import func, select

from .events_support import OXFORD_SITE, organisation, registered, site
from .test_tenders_api import with_

pytestmark = pytest.mark.broker


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@pytest.fixture
async def worker(procurement_settings: ProcurementSettings, running_broker: EmbeddedBroker) -> AsyncIterator[None]:
    settings = procurement_settings.model_copy(
        update={"kafka_bootstrap_servers": running_broker.bootstrap_servers, "consumer_retry_backoff_s": 0.01}
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(settings, stop))
    yield
    stop.set()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=30)


async def publish(broker: EmbeddedBroker, *messages: tuple[str, bytes, bytes, list[tuple[str, bytes]]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    await producer.start()
    try:
        for topic, key, value, headers in messages:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def message(event: CloudEvent) -> tuple[str, bytes, bytes, list[tuple[str, bytes]]]:
    return (event.topic, event.data["id"].encode(), event.encoded_data(), event.kafka_headers())


async def test_a_registered_organisation_becomes_matchable(
    client: httpx.AsyncClient, worker: None, running_broker: EmbeddedBroker
) -> None:
    tender = (await client.post("/api/v1/tenders", json=with_(reservation=None))).json()
    org = organisation("Event Kitchen Co-op", cpv=["55520000"], sites=[site(*OXFORD_SITE)])
    event = registered(org)
    # Delivered twice (as after a consumer crash before its offset commit): applied once.
    await publish(running_broker, message(event), message(event))

    async def matchable() -> bool:
        data = (await client.get(f"/api/v1/tenders/{tender['id']}/matches")).json()["data"]
        return org["id"] in {m["organisation_id"] for m in data}

    await wait_until(matchable)
    match = next(
        m
        for m in (await client.get(f"/api/v1/tenders/{tender['id']}/matches")).json()["data"]
        if m["organisation_id"] == org["id"]
    )
    assert match["name"] == "Event Kitchen Co-op" and "CPV 55520000 matches exactly" in match["reasons"]


async def test_redelivery_applies_once_and_poison_goes_to_the_dlq(
    procurement_app, worker: None, running_broker: EmbeddedBroker, unique_name: str
) -> None:  # type: ignore[no-untyped-def]
    org = organisation("Twice Told Co-op", cpv=["55520000"], sites=[site(*OXFORD_SITE)])
    first = registered(org)
    renamed = registered({**org, "name": "Twice Told", "version": 2}, UPDATED)
    poison = ("registry.organisation", unique_name.encode(), b"{not json", [("ce_specversion", b"1.0")])
    # The first event comes again after the rename (a redelivery): it must not undo the rename.
    await publish(running_broker, message(first), message(renamed), poison, message(first))

    async def dead_lettered() -> bool:
        dead = await read_topic(running_broker.bootstrap_servers, "registry.organisation.dlq", timeout_s=1.0)
        return any(r.key == unique_name.encode() for r in dead)

    async def both_recorded() -> bool:
        async with procurement_app.state.db.reader() as session:
            seen = (
                await session.execute(
                    select(func.count())
                    .select_from(platform.inbox)
                    .where(platform.inbox.c.event_id.in_([first.id, renamed.id]))
                )
            ).scalar_one()
        return int(seen) == 2

    await wait_until(dead_lettered)
    await wait_until(both_recorded)
    async with procurement_app.state.db.reader() as session:
        row = await session.get(Supplier, org["id"])
    assert row is not None and row.name == "Twice Told" and row.registry_version == 2


async def test_rebuild_replays_the_topics_into_an_emptied_read_model(
    procurement_app,
    running_broker: EmbeddedBroker,  # type: ignore[no-untyped-def]
) -> None:
    from procurement.suppliers.rebuild import rebuild

    org = organisation("Replayed Co-op", cpv=["55520000"], sites=[site(*OXFORD_SITE)])
    await publish(running_broker, message(registered(org)))
    replayed = await rebuild(procurement_app.state.db, running_broker.bootstrap_servers, idle_s=2.0)
    assert replayed >= 1
    async with procurement_app.state.db.reader() as session:
        row = await session.get(Supplier, org["id"])
    assert row is not None and row.name == "Replayed Co-op"
