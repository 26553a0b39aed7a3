"""Idempotency-Key on creating POSTs (SPEC §3.5), as ASGI middleware so every endpoint gets it alike.

Same key + same body → the stored response again (with `Idempotent-Replayed: true`); same key + a
different body → 422; the first request still running → 409. Keys are scoped to the caller's tenant and
kept for `ttl_hours`. A 5xx is not stored, so the client may retry.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request

from localwealth_shared.auth import Authenticator, bearer_credential
from localwealth_shared.clock import utcnow
from localwealth_shared.db import Database
from localwealth_shared.http.middleware import ASGIApp, Message, Receive, Scope, Send, header
from localwealth_shared.http.problems import Problem, problem_response
from localwealth_shared.platform_tables import PlatformTables

logger = logging.getLogger("localwealth.idempotency")

IN_FLIGHT, COMPLETED = "in_flight", "completed"
_REPLAYED_HEADERS = {"content-type", "location", "etag"}


class IdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, *, db: Database, tables: PlatformTables, authenticator: Authenticator, ttl_hours: int = 48
    ) -> None:
        self.app = app
        self.db = db
        self.table = tables.idempotency_keys
        self.authenticator = authenticator
        self.ttl = timedelta(hours=ttl_hours)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not 1 <= len(key) <= 255:
            await problem_response(
                request,
                422,
                "idempotency_key_invalid",
                detail="Idempotency-Key must be 1–255 characters",
                errors=[{"loc": ["header", "Idempotency-Key"], "msg": "1–255 characters", "type": "string_length"}],
            )(scope, receive, send)
            return
        try:
            principal = await self.authenticator.authenticate(bearer_credential(request))
        except Problem:
            await self.app(scope, receive, send)  # let the endpoint answer 401 the usual way
            return

        body = await _read_body(receive)
        digest = hashlib.sha256(scope["method"].encode() + b" " + scope["path"].encode() + b"\n" + body).hexdigest()
        tenant = principal.tenant_id

        existing = await self._claim(tenant, key, digest)
        if existing is not None:
            await self._answer_existing(existing, digest, request, scope, receive, send)
            return

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, _replay_body(body), capture)
        except BaseException:
            await self._release(tenant, key)
            raise
        if captured["status"] >= 500:
            await self._release(tenant, key)
            return
        headers = {k.decode(): v.decode() for k, v in captured["headers"] if k.decode().lower() in _REPLAYED_HEADERS}
        async with self.db.transaction() as session:
            await session.execute(
                update(self.table)
                .where(self.table.c.tenant_id == tenant, self.table.c.key == key)
                .values(
                    state=COMPLETED,
                    response_status=captured["status"],
                    response_headers=headers,
                    response_body=captured["body"],
                )
            )

    async def _claim(self, tenant: str, key: str, digest: str) -> Any:
        """Insert an in-flight row; return the existing row if the key was already used."""
        now = utcnow()
        try:
            async with self.db.transaction() as session:
                row = (
                    await session.execute(
                        select(self.table).where(self.table.c.tenant_id == tenant, self.table.c.key == key)
                    )
                ).first()
                if row is not None and row.created_at >= now - self.ttl:
                    return row
                if row is not None:  # expired: the key may be used afresh
                    await session.execute(
                        delete(self.table).where(self.table.c.tenant_id == tenant, self.table.c.key == key)
                    )
                await session.execute(
                    self.table.insert().values(
                        tenant_id=tenant, key=key, request_hash=digest, state=IN_FLIGHT, created_at=now
                    )
                )
        except IntegrityError:
            async with self.db.reader() as session:
                return (
                    await session.execute(
                        select(self.table).where(self.table.c.tenant_id == tenant, self.table.c.key == key)
                    )
                ).first()
        return None

    async def _release(self, tenant: str, key: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(self.table).where(self.table.c.tenant_id == tenant, self.table.c.key == key))

    async def _answer_existing(
        self, row: Any, digest: str, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if row.state == IN_FLIGHT:
            response = problem_response(
                request,
                409,
                "idempotency_in_flight",
                detail="a request with this Idempotency-Key is still being processed",
                headers={"Retry-After": "1"},
            )
        elif row.request_hash != digest:
            response = problem_response(
                request,
                422,
                "idempotency_key_reused",
                detail="this Idempotency-Key was used with a different request body; use a new key",
                errors=[
                    {
                        "loc": ["header", "Idempotency-Key"],
                        "msg": "reused with a different body",
                        "type": "idempotency_key_reused",
                    }
                ],
            )
        else:
            headers = dict(row.response_headers or {})
            headers["Idempotent-Replayed"] = "true"
            from starlette.responses import Response

            response = Response(row.response_body or b"", status_code=row.response_status, headers=headers)
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            return b"".join(chunks)


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
