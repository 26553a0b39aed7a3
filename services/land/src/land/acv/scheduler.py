"""The ACV clock scheduler: when a moratorium or a listing ends, say so once (`land.acv` events).

Runs in the worker every `clock_check_interval_s`. Each run is one write transaction that marks what it
announced in the same commit as the outbox rows, so running it twice (or on two replicas: SQLite
serialises writers; PostgreSQL rows are locked with SKIP LOCKED) never announces anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date

from localwealth_shared.clock import today as current_day
from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from localwealth_shared.events.outbox import Outbox
from sqlalchemy import func, or_, select

from land.acv.service import EVENT, load_view
from land.db import AcvCase, DisposalNotice

logger = logging.getLogger("land.acv.scheduler")


async def announce_ended_clocks(db: Database, outbox: Outbox, today: date) -> int:
    """Write an event for every clock that ended before `today`; returns how many were written."""
    written = 0
    async with db.transaction() as session:
        ends = func.coalesce(DisposalNotice.full_ends, DisposalNotice.interim_ends)
        notices = await session.scalars(
            select(DisposalNotice)
            .where(
                DisposalNotice.starts_moratorium.is_(True),
                ends < today,
                or_(
                    DisposalNotice.announced_moratorium.is_(None),
                    (DisposalNotice.announced_moratorium == "interim") & DisposalNotice.full_ends.is_not(None),
                ),
            )
            .with_for_update(skip_locked=True)
        )
        for notice in notices.all():
            kind = "full" if notice.full_ends is not None else "interim"
            ended_on = notice.full_ends or notice.interim_ends
            notice.announced_moratorium = kind
            case = await session.get(AcvCase, notice.case_id)
            assert case is not None and ended_on is not None
            view = await load_view(session, case)
            await outbox.add(
                session,
                EVENT.format("moratorium-ended"),
                case.id,
                {**view.event_data(), "moratorium": kind, "ended_on": ended_on.isoformat()},
            )
            written += 1
        expired = await session.scalars(
            select(AcvCase)
            .where(AcvCase.status == "listed", AcvCase.listing_ends < today, AcvCase.expiry_announced.is_(False))
            .with_for_update(skip_locked=True)
        )
        for case in expired.all():
            case.status, case.expiry_announced = "expired", True
            case.updated_at, case.version = utcnow(), case.version + 1
            view = await load_view(session, case)
            await outbox.add(session, EVENT.format("listing-expired"), case.id, view.event_data())
            written += 1
    return written


class ClockScheduler:
    def __init__(self, db: Database, outbox: Outbox, interval_s: float) -> None:
        self.db, self.outbox, self.interval_s = db, outbox, interval_s
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                if written := await announce_ended_clocks(self.db, self.outbox, current_day()):
                    logger.info("acv clocks: %d ended", written)
            except Exception:  # a failed run is retried on the next tick; nothing was committed
                logger.exception("acv clock check failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval_s)
