"""Demo data for `make run`: the Contracts Finder sample imported into an empty procurement service, so the
demo registry's co-operatives have real tenders to match."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from importlib.resources import files

import httpx

DEMO_FILE = "contracts_finder_england_releases.jsonl.gz"


def demo_releases() -> bytes:
    return gzip.decompress(files(__package__).joinpath(DEMO_FILE).read_bytes())


def seed(base_url: str, key: str, log: Callable[[str], object] = print) -> None:
    """Import the demo releases through the public API when there are no tenders yet; wait for the job."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        existing = client.get("/api/v1/tenders", params={"limit": 1}).json()
        if existing.get("data"):
            log("procurement: already has tenders, demo data not loaded")
            return
        resp = client.post("/api/v1/tenders/imports", files={"file": ("contracts-finder.jsonl", demo_releases())})
        resp.raise_for_status()
        job_url = resp.headers["Location"]
        while True:
            job = client.get(job_url).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.5)
        log(f"procurement: demo import {job['status']}: {job['counts']}")
