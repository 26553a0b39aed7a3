"""The request id and W3C trace context of the work in progress (a request or a consumed message).

Carried in contextvars so logs, problem documents and outgoing events pick them up without threading
them through every call.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def current_request_id() -> str | None:
    return _request_id.get()


def current_traceparent() -> str | None:
    return _traceparent.get()


def current_trace_id() -> str | None:
    tp = _traceparent.get()
    match = _TRACEPARENT.match(tp) if tp else None
    return match.group(1) if match else None


def new_traceparent(trace_id: str | None = None) -> str:
    return f"00-{trace_id or secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None) -> str:
    """A new span in the parent's trace, or a new trace when the parent is missing or malformed."""
    match = _TRACEPARENT.match(parent.strip().lower()) if parent else None
    return new_traceparent(match.group(1) if match else None)


def bind(request_id: str | None, traceparent: str | None) -> tuple[object, object]:
    return _request_id.set(request_id), _traceparent.set(traceparent)


def unbind(tokens: tuple[object, object]) -> None:
    _request_id.reset(tokens[0])  # type: ignore[arg-type]
    _traceparent.reset(tokens[1])  # type: ignore[arg-type]
