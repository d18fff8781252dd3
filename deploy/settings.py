"""Settings of every Yanshen process, read once from environment variables.

Documented in ``docs/configuration.md``. Nothing here connects to anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEV_JWT_SECRET", "Settings"]

DEV_JWT_SECRET = "yanshen-local-development-secret-not-for-production"
"""The HS256 key used when ``YANSHEN_JWT_SECRET`` is not set (local development only:
``yanshen serve`` refuses to start with it unless ``YANSHEN_ALLOW_DEV_KEY`` is set)."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _flag(name: str, *, default: bool) -> bool:
    value = _env(name).lower()
    return default if not value else value in {"1", "true", "yes", "on"}


def _keys(value: str) -> tuple[tuple[str, str], ...]:
    """``"kid1:secret1,kid2:secret2"`` → ``(("kid1", "secret1"), ("kid2", "secret2"))``.

    >>> _keys("2025-01:abc, 2025-07:d=e")
    (('2025-01', 'abc'), ('2025-07', 'd=e'))
    """
    keys: list[tuple[str, str]] = []
    for entry in filter(None, (e.strip() for e in value.split(","))):
        kid, _, secret = entry.partition(":")
        if not kid.strip() or not secret.strip():
            raise ValueError("YANSHEN_JWT_KEYS is 'kid:secret' pairs separated by commas")
        keys.append((kid.strip(), secret.strip()))
    return tuple(keys)


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
    jwt_keys: tuple[tuple[str, str], ...] = ()
    """HS256 keys by key id (``kid``) for local use and rotation: ``((kid, secret), …)``."""
    jwt_signing_kid: str = ""
    """The ``kid`` of :attr:`jwt_keys` that ``issue_token`` signs with; empty: the first."""
    jwt_jwks: str = ""
    """A JWKS (file path or http(s) URL) with the RS256/ES256 keys of the identity provider."""
    jwt_jwks_refresh_seconds: float = 300.0
    """How long a fetched JWKS is trusted before it is fetched again."""
    jwt_leeway_seconds: int = 5
    """Clock skew tolerated on ``exp``/``nbf``/``iat``."""
    graphiql: bool = True
    """Serve GraphiQL at ``GET /graphql`` (turn off in production)."""
    introspection: bool = True
    """Answer introspection queries (turn off in production)."""
    max_query_depth: int = 10
    max_query_tokens: int = 2000
    max_aliases: int = 30
    max_body_bytes: int = 1_000_000
    """Larger request bodies are refused with HTTP 413."""
    max_page_size: int = 100
    """The largest ``first`` a connection (cursor pagination) accepts."""
    default_page_size: int = 20
    rate_limit_per_minute: int = 1200
    """Requests per minute per token subject (and hall); 0 turns it off."""
    rate_limit_burst: int = 120
    rate_limit_anonymous_per_minute: int = 0
    """Requests per minute per client address without a token; 0 (default) turns it off:
    behind a proxy every anonymous caller shares its address (see docs/gateway.md)."""
    """Requests a caller may send at once before the per-minute rate applies."""
    idempotency_ttl_seconds: int = 86_400
    """How long a mutation's ``Idempotency-Key`` and its first response are kept."""
    ws_max_subscriptions: int = 20
    """Operations one WebSocket connection may run at once."""
    allow_dev_key: bool = False
    """Let ``yanshen serve`` start with the development key (no real key configured);
    ``yanshen run``, the local demo, always may."""

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
            log_json=_flag("YANSHEN_LOG_JSON", default=False),
            jwt_keys=_keys(_env("YANSHEN_JWT_KEYS")),
            jwt_signing_kid=_env("YANSHEN_JWT_SIGNING_KID"),
            jwt_jwks=_env("YANSHEN_JWT_JWKS"),
            jwt_jwks_refresh_seconds=float(_env("YANSHEN_JWT_JWKS_REFRESH_SECONDS", "300")),
            jwt_leeway_seconds=int(_env("YANSHEN_JWT_LEEWAY_SECONDS", "5")),
            graphiql=_flag("YANSHEN_GRAPHIQL", default=True),
            introspection=_flag("YANSHEN_INTROSPECTION", default=True),
            max_query_depth=int(_env("YANSHEN_MAX_QUERY_DEPTH", "10")),
            max_query_tokens=int(_env("YANSHEN_MAX_QUERY_TOKENS", "2000")),
            max_aliases=int(_env("YANSHEN_MAX_ALIASES", "30")),
            max_body_bytes=int(_env("YANSHEN_MAX_BODY_BYTES", "1000000")),
            max_page_size=int(_env("YANSHEN_MAX_PAGE_SIZE", "100")),
            default_page_size=int(_env("YANSHEN_DEFAULT_PAGE_SIZE", "20")),
            rate_limit_per_minute=int(_env("YANSHEN_RATE_LIMIT_PER_MINUTE", "1200")),
            rate_limit_burst=int(_env("YANSHEN_RATE_LIMIT_BURST", "120")),
            rate_limit_anonymous_per_minute=int(
                _env("YANSHEN_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "0")
            ),
            idempotency_ttl_seconds=int(_env("YANSHEN_IDEMPOTENCY_TTL_SECONDS", "86400")),
            ws_max_subscriptions=int(_env("YANSHEN_WS_MAX_SUBSCRIPTIONS", "20")),
            allow_dev_key=_flag("YANSHEN_ALLOW_DEV_KEY", default=False),
        )

    @property
    def uses_embedded_postgres(self) -> bool:
        return not self.database_url

    @property
    def uses_production_key(self) -> bool:
        """True when a real key is configured (a secret, ``kid`` keys or a JWKS): the
        development key is then refused, and so is ``dev-token``."""
        return (bool(self.jwt_secret) and self.jwt_secret != DEV_JWT_SECRET) or bool(
            self.jwt_keys or self.jwt_jwks
        )

    @property
    def dev_key_refusal(self) -> str | None:
        """Why ``yanshen serve`` must not start with these settings, or ``None``: without a
        real key it would accept tokens signed with the development key, which is public.

        >>> Settings(jwt_secret="real").dev_key_refusal is None
        True
        >>> Settings(allow_dev_key=True).dev_key_refusal is None
        True
        >>> print(Settings().dev_key_refusal)  # doctest: +ELLIPSIS
        no token key is configured: ...
        """
        if self.uses_production_key or self.allow_dev_key:
            return None
        return (
            "no token key is configured: set YANSHEN_JWT_JWKS, YANSHEN_JWT_KEYS or "
            "YANSHEN_JWT_SECRET (not the development key, which is public in the source). "
            "For local use only: YANSHEN_ALLOW_DEV_KEY=1, or `yanshen run`."
        )

    @property
    def effective_jwt_secret(self) -> str:
        """The HS256 key of tokens without ``kid``: the secret, else the development key
        when no other key is configured, else none (empty)."""
        if self.jwt_secret:
            return self.jwt_secret
        return "" if self.uses_production_key else DEV_JWT_SECRET
