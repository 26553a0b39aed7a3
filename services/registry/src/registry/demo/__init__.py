"""Demo data for `make run`: every co-operative in the Co-operatives UK open dataset, loaded into an empty registry."""

from __future__ import annotations

import gzip
import time
from importlib.resources import files

import httpx

DEMO_FILE = "coops_uk_open_data_standard_2023-03.csv.gz"


def demo_csv() -> bytes:
    return gzip.decompress(files(__package__).joinpath(DEMO_FILE).read_bytes())


def seed(base_url: str, key: str, log: callable = print) -> None:  # type: ignore[valid-type]
    """Import the demo co-ops through the public API when the registry is empty; wait for the job."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        existing = client.get("/api/v1/organisations", params={"limit": 1}).json()
        if existing.get("data"):
            log("registry: already has organisations, demo data not loaded")
            return
        resp = client.post(
            "/api/v1/organisations/imports", files={"file": ("coops-uk.csv", demo_csv())}, data={"format": "coops-uk"}
        )
        resp.raise_for_status()
        job_url = resp.headers["Location"]
        while True:
            job = client.get(job_url).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.5)
        log(f"registry: demo import {job['status']}: {job['counts']}")
