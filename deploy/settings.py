"""Settings of every Yanshen process, read once from environment variables.

Documented in ``docs/configuration.md``. Nothing here connects to anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEV_JWT_SECRET", "Settings"]

DEV_JWT_SECRET = "yanshen-local-development-secret-not-for-production"
"""The HS256 key used when ``YANSHEN_JWT_SECRET`` is not set (local development only)."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


@dataclass(frozen=True)
class Settings:
    """Process settings.

    >>> Settings(database_url="postgresql:///x").uses_embedded_postgres
    False
    """

    database_url: str = ""
    """PostgreSQL URL; empty means: start the embedded PostgreSQL under ``data_dir``."""
    kafka_bootstrap_servers: str = ""
    """Comma-separated Kafka brokers; empty means: no stream relay."""
    data_dir: Path = field(default_factory=lambda: Path(".data"))
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str = ""
    """HS256 key for tokens; empty means the development key (and ``dev-token`` works)."""
    jwt_issuer: str = "yanshen"
    jwt_audience: str = "yanshen-api"
    log_json: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=_env("DATABASE_URL"),
            kafka_bootstrap_servers=_env("KAFKA_BOOTSTRAP_SERVERS"),
            data_dir=Path(_env("YANSHEN_DATA_DIR", ".data")),
            host=_env("YANSHEN_HOST", "127.0.0.1"),
            port=int(_env("YANSHEN_PORT", "8000")),
            jwt_secret=_env("YANSHEN_JWT_SECRET"),
            jwt_issuer=_env("YANSHEN_JWT_ISSUER", "yanshen"),
            jwt_audience=_env("YANSHEN_JWT_AUDIENCE", "yanshen-api"),
            log_json=_env("YANSHEN_LOG_JSON", "").lower() in {"1", "true", "yes"},
        )

    @property
    def uses_embedded_postgres(self) -> bool:
        return not self.database_url

    @property
    def uses_production_key(self) -> bool:
        """True when a real signing key is configured: ``dev-token`` then refuses."""
        return bool(self.jwt_secret) and self.jwt_secret != DEV_JWT_SECRET

    @property
    def effective_jwt_secret(self) -> str:
        return self.jwt_secret or DEV_JWT_SECRET
