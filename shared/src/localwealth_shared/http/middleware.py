"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware on every request).

- `RequestContextMiddleware`: request id and trace context, one JSON log line and metrics per request.
- `BodyGuardMiddleware`: 413 for bodies over the limit (checked while streaming, not only by header) and
  415 for media types no endpoint accepts.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from localwealth_shared.http.problems import problem_response
from localwealth_shared.observability import context
from localwealth_shared.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("localwealth.http")

QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and len(incoming) <= 128 and incoming.isprintable() else uuid.uuid4().hex
        traceparent = context.child_traceparent(header(scope, b"traceparent"))
        tokens = context.bind(request_id, traceparent)
        started = time.perf_counter()
        status_holder = [500]

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"traceparent", traceparent.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            method = scope.get("method", "")
            status = status_holder[0]
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
            if scope.get("path") not in QUIET_PATHS:
                logger.info(
                    "%s %s %s",
                    method,
                    scope.get("path"),
                    status,
                    extra={
                        "http_method": method,
                        "path": scope.get("path"),
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            context.unbind(tokens)


ACCEPTED_MEDIA_TYPES = (
    "application/json",
    "multipart/form-data",
    "application/x-ndjson",
    "application/jsonl",
    "application/json-seq",
    "text/csv",
    "application/octet-stream",
    "text/plain",
)


class BodyGuardMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
        is_upload = content_type == "multipart/form-data" or scope["path"].endswith("/imports")
        limit = self.max_upload_bytes if is_upload else self.max_body_bytes
        declared = header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, send, 413, "payload_too_large", f"the body exceeds {limit} bytes")
            return
        unsupported = content_type and not (content_type in ACCEPTED_MEDIA_TYPES or content_type.endswith("+json"))
        if unsupported and declared != "0":
            await self._reject(
                scope,
                send,
                415,
                "unsupported_media_type",
                f"content-type {content_type!r} is not accepted; send application/json",
            )
            return

        received = 0
        too_large = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    # FastAPI re-raises HTTPException from body reading, so the problem handler answers 413.
                    raise HTTPException(413, f"the body exceeds {limit} bytes")
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except HTTPException:
            # Raised while an outer layer (e.g. idempotency) was buffering the body.
            if not too_large or started:
                raise
            await self._reject(scope, send, 413, "payload_too_large", f"the body exceeds {limit} bytes")

    @staticmethod
    async def _reject(scope: Scope, send: Send, status: int, code: str, detail: str) -> None:
        from starlette.requests import Request

        response = problem_response(Request(scope), status, code, detail=detail)
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
