"""Loading the matching indexes when the API starts, so that no request pays for the full load (~6 s at
100,000 organisations, longer than the gateway waits for a composite's part).

Requests that arrive first wait for the same load rather than getting partial results: an index refresh
holds the index's lock, and a refresh after the full load reads only what changed since it began."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from localwealth_shared.db import Database

from procurement.matching.index import OpportunityIndex, SupplierIndex

logger = logging.getLogger("procurement.matching")


class IndexWarmup:
    def __init__(self, db: Database, suppliers: SupplierIndex, opportunities: OpportunityIndex) -> None:
        self._db, self._suppliers, self._opportunities = db, suppliers, opportunities
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._load(), name="matching-index-warmup")

    async def _load(self) -> None:
        try:
            async with self._db.reader() as session:
                await self._suppliers.refresh(session)
                await self._opportunities.refresh(session)
        except Exception:
            # Not fatal: the first matching request loads what is missing, as before.
            logger.exception("loading the matching indexes at start-up failed")

    @property
    def loading(self) -> bool:
        return self._task is not None and not self._task.done()

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    async def readiness(self) -> None:
        """A `/readyz` check: not ready while the indexes load, so traffic waits for them."""
        if self.loading:
            raise RuntimeError("matching indexes loading")

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
