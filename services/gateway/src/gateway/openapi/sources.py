"""Where the services' OpenAPI documents come from: over HTTP at request time (cached), or in-process."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from gateway.config import SERVICES
from gateway.proxy.upstreams import Upstreams

logger = logging.getLogger("gateway.openapi")

FETCH_TIMEOUT_S = 3.0


class ServiceDocuments:
    """Fetches each configured service's `/openapi.json`, reusing a good copy for `ttl_s` seconds."""

    def __init__(self, upstreams: Upstreams, ttl_s: float) -> None:
        self.upstreams = upstreams
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}

    async def _fetch(self, service: str) -> dict[str, Any] | None:
        cached = self._cache.get(service)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        client = self.upstreams.client(service)
        if client is None:
            return None
        try:
            response = await client.get("/openapi.json", timeout=FETCH_TIMEOUT_S)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("openapi: %s left out of the merged document: %s", service, exc or type(exc).__name__)
            return None
        if not isinstance(document, dict) or "paths" not in document:
            return None
        self._cache[service] = (time.monotonic(), document)
        return document

    async def fetch_all(self) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """The documents of the reachable services, and the configured services that could not be read."""
        services = [s for s in SERVICES if s in self.upstreams.configured]
        results = await asyncio.gather(*(self._fetch(s) for s in services))
        documents = {s: d for s, d in zip(services, results, strict=True) if d is not None}
        return documents, [s for s in services if s not in documents]


@contextmanager
def _documentation_environment() -> Iterator[None]:
    """Building a document needs no secrets or database: allow the development defaults and in-memory DBs."""
    overrides = {
        "LOCALWEALTH_ENV": "development",
        **{f"{s.upper()}_DATABASE_URL": "sqlite+aiosqlite:///:memory:" for s in ("gateway", *SERVICES)},
    }
    saved = {k: os.environ.get(k) for k in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def in_process_documents() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The gateway's and each installed service's document, built from their app factories in this process."""
    from gateway.main import create_app

    with _documentation_environment():
        gateway_doc = create_app().openapi()
        documents: dict[str, dict[str, Any]] = {}
        for service in SERVICES:
            try:
                module = importlib.import_module(f"{service}.main")
            except ModuleNotFoundError as exc:
                if exc.name not in (service, f"{service}.main"):
                    raise
                continue  # not installed here
            documents[service] = module.create_app().openapi()
    return gateway_doc, documents
