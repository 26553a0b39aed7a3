"""Gateway settings (env prefix `GATEWAY_`; platform-wide values may come as `LOCALWEALTH_*`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from localwealth_shared.settings import ServiceSettings, service_config

SERVICE_ROOT = Path(__file__).resolve().parents[2]  # services/gateway: alembic.ini and migrations/

# The domain services the gateway fronts, in the order they appear in merged documents and readiness.
SERVICES = ("registry", "procurement", "land", "impact")


class GatewaySettings(ServiceSettings):
    model_config = service_config("GATEWAY_")
    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8000

    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    # Base URLs of the services (e.g. http://127.0.0.1:8001); None = not deployed (routes answer 503).
    registry_url: str | None = None
    procurement_url: str | None = None
    land_url: str | None = None
    impact_url: str | None = None
    # A proxied request waits this long for its service; a composite part only composite_timeout_s.
    upstream_timeout_s: float = 10.0
    composite_timeout_s: float = 2.0
    # Connection pool per service: enough keep-alive connections for the gateway's own concurrency.
    upstream_max_connections: int = 200
    upstream_max_keepalive: int = 100
    # Services' OpenAPI documents are fetched on demand and reused for this long.
    openapi_cache_ttl_s: float = 30.0

    def service_urls(self) -> dict[str, str | None]:
        return {name: getattr(self, f"{name}_url") for name in SERVICES}


def get_settings() -> GatewaySettings:
    return GatewaySettings()
