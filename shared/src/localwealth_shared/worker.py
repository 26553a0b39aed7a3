"""The worker process every service runs: its long-running parts (outbox relay, consumers, job runner,
schedulers) as tasks, metrics on `WORKER_METRICS_PORT`, and a graceful stop on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from localwealth_shared.db import Database
from localwealth_shared.events.consumer import ConsumerSpec, EventConsumer
from localwealth_shared.events.outbox import OutboxRelay
from localwealth_shared.observability.logging import configure_logging
from localwealth_shared.platform_tables import PlatformTables
from localwealth_shared.settings import ServiceSettings

logger = logging.getLogger("localwealth.worker")

STOP_TIMEOUT_S = 30.0  # time for each part to finish its current batch after stop()


class Part(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> None: ...


def outbox_relay(db: Database, tables: PlatformTables, settings: ServiceSettings) -> OutboxRelay:
    """The service's outbox relay, tuned by its settings (one active relay per service)."""
    return OutboxRelay(
        db,
        tables,
        service=settings.service_name,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        poll_interval_s=settings.relay_poll_interval_s,
        batch_size=settings.relay_batch_size,
        max_backoff_s=settings.relay_max_backoff_s,
    )


def consumers(
    db: Database, tables: PlatformTables, settings: ServiceSettings, specs: Sequence[ConsumerSpec]
) -> dict[str, Part]:
    """One idempotent consumer per spec, named `consumer-<name>` among the worker's parts."""
    return {
        f"consumer-{spec.name}": EventConsumer(
            db,
            tables,
            spec,
            service=settings.service_name,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            max_attempts=settings.consumer_max_attempts,
            retry_backoff_s=settings.consumer_retry_backoff_s,
        )
        for spec in specs
    }


async def run_parts(service: str, parts: Mapping[str, Part], stop: asyncio.Event) -> None:
    """Run every part until `stop` is set, then stop them and wait for each to finish its current work."""
    tasks = [asyncio.create_task(part.run(), name=name) for name, part in parts.items()]
    logger.info("%s worker started: %s", service, ", ".join(parts))
    await stop.wait()
    for part in parts.values():
        part.stop()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout=STOP_TIMEOUT_S)


def serve_worker(settings: ServiceSettings, run: Callable[[ServiceSettings, asyncio.Event], Awaitable[None]]) -> None:
    """The `localwealth <service> worker` process: logging, metrics endpoint, signals, then `run`."""
    import signal

    configure_logging(f"{settings.service_name}-worker", settings.log_level, json=settings.log_json)
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        from localwealth_shared.observability.metrics import REGISTRY

        start_http_server(settings.worker_metrics_port, addr="0.0.0.0", registry=REGISTRY)  # noqa: S104

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(settings, stop)

    asyncio.run(main())
