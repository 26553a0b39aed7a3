"""Prometheus metrics: HTTP requests by route template, and event pipeline counters."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "localwealth_http_requests_total", "HTTP requests", ["service", "method", "route", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    "localwealth_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "localwealth_events_published_total",
    "Outbox events published to the broker",
    ["service", "topic"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge("localwealth_outbox_pending", "Outbox rows not yet published", ["service"], registry=REGISTRY)
EVENTS_CONSUMED = Counter(
    "localwealth_events_consumed_total",
    "Events handled by consumers",
    ["service", "consumer", "topic", "outcome"],
    registry=REGISTRY,
)
EVENTS_DEAD_LETTERED = Counter(
    "localwealth_events_dead_lettered_total",
    "Events sent to a dead-letter topic",
    ["service", "consumer", "topic"],
    registry=REGISTRY,
)


def render() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
