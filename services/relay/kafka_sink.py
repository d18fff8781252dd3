"""The Kafka :class:`MessageSink`: kafka-python's idempotent producer with ``acks=all``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError

from services.relay.cloudevents import CloudEvent
from services.relay.config import RelayConfig
from services.relay.sink import MessageSink, SinkUnavailableError

__all__ = ["KafkaSink"]

log = logging.getLogger(__name__)


class KafkaSink(MessageSink):
    """One producer per process (thread-safe), created on first use and replaced after a
    failure, so a broker that comes back is reconnected to from scratch."""

    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self._producer: KafkaProducer | None = None
        self._known_topics: set[str] = set()

    def publish(self, messages: Sequence[CloudEvent]) -> None:
        if not messages:
            return
        try:
            producer = self._get_producer()
            futures = [
                producer.send(m.topic, key=m.key, value=m.body, headers=m.headers) for m in messages
            ]
            timeout = self.config.send_timeout_ms / 1000
            producer.flush(timeout=timeout)
            for future in futures:
                future.get(timeout=timeout)  # raises unless the broker acknowledged
        except KafkaError as error:
            self.close()
            raise SinkUnavailableError(f"Kafka did not acknowledge: {error!r}") from error

    def ensure_topics(self, names: Iterable[str]) -> None:
        wanted = set(names) - self._known_topics
        if not wanted:
            return
        try:
            admin = KafkaAdminClient(**self.config.client_options())
        except KafkaError as error:
            raise SinkUnavailableError(f"Kafka admin unavailable: {error!r}") from error
        try:
            existing = set(admin.list_topics())
            for name in sorted(wanted - existing):
                with contextlib.suppress(TopicAlreadyExistsError):  # another relay won
                    admin.create_topics({name: self.config.topic_options()}, wait_for_metadata=True)
                log.info("created topic %s", name)
        except KafkaError as error:
            raise SinkUnavailableError(f"could not create topics: {error!r}") from error
        finally:
            admin.close()
        self._known_topics |= wanted

    def _get_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(**self.config.producer_options())
        return self._producer

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            # Long enough for records still unsent (Kafka down) to expire, so that the close
            # completes and the producer's thread stops.
            producer.close(timeout=self.config.delivery_timeout_ms / 1000 + 1)
        except Exception:  # closing a broken producer must not stop the relay
            log.debug("closing the producer failed; records given up", exc_info=True)
            _give_up(producer)


def _give_up(producer: KafkaProducer) -> None:
    """Stop a producer whose ``close`` failed: records still in flight to a broker that
    restarted outlive the delivery timeout, kafka-python's ``close`` then raises from its
    ``flush`` before it stops the producer's thread, and the thread would go on retrying for
    good. Its sender is closed forcefully (the records fail; the relay sends them again from
    its position), then the close is finished."""
    sender = getattr(producer, "_sender", None)  # kafka-python offers no public force-close
    if sender is not None:
        sender.force_close()
        sender.join(5)
    with contextlib.suppress(Exception):
        producer.close(timeout=1)
