"""Settings of the stream relay and of its Kafka clients, read from the environment.

Documented in ``docs/configuration.md`` (section "Kafka"). Nothing here connects.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from services.shared.environment import ConfigurationError, read_choice, read_float, read_int

__all__ = ["RelayConfig"]

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
"""The mechanisms a user name and password configure (the only credentials read here)."""


def _get(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, default).strip()


@dataclass(frozen=True)
class RelayConfig:
    """How the relay talks to Kafka and shares the halls with other relay processes.

    >>> RelayConfig.from_env({"YANSHEN_KAFKA_PARTITIONS": "6"}).partitions
    6
    """

    bootstrap_servers: str = ""
    """Comma-separated brokers (``KAFKA_BOOTSTRAP_SERVERS``)."""
    partitions: int = 3
    """Partitions of every topic the relay creates."""
    replication_factor: int = 1
    """Replicas of every topic the relay creates (3 in production)."""
    min_insync_replicas: int | None = None
    """``min.insync.replicas`` of created topics (2 in production, with ``acks=all``)."""
    retention_ms: int = 7 * 24 * 3600 * 1000
    """``retention.ms`` of created topics: how long Kafka keeps a message, and so how long
    personal data of an erased subject can stay on the platform topics (unredacted) and on
    partner topics (``-1``: forever, which breaks that promise; partners that fall behind
    use ``replay`` or a backfill from the log)."""
    linger_ms: int = 5
    connect_timeout_ms: int = 10000
    """How long a new client waits for a first broker before the relay backs off."""
    send_timeout_ms: int = 15000
    """How long a batch may wait for metadata and acknowledgements before the relay backs
    off (and later re-sends it)."""
    batch_size: int = 500
    """Events per transaction: sent, acknowledged, then the position advances."""
    lease_ttl: float = 10.0
    poll_interval: float = 1.0
    worker_id: str | None = None
    """Stable id of this relay process: a restart takes its halls back at once."""
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RelayConfig:
        """The relay's settings; a value that cannot be used raises
        :class:`~services.shared.environment.ConfigurationError` naming the variable."""
        e = os.environ if env is None else env

        def count(name: str, default: int, minimum: int = 1) -> int:
            return read_int(e, name, default, minimum=minimum)

        retention_ms = read_int(e, "YANSHEN_KAFKA_RETENTION_MS", cls.retention_ms, minimum=-1)
        if retention_ms == 0:
            raise ConfigurationError(
                "YANSHEN_KAFKA_RETENTION_MS must be a whole number of at least 1, or -1 "
                "(forever), not '0'"
            )
        return cls(
            bootstrap_servers=_get(e, "KAFKA_BOOTSTRAP_SERVERS"),
            partitions=count("YANSHEN_KAFKA_PARTITIONS", 3),
            replication_factor=count("YANSHEN_KAFKA_REPLICATION_FACTOR", 1),
            min_insync_replicas=read_int(e, "YANSHEN_KAFKA_MIN_INSYNC_REPLICAS", None, minimum=1),
            retention_ms=retention_ms,
            linger_ms=count("YANSHEN_KAFKA_LINGER_MS", 5, minimum=0),
            connect_timeout_ms=count("YANSHEN_KAFKA_CONNECT_TIMEOUT_MS", 10000),
            send_timeout_ms=count("YANSHEN_KAFKA_SEND_TIMEOUT_MS", 15000),
            batch_size=count("YANSHEN_RELAY_BATCH_SIZE", 500),
            lease_ttl=read_float(e, "YANSHEN_RELAY_LEASE_TTL", 10.0),
            poll_interval=read_float(e, "YANSHEN_RELAY_POLL_INTERVAL", 1.0),
            worker_id=_get(e, "YANSHEN_RELAY_WORKER_ID") or None,
            security_protocol=read_choice(
                e, "YANSHEN_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", SECURITY_PROTOCOLS
            ),
            sasl_mechanism=read_choice(e, "YANSHEN_KAFKA_SASL_MECHANISM", "", SASL_MECHANISMS)
            or None,
            sasl_username=_get(e, "YANSHEN_KAFKA_SASL_USERNAME") or None,
            sasl_password=_get(e, "YANSHEN_KAFKA_SASL_PASSWORD") or None,
            ssl_cafile=_get(e, "YANSHEN_KAFKA_SSL_CAFILE") or None,
        )

    def with_servers(self, bootstrap_servers: str) -> RelayConfig:
        return replace(self, bootstrap_servers=bootstrap_servers)

    def client_options(self) -> dict[str, Any]:
        """Connection options shared by the producer and the admin client."""
        options: dict[str, Any] = {
            "bootstrap_servers": [s.strip() for s in self.bootstrap_servers.split(",") if s],
            "security_protocol": self.security_protocol,
            "bootstrap_timeout_ms": self.connect_timeout_ms,
        }
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.sasl_password
        if self.ssl_cafile:
            options["ssl_cafile"] = self.ssl_cafile
        return options

    def producer_options(self) -> dict[str, Any]:
        """The producer: idempotent, ``acks=all``, so nothing acknowledged is lost or doubled
        by the producer's own retries."""
        return {
            **self.client_options(),
            "acks": "all",
            "enable_idempotence": True,
            "linger_ms": self.linger_ms,
            "retries": 5,
            "request_timeout_ms": self.send_timeout_ms,
            "max_block_ms": self.send_timeout_ms,
            # The producer gives a record up when the relay does (it resends it later): a
            # producer closed after a failed send can then finish its close instead of
            # retrying in a thread of its own for two minutes.
            "delivery_timeout_ms": self.delivery_timeout_ms,
        }

    @property
    def delivery_timeout_ms(self) -> int:
        """How long the producer keeps a record before giving it up: as long as the relay."""
        return self.linger_ms + self.send_timeout_ms

    def topic_options(self) -> dict[str, Any]:
        """``create_topics`` options of every topic the relay creates."""
        configs = {"retention.ms": str(self.retention_ms)}
        if self.min_insync_replicas is not None:
            configs["min.insync.replicas"] = str(self.min_insync_replicas)
        return {
            "num_partitions": self.partitions,
            "replication_factor": self.replication_factor,
            "configs": configs,
        }
