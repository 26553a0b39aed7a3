"""The worker part that calls webhooks: due deliveries are POSTed, signed per Standard Webhooks; a failure
(network error or non-2xx) is retried with exponential back-off until `max_attempts`, then marked failed.
Each attempt is recorded on the delivery (the log the API shows)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx
import orjson
from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from sqlalchemy import select

from procurement.alerts.signing import headers
from procurement.db import AlertSubscription, WebhookDelivery

logger = logging.getLogger("procurement.webhooks")


class WebhookSender:
    def __init__(
        self,
        db: Database,
        *,
        max_attempts: int = 6,
        base_backoff_s: float = 5.0,
        timeout_s: float = 10.0,
        poll_interval_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.base_backoff_s = base_backoff_s
        self.poll_interval_s = poll_interval_s
        self.client = httpx.AsyncClient(timeout=timeout_s, transport=transport)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                if not await self.send_due():
                    try:
                        await asyncio.wait_for(self._stopping.wait(), timeout=self.poll_interval_s)
                    except TimeoutError:
                        pass
        finally:
            await self.client.aclose()

    async def send_due(self, limit: int = 20) -> int:
        """Attempt every delivery that is due; returns how many were attempted."""
        async with self.db.reader() as session:
            due = (
                await session.execute(
                    select(WebhookDelivery, AlertSubscription)
                    .join(AlertSubscription, AlertSubscription.id == WebhookDelivery.subscription_id)
                    .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow())
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(limit)
                )
            ).all()
        for delivery, sub in due:
            await self._attempt(delivery.id, sub.webhook_url, sub.secret, delivery.event_type, delivery.payload)
        return len(due)

    async def _attempt(self, delivery_id: str, url: str, secret: str, event_type: str, payload: dict) -> None:
        now = utcnow()
        body = orjson.dumps({"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": payload})
        code: int | None = None
        error: str | None = None
        try:
            resp = await self.client.post(
                url, content=body, headers=headers(secret, delivery_id, int(now.timestamp()), body)
            )
            code = resp.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        async with self.db.transaction() as session:
            delivery = await session.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                return
            delivery.attempts += 1
            delivery.last_status_code, delivery.last_error = code, error
            if error is None:
                delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
            elif delivery.attempts >= self.max_attempts:
                delivery.status, delivery.next_attempt_at = "failed", None
                logger.warning("webhook %s failed after %d attempts: %s", delivery_id, delivery.attempts, error)
            else:
                backoff = self.base_backoff_s * 2 ** (delivery.attempts - 1)
                delivery.next_attempt_at = utcnow() + timedelta(seconds=backoff)
