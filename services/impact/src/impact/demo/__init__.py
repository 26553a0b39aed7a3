"""Demo data for `make run`: Oxford City Council's real "spend over £500" files (Jan 2014 – Mar 2018, 61,529
lines) imported for the demo council E07000178 through the public API, as its finance team would, so the
pillars show real figures. Suppliers are reconciled against the demo registry (the Co-operatives UK open
data) as it arrives; the match rate is printed.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from localwealth_shared.demo import demo_council_client

FILES = Path(__file__).resolve().parent / "council-spend-oxford"
JOB_WAIT_S = 600


def _wait(client: httpx.Client, url: str) -> dict[str, object]:
    deadline = time.monotonic() + JOB_WAIT_S
    while True:
        job: dict[str, object] = client.get(url).json()
        if job.get("status") not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


def _upload(client: httpx.Client, name: str, content: bytes) -> httpx.Response:
    """Upload, retrying while the service is busy (at start-up it is taking in the registry's 7,272 events)."""
    deadline = time.monotonic() + JOB_WAIT_S
    while True:
        try:
            resp = client.post("/api/v1/spend/imports", files={"file": (name, content)})
            if resp.status_code not in (502, 503, 504) or time.monotonic() > deadline:
                resp.raise_for_status()
                return resp
        except httpx.TimeoutException:
            if time.monotonic() > deadline:
                raise
        time.sleep(2)


def seed(base_url: str, admin_key: str, log: Callable[[str], None] = print) -> None:
    with demo_council_client(base_url, admin_key) as client:
        if client.get("/api/v1/spend/lines", params={"limit": 1}).json().get("data"):
            log("impact: the demo council already has spend, demo data not loaded")
            return
        created = rejected = 0
        for path in sorted(FILES.glob("*.csv.gz")):
            name = path.name.removesuffix(".gz")
            resp = _upload(client, name, gzip.decompress(path.read_bytes()))
            job = _wait(client, resp.headers["Location"])
            counts: dict[str, int] = job.get("counts") or {}  # type: ignore[assignment]
            created += int(counts.get("created", 0))
            rejected += int(counts.get("rejected", 0))
        # The registry's events may still have been arriving: reconcile once more with what is known now.
        _wait(client, client.post("/api/v1/spend/suppliers/reconcile").headers["Location"])
        stats = client.get("/api/v1/spend/suppliers/stats").json()
        summary = client.get("/api/v1/spend/summary").json()
        log(
            f"impact: {created:,} Oxford spend lines (£{float(summary['total']['amount']):,.0f}; {rejected} rows "
            f"reported), {stats['suppliers']:,} suppliers, {stats['by_status']['matched']['suppliers']} matched to "
            f"the registry ({stats['match_rate']:.1%})"
        )
