"""The worker process every service runs: its long-running parts (outbox relay, consumers, job runner,
schedulers) as tasks, metrics on `WORKER_METRICS_PORT`, and a graceful stop on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from localwealth_shared.observability.logging import configure_logging
from localwealth_shared.settings import ServiceSettings

logger = logging.getLogger("localwealth.worker")

STOP_TIMEOUT_S = 30.0  # time for each part to finish its current batch after stop()


class Part(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> None: ...


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
