"""Settings of every Yanshen process, read once from environment variables.

Documented in ``docs/configuration.md``. Nothing here connects to anything.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from services.shared.environment import (
    ConfigurationError,
    read_flag,
    read_float,
    read_int,
)

__all__ = [
    "DEV_JWT_SECRET",
    "ConfigurationError",
    "Settings",
    "insecure_jwks_url",
    "masked_url",
]

DEV_JWT_SECRET = "yanshen-local-development-secret-not-for-production"
"""The HS256 key used when ``YANSHEN_JWT_SECRET`` is not set (local development only:
``yanshen serve`` refuses to start with it unless ``YANSHEN_ALLOW_DEV_KEY`` is set)."""

_PASSWORD_KEYWORD = re.compile(r"(?i)(\b\w*password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)")
_PASSWORD_PARAMETER = re.compile(r"(?i)((?:^|&)\w*password=)[^&#]*")


def masked_url(url: str) -> str:
    """``url`` (a PostgreSQL URL or ``key=value`` string) with every password shown as ``***``,
    for logs and messages.

    >>> masked_url("postgresql://yanshen:s3cret@db:5432/yanshen?sslmode=require")
    'postgresql://yanshen:***@db:5432/yanshen?sslmode=require'
    >>> masked_url("host=db user=yanshen password='a b' dbname=yanshen")
    'host=db user=yanshen password=*** dbname=yanshen'
    >>> masked_url("postgresql://yanshen:s3c#r?t@db/yanshen?password=x&sslmode=require")
    'postgresql://yanshen:***@db/yanshen?password=***&sslmode=require'
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return _PASSWORD_KEYWORD.sub(r"\1***", url)
    # The user info ends at an "@" before the first "/" (libpq takes the first; the last is
    # masked, so that nothing of a password with "@" shows either); a password may hold "?"
    # or "#". The query starts at the first "?" after the user info.
    slash = rest.find("/")
    at = (rest if slash < 0 else rest[:slash]).rfind("@")
    userinfo, after = (rest[:at], rest[at + 1 :]) if at >= 0 else ("", rest)
    if ":" in userinfo:
        userinfo = f"{userinfo.partition(':')[0]}:***"
    location, question, query = after.partition("?")
    query = _PASSWORD_PARAMETER.sub(r"\1***", query)
    return f"{scheme}://{userinfo}{'@' if at >= 0 else ''}{location}{question}{query}"


def _database_url(env: Mapping[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if url:
        import psycopg

        try:
            psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            # libpq's reason may quote part of the string, password included: not shown.
            raise ConfigurationError(
                "DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host:port/"
                "database) or a key=value connection string"
            ) from None
    return url


def insecure_jwks_url(url: str) -> bool:
    """Whether ``url`` is a plain ``http://`` URL of a host other than this machine: a JWKS
    read from it can be replaced on the way, and its keys would then sign any token.

    >>> insecure_jwks_url("http://idp.example/jwks.json"), insecure_jwks_url("http://[::1]/j")
    (True, False)
    >>> insecure_jwks_url("https://idp.example/jwks.json"), insecure_jwks_url("jwks.json")
    (False, False)
    """
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    try:
        host = parts.hostname or ""
    except ValueError:  # a malformed host: not known to be this machine
        return True
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: it may resolve anywhere
        return True


def _jwks(value: str) -> str:
    if insecure_jwks_url(value):
        # The URL is not repeated: it may carry credentials.
        raise ConfigurationError(
            "YANSHEN_JWT_JWKS must be a file path or an https:// URL (http:// only on "
            "loopback: localhost, 127.0.0.1, ::1), not a plain http:// URL of another host"
        )
    return value


MIN_SECRET_BYTES = 32
"""An HS256 secret shorter than the hash (RFC 7518 §3.2) can be guessed offline from one
captured token, and then signs any token, an operator's included."""


def _secret(variable: str, secret: str) -> str:
    if secret and len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        # The value is secret: not repeated in the message.
        raise ConfigurationError(
            f"{variable} must be at least {MIN_SECRET_BYTES} bytes (a random secret, e.g. "
            "`openssl rand -base64 48`): a shorter one can be guessed from a token"
        )
    return secret


def _keys(value: str) -> tuple[tuple[str, str], ...]:
    """``"kid1:secret1,kid2:secret2"`` → ``(("kid1", "secret1"), ("kid2", "secret2"))``;
    each secret at least :data:`MIN_SECRET_BYTES`.

    >>> _keys("2025-01:" + "a" * 32 + ", 2025-07:" + "d=e" * 11)[1][0]
    '2025-07'
    """
    keys: list[tuple[str, str]] = []
    for entry in filter(None, (e.strip() for e in value.split(","))):
        kid, _, secret = entry.partition(":")
        if not kid.strip() or not secret.strip():
            # The value is secret: not repeated in the message.
            raise ConfigurationError(
                "YANSHEN_JWT_KEYS must be kid:secret pairs separated by commas "
                "(an entry lacks its kid or its secret)"
            )
        keys.append((kid.strip(), _secret("YANSHEN_JWT_KEYS", secret.strip())))
    return tuple(keys)


def _signing_kid(env: Mapping[str, str], keys: tuple[tuple[str, str], ...]) -> str:
    kid = env.get("YANSHEN_JWT_SIGNING_KID", "").strip()
    kids = [k for k, _ in keys]
    if kid and kids and kid not in kids:
        raise ConfigurationError(
            f"YANSHEN_JWT_SIGNING_KID must be a kid of YANSHEN_JWT_KEYS ({', '.join(kids)}), "
            f"not {kid!r}"
        )
    return kid


@dataclass(frozen=True)
class Settings:
    """Process settings.

    >>> Settings(database_url="postgresql:///x").uses_embedded_postgres
    False
    """

    database_url: str = field(default="", repr=False)
    """PostgreSQL URL; empty means: start the embedded PostgreSQL under ``data_dir``. Shown by
    ``repr`` without its password."""
    kafka_bootstrap_servers: str = ""
    """Comma-separated Kafka brokers; empty means: no stream relay."""
    data_dir: Path = field(default_factory=lambda: Path(".data"))
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str = field(default="", repr=False)
    """HS256 key for tokens; empty means the development key (and ``dev-token`` works)."""
    jwt_issuer: str = "yanshen"
    jwt_audience: str = "yanshen-api"
    log_json: bool = False
    jwt_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)
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
    """Requests a caller may send at once before the per-minute rate applies."""
    rate_limit_anonymous_per_minute: int = 0
    """Requests per minute per client address without a token; 0 (default) turns it off:
    behind a proxy every anonymous caller shares its address (see docs/gateway.md)."""
    idempotency_ttl_seconds: int = 86_400
    """How long a mutation's ``Idempotency-Key`` and its first response are kept."""
    ws_max_subscriptions: int = 20
    """Operations one WebSocket connection may run at once."""
    max_subscriptions: int = 1000
    """Subscriptions one gateway process runs at once (over all its connections)."""
    max_anonymous_subscriptions: int = 200
    """Of :attr:`max_subscriptions`, those without a token (public screens); unset, 200 or
    :attr:`max_subscriptions` when that is lower."""
    metrics_token: str = field(default="", repr=False)
    """When set, the gateway's ``/metrics`` answers only ``Authorization: Bearer <token>``
    (its lag gauges name every hall and show its activity); empty: anyone who reaches it."""
    schedule_interval: float = 60.0
    """Seconds between the deadline scheduler's rounds in ``yanshen run``."""
    allow_dev_key: bool = False
    """Let ``yanshen serve`` start with the development key (no real key configured);
    ``yanshen run``, the local demo, always may."""

    def __repr__(self) -> str:
        """Every setting but the secrets (``jwt_secret``, ``jwt_keys``: only their key ids);
        the database URL without its password. Settings end up in logs and tracebacks."""
        shown = [f"database_url={masked_url(self.database_url)!r}"]
        shown += [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr]
        shown.append(f"jwt_secret={'***' if self.jwt_secret else ''!r}")
        shown.append(f"metrics_token={'***' if self.metrics_token else ''!r}")
        shown.append(f"jwt_key_ids={tuple(kid for kid, _ in self.jwt_keys)!r}")
        return f"Settings({', '.join(shown)})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment; a value that cannot be used raises
        :class:`ConfigurationError` naming the variable and what it accepts."""
        e = os.environ if env is None else env

        def text(name: str, default: str = "") -> str:
            return e.get(name, default).strip()

        def count(name: str, default: int, minimum: int = 1) -> int:
            return read_int(e, name, default, minimum=minimum)

        keys = _keys(text("YANSHEN_JWT_KEYS"))
        max_subscriptions = count("YANSHEN_MAX_SUBSCRIPTIONS", 1000)
        max_page_size = count("YANSHEN_MAX_PAGE_SIZE", 100)  # an unset default follows it
        settings = cls(
            database_url=_database_url(e),
            kafka_bootstrap_servers=text("KAFKA_BOOTSTRAP_SERVERS"),
            data_dir=Path(text("YANSHEN_DATA_DIR", ".data")),
            host=text("YANSHEN_HOST", "127.0.0.1"),
            port=read_int(e, "YANSHEN_PORT", 8000, minimum=1, maximum=65535),
            jwt_secret=_secret("YANSHEN_JWT_SECRET", text("YANSHEN_JWT_SECRET")),
            jwt_issuer=text("YANSHEN_JWT_ISSUER", "yanshen"),
            jwt_audience=text("YANSHEN_JWT_AUDIENCE", "yanshen-api"),
            log_json=read_flag(e, "YANSHEN_LOG_JSON", default=False),
            jwt_keys=keys,
            jwt_signing_kid=_signing_kid(e, keys),
            jwt_jwks=_jwks(text("YANSHEN_JWT_JWKS")),
            metrics_token=_secret("YANSHEN_METRICS_TOKEN", text("YANSHEN_METRICS_TOKEN")),
            jwt_jwks_refresh_seconds=read_float(e, "YANSHEN_JWT_JWKS_REFRESH_SECONDS", 300.0),
            jwt_leeway_seconds=count("YANSHEN_JWT_LEEWAY_SECONDS", 5, minimum=0),
            graphiql=read_flag(e, "YANSHEN_GRAPHIQL", default=True),
            introspection=read_flag(e, "YANSHEN_INTROSPECTION", default=True),
            max_query_depth=count("YANSHEN_MAX_QUERY_DEPTH", 10),
            max_query_tokens=count("YANSHEN_MAX_QUERY_TOKENS", 2000),
            max_aliases=count("YANSHEN_MAX_ALIASES", 30, minimum=0),
            max_body_bytes=count("YANSHEN_MAX_BODY_BYTES", 1_000_000),
            max_page_size=max_page_size,
            default_page_size=count("YANSHEN_DEFAULT_PAGE_SIZE", min(20, max_page_size)),
            rate_limit_per_minute=count("YANSHEN_RATE_LIMIT_PER_MINUTE", 1200, minimum=0),
            rate_limit_burst=count("YANSHEN_RATE_LIMIT_BURST", 120),
            rate_limit_anonymous_per_minute=count(
                "YANSHEN_RATE_LIMIT_ANONYMOUS_PER_MINUTE", 0, minimum=0
            ),
            idempotency_ttl_seconds=count("YANSHEN_IDEMPOTENCY_TTL_SECONDS", 86_400),
            ws_max_subscriptions=count("YANSHEN_WS_MAX_SUBSCRIPTIONS", 20),
            max_subscriptions=max_subscriptions,
            # Unset, it follows a lower total: only a value the operator gave is refused.
            max_anonymous_subscriptions=count(
                "YANSHEN_MAX_ANONYMOUS_SUBSCRIPTIONS", min(200, max_subscriptions)
            ),
            schedule_interval=read_float(e, "YANSHEN_SCHEDULE_INTERVAL", 60.0),
            allow_dev_key=read_flag(e, "YANSHEN_ALLOW_DEV_KEY", default=False),
        )
        if settings.default_page_size > settings.max_page_size:
            raise ConfigurationError(
                f"YANSHEN_DEFAULT_PAGE_SIZE must be at most YANSHEN_MAX_PAGE_SIZE "
                f"({settings.max_page_size}), not {settings.default_page_size}"
            )
        if settings.max_anonymous_subscriptions > settings.max_subscriptions:
            raise ConfigurationError(
                f"YANSHEN_MAX_ANONYMOUS_SUBSCRIPTIONS must be at most YANSHEN_MAX_SUBSCRIPTIONS "
                f"({settings.max_subscriptions}), not {settings.max_anonymous_subscriptions}"
            )
        return settings

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
