"""The relay process: every hall's log to the platform topics and to the partners' topics.

A batch's position advances only after the broker acknowledged every message of the batch
(idempotent producer, ``acks=all``), in the transaction that locks the position row: a
crash re-sends at most one batch, with the same ``ce_id`` values. A message Kafka refuses
for good holds only its hall (:mod:`services.relay.rejections`). While Kafka is down,
commands keep succeeding; the relay backs off and catches up when it returns. Several relay
processes share the halls through the consumers' leases.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import Notification
from prometheus_client import Counter

from services.relay.config import RelayConfig
from services.relay.kafka_sink import KafkaSink
from services.relay.messages import platform_message
from services.relay.partners import PartnerFanout
from services.relay.rejections import Rejections
from services.relay.sink import MessageRejectedError, MessageSink, SinkUnavailableError
from services.relay.topics import platform_topics
from services.store.backoff import Backoff
from services.store.consumer import ConsumerLoop, LogConsumer
from services.store.pool import Pool

__all__ = ["PlatformPublisher", "StreamRelay"]

log = logging.getLogger(__name__)

PUBLISHED = Counter("yanshen_relay_events_total", "Events published to Kafka", ["topic"])


class PlatformPublisher(LogConsumer):
    """Publishes every hall's events to the platform topics (one per bounded context)."""

    consumer = "relay:kafka"

    def __init__(self, pool: Pool, sink: MessageSink, **kwargs: Any) -> None:
        super().__init__(pool, **kwargs)
        self.sink = sink
        self.rejections = Rejections(self.consumer)

    def _catch_up_hall(self, tenant_id: str, head: int) -> int:
        if not self.rejections.ready(tenant_id):
            return 0  # held at a message Kafka refuses: tried again after its backoff
        return super()._catch_up_hall(tenant_id, head)

    def handle(
        self, conn: psycopg.Connection[Any], tenant_id: str, notifications: Sequence[Notification]
    ) -> None:
        messages = [platform_message(tenant_id, n) for n in notifications]
        try:
            self.sink.publish(messages)
        except MessageRejectedError as error:
            self.rejections.failed(tenant_id, error)  # the batch rolls back; other halls go on
            raise
        self.rejections.succeeded(tenant_id)
        for message in messages:
            PUBLISHED.labels(message.topic).inc()

    def ends_round(self, error: Exception) -> bool:
        # When Kafka fails, the broker, not the hall, is the problem: stop and back off.
        return isinstance(error, SinkUnavailableError) or super().ends_round(error)


class StreamRelay(ConsumerLoop):
    """The ``yanshen relay`` process: the platform publisher and every partner's consumer."""

    def __init__(
        self,
        pool: Pool,
        bootstrap_servers: str | None = None,
        *,
        config: RelayConfig | None = None,
        sink: MessageSink | None = None,
        poll_interval: float | None = None,
        batch_size: int | None = None,
        lease_ttl: float | None = None,
        worker_id: str | None = None,
    ) -> None:
        config = config or RelayConfig.from_env()
        if bootstrap_servers:
            config = config.with_servers(bootstrap_servers)
        self.config = config
        self.sink = sink or KafkaSink(config)
        self.backoff = Backoff()
        options: dict[str, Any] = {
            "batch_size": batch_size or config.batch_size,
            "lease_ttl": lease_ttl or config.lease_ttl,
            "worker_id": worker_id or config.worker_id,
        }
        self.publisher = PlatformPublisher(pool, self.sink, **options)
        self.partners = PartnerFanout(pool, self.sink, **options)
        self._topics_ready = False
        super().__init__(
            pool, [self.publisher], poll_interval=poll_interval or config.poll_interval
        )

    def ensure_topics(self) -> list[str]:
        """Create the platform topics that are missing; returns all their names."""
        names = platform_topics()
        self.sink.ensure_topics(names)
        self._topics_ready = True
        return names

    def run_once(self) -> int:
        """One round over every hall, unless backing off from a broker failure."""
        if not self.backoff.ready():
            return 0
        try:
            if not self._topics_ready:
                self.ensure_topics()
            done = self.publisher.catch_up() + self.partners.catch_up()
        except SinkUnavailableError as error:
            self._topics_ready = False  # a platform topic deleted? created at the next round
            delay = self.backoff.failed()
            log.warning("Kafka unavailable (%s); retrying in %.1fs", error, delay)
            return 0
        self.backoff.succeeded()
        return done

    def close(self) -> None:
        super().close()
        self.partners.close()
        self.sink.close()
