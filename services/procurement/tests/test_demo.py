"""The bundled demo file is the Contracts Finder sample and imports cleanly."""

from __future__ import annotations

import httpx
from procurement.demo import demo_releases
from procurement.ocds.parse import read_releases


async def test_demo_releases_import_without_rejections(client: httpx.AsyncClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    content = demo_releases()
    assert len(list(read_releases(content))) == 200
    resp = await client.post("/api/v1/tenders/imports", files={"file": ("demo.jsonl", content)})
    await run_jobs()
    job = (await client.get(resp.headers["Location"])).json()
    assert job["status"] == "succeeded" and job["counts"]["rejected"] == 0 and job["counts"]["created"] == 190
