"""The matching indexes load when the app starts, and a request that comes first waits for that load."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from localwealth_shared.testing.clients import ClientFactory

from .test_matching_api import seed
from .test_tenders_api import CARE_TENDER


async def test_start_up_loads_the_indexes(procurement_app: FastAPI, make_client: ClientFactory) -> None:
    orgs = await seed(procurement_app)
    client = make_client()
    tender: dict[str, Any] = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    state = procurement_app.state
    assert state.supplier_index.suppliers == {}  # nothing has asked for matches yet
    async with procurement_app.router.lifespan_context(procurement_app):
        await state.index_warmup.wait()
        assert set(state.supplier_index.suppliers) == {o["id"] for o in orgs.values()}
        assert tender["id"] in state.opportunity_index.titles
        assert (await client.get("/readyz")).json()["checks"]["matching_index"] == "ok"


async def test_a_request_during_the_load_waits_for_it(procurement_app: FastAPI, make_client: ClientFactory) -> None:
    orgs = await seed(procurement_app)
    client = make_client()
    tender: dict[str, Any] = (await client.post("/api/v1/tenders", json=CARE_TENDER)).json()
    state, lock = procurement_app.state, procurement_app.state.supplier_index._lock
    async with procurement_app.router.lifespan_context(procurement_app):
        await lock.acquire()  # the start-up load has not run yet: hold it at the index's lock, as if loading
        try:
            assert state.index_warmup.loading
            ready = (await client.get("/readyz")).json()["checks"]["matching_index"]
            assert ready == "unavailable: matching indexes loading"
        finally:
            lock.release()
        resp = await client.get(f"/api/v1/tenders/{tender['id']}/matches")  # queued behind the load
        assert not state.index_warmup.loading
    assert resp.status_code == 200, resp.text
    # The same answer as without a start-up load (test_matching_api): both suppliers, the local one first.
    assert [m["organisation_id"] for m in resp.json()["data"]] == [orgs["local"]["id"], orgs["office_only"]["id"]]
