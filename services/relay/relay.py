"""The relay loop: publish each hall's new events, then advance its position.

The position advances only after the broker acknowledged every message of the batch
(idempotent producer, ``acks=all``), in the same transaction that locks the relay's
tracking row: a crash re-sends at most one batch, with the same ``ce_id`` values.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import psycopg
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from prometheus_client import Counter
from psycopg_pool import ConnectionPool

from contracts import EVENT_TYPES
from projections.runtime.decoding import decode
from services.relay.cloudevents import to_cloudevent, topic_for
from services.store import EventStore, record_consumer_position

__all__ = ["StreamRelay"]

log = logging.getLogger(__name__)

PUBLISHED = Counter("yanshen_relay_events_total", "Events published to Kafka", ["topic"])
CONSUMER = "relay:kafka"


class StreamRelay:
    """Publishes every hall's events to the platform topics on Kafka."""

    def __init__(
        self,
        pool: ConnectionPool,
        bootstrap_servers: str,
        *,
        partitions: int = 3,
        replication_factor: int = 1,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        producer_factory: Callable[[], KafkaProducer] | None = None,
    ) -> None:
        self.pool = pool
        self.store = EventStore(pool)
        self.bootstrap_servers = bootstrap_servers
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._producer_factory = producer_factory or self._default_producer
        self._producer: KafkaProducer | None = None
        self._stop = threading.Event()

    def _default_producer(self) -> KafkaProducer:
        return KafkaProducer(
            bootstrap_servers=self.bootstrap_servers.split(","),
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            retries=5,
            request_timeout_ms=15000,
        )

    @property
    def producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self._producer_factory()
        return self._producer

    def ensure_topics(self) -> list[str]:
        """Create the platform topics that are missing; returns their names."""
        names = sorted({topic_for(t.name) for t in EVENT_TYPES})
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers.split(","))
        try:
            existing = set(admin.list_topics())
            missing = [n for n in names if n not in existing]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):  # another relay won
                    admin.create_topics(
                        [
                            NewTopic(
                                n,
                                num_partitions=self.partitions,
                                replication_factor=self.replication_factor,
                            )
                            for n in missing
                        ]
                    )
        finally:
            admin.close()
        return names

    def run_once(self) -> int:
        """Publish everything pending for every hall; returns the number of events sent."""
        sent = 0
        for tenant_id, _head in self.store.pending_tenants(CONSUMER):
            while True:
                n = self._publish_batch(tenant_id)
                sent += n
                if n < self.batch_size:
                    break
        return sent

    def _publish_batch(self, tenant_id: str) -> int:
        with self.pool.connection() as conn, conn.transaction():
            position = _lock_position(conn, tenant_id)
            notifications = self.store.recorder(tenant_id).select_notifications(
                start=position + 1, limit=self.batch_size
            )
            futures = []
            for notification in notifications:
                message = to_cloudevent(tenant_id, notification.id, decode(notification))
                futures.append(
                    (
                        message.topic,
                        self.producer.send(
                            message.topic,
                            key=message.key,
                            value=message.body,
                            headers=message.headers,
                        ),
                    )
                )
            self.producer.flush()
            for topic, future in futures:
                future.get(timeout=30)  # raises if the broker did not acknowledge
                PUBLISHED.labels(topic).inc()
            if notifications:
                record_consumer_position(conn, CONSUMER, tenant_id, notifications[-1].id)
            return len(notifications)

    def run_forever(self) -> None:
        """Until :meth:`stop`: publish, then wait for NOTIFY or the poll interval; back off
        while Kafka is unreachable (commands keep succeeding meanwhile)."""
        backoff = self.poll_interval
        topics_ready = False
        listener = psycopg.connect(self.pool.conninfo, autocommit=True)
        try:
            listener.execute("LISTEN yanshen_events")
            while not self._stop.is_set():
                try:
                    if not topics_ready:
                        self.ensure_topics()
                        topics_ready = True
                    self.run_once()
                    backoff = self.poll_interval
                except (KafkaError, OSError) as error:
                    log.warning("Kafka unavailable (%s); retrying in %.1fs", error, backoff)
                    self._reset_producer()
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                except Exception:
                    log.exception("relay batch failed; retrying")
                    time.sleep(self.poll_interval)
                for _ in listener.notifies(timeout=self.poll_interval, stop_after=1):
                    pass
        finally:
            listener.close()
            self._reset_producer()

    def _reset_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=5)
            except Exception:  # closing a broken producer must not stop the relay
                log.debug("closing producer failed", exc_info=True)
            self._producer = None

    def stop(self) -> None:
        self._stop.set()


def _lock_position(conn: psycopg.Connection, tenant_id: str) -> int:
    conn.execute(
        "INSERT INTO consumer_positions (consumer, tenant_id, position) VALUES (%s, %s, 0)"
        " ON CONFLICT DO NOTHING",
        (CONSUMER, tenant_id),
    )
    row = conn.execute(
        "SELECT position FROM consumer_positions WHERE consumer = %s AND tenant_id = %s FOR UPDATE",
        (CONSUMER, tenant_id),
    ).fetchone()
    assert row is not None
    return int(row[0])
