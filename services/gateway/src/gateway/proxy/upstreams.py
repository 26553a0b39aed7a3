"""One pooled HTTP client per configured service, shared by the proxy, composites, readiness and OpenAPI."""

from __future__ import annotations

import httpx

from gateway.config import GatewaySettings


class Upstreams:
    def __init__(
        self, urls: dict[str, str | None], *, timeout_s: float, max_connections: int, max_keepalive: int
    ) -> None:
        self.urls = dict(urls)
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_keepalive, keepalive_expiry=30.0
        )
        # trust_env=False: proxy variables in the environment must not reroute service-to-service traffic.
        timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0))
        self._clients = {
            name: httpx.AsyncClient(
                base_url=url.rstrip("/"), timeout=timeout, limits=limits, follow_redirects=False, trust_env=False
            )
            for name, url in urls.items()
            if url
        }

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> Upstreams:
        return cls(
            settings.service_urls(),
            timeout_s=settings.upstream_timeout_s,
            max_connections=settings.upstream_max_connections,
            max_keepalive=settings.upstream_max_keepalive,
        )

    def client(self, service: str) -> httpx.AsyncClient | None:
        """The service's client, or None when the service is not deployed (no URL configured)."""
        return self._clients.get(service)

    @property
    def configured(self) -> list[str]:
        return list(self._clients)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
