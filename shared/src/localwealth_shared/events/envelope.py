"""CloudEvents 1.0 in Kafka binary mode (SPEC §3.5).

Attributes travel as `ce_*` headers, the JSON payload is the message value, and the Kafka key is the
aggregate id so every entity's events stay in order on one partition.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from localwealth_shared.clock import utcnow

SPEC_VERSION = "1.0"
TYPE_PREFIX = "org.localwealth."


class EnvelopeError(ValueError):
    """A message that is not a well-formed CloudEvent (it goes straight to the dead-letter topic)."""


def topic_for_type(event_type: str) -> str:
    """`org.localwealth.registry.organisation.updated.v1` → `registry.organisation`."""
    if not event_type.startswith(TYPE_PREFIX):
        raise ValueError(f"event types start with {TYPE_PREFIX!r}: {event_type!r}")
    parts = event_type[len(TYPE_PREFIX) :].split(".")
    if len(parts) != 4 or not parts[3].startswith("v"):
        raise ValueError(f"event types are org.localwealth.<service>.<aggregate>.<verb>.v<N>: {event_type!r}")
    return f"{parts[0]}.{parts[1]}"


@dataclass(frozen=True)
class CloudEvent:
    type: str
    source: str
    data: Mapping[str, Any]
    subject: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=utcnow)
    traceparent: str | None = None
    extensions: Mapping[str, str] = field(default_factory=dict)

    @property
    def topic(self) -> str:
        return topic_for_type(self.type)

    def encoded_data(self) -> bytes:
        return orjson.dumps(self.data)

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_time", self.time.isoformat().replace("+00:00", "Z").encode()),
            ("content-type", b"application/json"),
        ]
        if self.subject is not None:
            headers.append(("ce_subject", self.subject.encode()))
        if self.traceparent:
            headers.append(("traceparent", self.traceparent.encode()))
        headers.extend((f"ce_{k}", v.encode()) for k, v in self.extensions.items())
        return headers

    @classmethod
    def from_kafka(cls, headers: Iterable[tuple[str, bytes]] | None, value: bytes | None) -> CloudEvent:
        attrs: dict[str, str] = {}
        for key, raw in headers or ():
            try:
                attrs[key] = raw.decode() if raw is not None else ""
            except UnicodeDecodeError as exc:
                raise EnvelopeError(f"header {key} is not UTF-8") from exc
        if attrs.get("ce_specversion") != SPEC_VERSION:
            raise EnvelopeError(f"ce_specversion must be {SPEC_VERSION}, got {attrs.get('ce_specversion')!r}")
        missing = [h for h in ("ce_id", "ce_source", "ce_type", "ce_time") if not attrs.get(h)]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
        content_type = attrs.get("content-type", "application/json").split(";")[0].strip()
        if content_type != "application/json":
            raise EnvelopeError(f"unsupported content-type {content_type!r}")
        try:
            data = orjson.loads(value or b"null")
            time = datetime.fromisoformat(attrs["ce_time"].replace("Z", "+00:00"))
        except (orjson.JSONDecodeError, ValueError) as exc:
            raise EnvelopeError(f"unreadable event: {exc}") from exc
        if not isinstance(data, dict):
            raise EnvelopeError("the event payload must be a JSON object")
        known = {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject"}
        extensions = {k[3:]: v for k, v in attrs.items() if k.startswith("ce_") and k not in known}
        return cls(
            type=attrs["ce_type"],
            source=attrs["ce_source"],
            data=data,
            subject=attrs.get("ce_subject"),
            id=attrs["ce_id"],
            time=time,
            traceparent=attrs.get("traceparent"),
            extensions=extensions,
        )
