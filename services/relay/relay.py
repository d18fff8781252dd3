"""The relay: each hall's new events to Kafka, then its position advances.

The position advances only after the broker acknowledged every message of the batch
(idempotent producer, ``acks=all``), in the transaction that locks the relay's position
row: a crash re-sends at most one batch, with the same ``ce_id`` values. While Kafka is
down, commands keep succeeding; the relay backs off and catches up when it returns.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import Notification
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError
from prometheus_client import Counter

from contracts import EVENT_TYPES
from services.relay.cloudevents import to_cloudevent, topic_for
from services.store import decode
from services.store.consumer import ConsumerLoop, LogConsumer
from services.store.pool import Pool

__all__ = ["KafkaPublisher", "StreamRelay"]

log = logging.getLogger(__name__)

PUBLISHED = Counter("yanshen_relay_events_total", "Events published to Kafka", ["topic"])


class KafkaPublisher(LogConsumer):
    """Publishes every hall's events to the platform topics."""

    consumer = "relay:kafka"

    def __init__(
        self,
        pool: Pool,
        bootstrap_servers: str,
        *,
        partitions: int = 3,
        replication_factor: int = 1,
        producer_factory: Callable[[], KafkaProducer] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool, **kwargs)
        self.bootstrap_servers = bootstrap_servers.split(",")
        self.partitions = partitions
        self.replication_factor = replication_factor
        self._producer_factory = producer_factory or self._default_producer
        self._producer: KafkaProducer | None = None
        self._topics_ready = False
        self._backoff = 0.0
        self._retry_at = 0.0

    def _default_producer(self) -> KafkaProducer:
        return KafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            retries=5,
            request_timeout_ms=15000,
            max_block_ms=15000,
        )

    def ensure_topics(self) -> list[str]:
        """Create the platform topics that are missing; returns all their names."""
        names = sorted({topic_for(t.name) for t in EVENT_TYPES})
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        try:
            missing = [n for n in names if n not in set(admin.list_topics())]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):  # another relay won
                    admin.create_topics(
                        {
                            n: {
                                "num_partitions": self.partitions,
                                "replication_factor": self.replication_factor,
                            }
                            for n in missing
                        },
                        wait_for_metadata=True,
                    )
        finally:
            admin.close()
        self._topics_ready = True
        return names

    def catch_up(self) -> int:
        if time.monotonic() < self._retry_at:
            return 0  # backing off while Kafka is unreachable
        try:
            if not self._topics_ready:
                self.ensure_topics()
            done = super().catch_up()
        except KafkaError as error:
            self._kafka_failed(error)
            return 0
        self._backoff = 0.0
        return done

    def ends_round(self, error: Exception) -> bool:
        # When Kafka fails, the broker, not the hall, is the problem: stop and back off.
        return isinstance(error, KafkaError) or super().ends_round(error)

    def handle(
        self, conn: psycopg.Connection[Any], tenant_id: str, notifications: Sequence[Notification]
    ) -> None:
        producer = self._get_producer()
        futures = []
        for notification in notifications:
            message = to_cloudevent(tenant_id, notification.id, decode(notification))
            futures.append(
                (
                    message.topic,
                    producer.send(
                        message.topic, key=message.key, value=message.body, headers=message.headers
                    ),
                )
            )
        producer.flush(timeout=30)
        for topic, future in futures:
            future.get(timeout=30)  # raises unless the broker acknowledged
            PUBLISHED.labels(topic).inc()

    def _get_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self._producer_factory()
        return self._producer

    def _kafka_failed(self, error: Exception) -> None:
        self._backoff = min(max(self._backoff * 2, 0.5), 30.0)
        self._retry_at = time.monotonic() + self._backoff
        log.warning("Kafka unavailable (%s); retrying in %.1fs", error, self._backoff)
        self._close_producer()

    def _close_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=5)
            except Exception:  # closing a broken producer must not stop the relay
                log.debug("closing the producer failed", exc_info=True)
            self._producer = None

    def close(self) -> None:
        self._close_producer()
        super().close()


class StreamRelay(ConsumerLoop):
    """The ``yanshen relay`` process: one publisher, run until stopped."""

    def __init__(
        self, pool: Pool, bootstrap_servers: str, *, poll_interval: float = 1.0, **kwargs: Any
    ) -> None:
        self.publisher = KafkaPublisher(pool, bootstrap_servers, **kwargs)
        super().__init__(pool, [self.publisher], poll_interval=poll_interval)

    def ensure_topics(self) -> list[str]:
        return self.publisher.ensure_topics()
