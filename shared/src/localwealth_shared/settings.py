"""Settings base for every service.

Each service subclasses `ServiceSettings` with its own env prefix (`REGISTRY_`, `GATEWAY_`, ...). Values
shared by the whole platform (broker, internal token secret, admin key, environment) may be given once
as `LOCALWEALTH_*` and are read by every service; a service-prefixed variable wins.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_INTERNAL_TOKEN_SECRET = "dev-internal-token-secret-change-me"  # noqa: S105 - refused outside development
DEV_ADMIN_KEY = "dev-admin-key"


# Fields that may be set once for the whole platform as LOCALWEALTH_<NAME>.
PLATFORM_WIDE_FIELDS = ("env", "kafka_bootstrap_servers", "internal_token_secret", "admin_key", "log_level", "log_json")


class ServiceSettings(BaseSettings):
    """Common settings; subclasses set `model_config = service_config("REGISTRY_")` and `service_name`."""

    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 8000

    env: Literal["development", "test", "production"] = "production"
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    internal_token_secret: SecretStr = SecretStr(DEV_INTERNAL_TOKEN_SECRET)
    admin_key: SecretStr = SecretStr(DEV_ADMIN_KEY)
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 5_000_000
    max_upload_bytes: int = 100_000_000
    # Outbox relay: how often to look for pending rows when idle, and the back-off cap while the broker is down.
    relay_poll_interval_s: float = 0.01
    relay_batch_size: int = 500
    relay_max_backoff_s: float = 5.0
    # Consumers: attempts before a message goes to the dead-letter topic.
    consumer_max_attempts: int = 5
    consumer_retry_backoff_s: float = 0.2
    worker_metrics_port: int | None = None
    idempotency_ttl_hours: int = 48

    @model_validator(mode="before")
    @classmethod
    def _platform_wide_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in PLATFORM_WIDE_FIELDS:
                value = os.environ.get(f"LOCALWEALTH_{name.upper()}")
                if name not in data and value is not None:
                    data[name] = value
        return data

    @model_validator(mode="after")
    def _refuse_dev_secrets_outside_development(self) -> ServiceSettings:
        if self.env == "production":
            # 32 bytes: the HS256 key length RFC 7518 §3.2 asks for; the admin key is a high-entropy bearer secret.
            for name, dev_value, min_length in (
                ("internal_token_secret", DEV_INTERNAL_TOKEN_SECRET, 32),
                ("admin_key", DEV_ADMIN_KEY, 24),
            ):
                value = getattr(self, name).get_secret_value()
                if not value or value == dev_value or len(value) < min_length:
                    raise ValueError(
                        f"{name} must be set to a strong secret (≥ {min_length} characters, not the development "
                        "default) outside development; set LOCALWEALTH_ENV=development for local use"
                    )
        return self

    @property
    def is_development(self) -> bool:
        return self.env in ("development", "test")


def service_config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", populate_by_name=True)
