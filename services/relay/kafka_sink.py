"""The Kafka :class:`MessageSink`: kafka-python's idempotent producer with ``acks=all``.

A failure is either the broker's (down, unreachable, timed out, not the leader: kafka-python
marks those ``retriable``), which :class:`SinkUnavailableError` reports so that the relay
backs off, or one message's own (:data:`REFUSED`: too large, an invalid topic, no right to
write it), which :class:`MessageRejectedError` reports so that only its hall stops.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import (
    InvalidRecordError,
    InvalidTimestampError,
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
)

from services.relay.cloudevents import CloudEvent
from services.relay.config import RelayConfig
from services.relay.sink import MessageRejectedError, MessageSink, SinkUnavailableError

__all__ = ["REFUSED", "KafkaSink", "refuses_for_good"]

log = logging.getLogger(__name__)

REFUSED: tuple[type[KafkaError], ...] = (
    MessageSizeTooLargeError,  # larger than max.message.bytes (broker) or max_request_size
    RecordListTooLargeError,
    InvalidRecordError,
    InvalidTimestampError,
    InvalidTopicError,
    TopicAuthorizationFailedError,  # no Write ACL on this topic
)
"""The errors of one message or topic that no retry can cure (not ``retriable``). Other
errors that are not retriable either, e.g. ``ClusterAuthorizationFailedError`` or a failed
SASL login, concern every message: the relay backs off as for a broker that is down."""


def refuses_for_good(error: BaseException) -> bool:
    """Whether ``error`` refuses the message itself, so re-sending it cannot succeed."""
    return isinstance(error, REFUSED) and not getattr(error, "retriable", False)


class KafkaSink(MessageSink):
    """One producer per process (thread-safe), created on first use and replaced after a
    failure, so a broker that comes back is reconnected to from scratch.

    The topics :meth:`ensure_topics` found or created are not asked for again, until a
    batch is not acknowledged: one reason can be a topic deleted behind the relay's back
    (the producer then waits for its metadata in vain), so the next :meth:`ensure_topics`
    looks again and creates what is missing."""

    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self._producer: KafkaProducer | None = None
        self._known_topics: set[str] = set()
        """Topics known to exist since the last failure."""
        self._seen_topics: set[str] = set()
        """Topics that existed at some time: one missing later was deleted."""

    def publish(self, messages: Sequence[CloudEvent]) -> None:
        if not messages:
            return
        try:
            self._publish(messages)
        except MessageRejectedError:
            self.close()  # a fresh producer (and idempotence state) for what follows
            raise
        except KafkaError as error:
            self.close()
            self._known_topics.clear()  # was one deleted? ensure_topics looks again
            raise SinkUnavailableError(f"Kafka did not acknowledge: {error!r}") from error

    def _publish(self, messages: Sequence[CloudEvent]) -> None:
        producer = self._get_producer()
        futures = []
        for m in messages:
            try:  # too large for max_request_size: refused here, before it is sent
                futures.append(producer.send(m.topic, key=m.key, value=m.body, headers=m.headers))
            except KafkaError as error:
                if refuses_for_good(error):
                    raise MessageRejectedError(m, repr(error)) from error
                raise
        timeout = self.config.send_timeout_ms / 1000
        producer.flush(timeout=timeout)
        for m, future in zip(messages, futures, strict=True):
            try:
                future.get(timeout=timeout)  # raises unless the broker acknowledged
            except KafkaError as error:
                if refuses_for_good(error):
                    raise MessageRejectedError(m, repr(error)) from error
                raise

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
                if name in self._seen_topics:
                    log.warning(
                        "topic %s was deleted: created it again; the messages it held are "
                        "gone (re-send a partner's with `yanshen partners replay`)",
                        name,
                    )
                else:
                    log.info("created topic %s", name)
        except KafkaError as error:
            raise SinkUnavailableError(f"could not create topics: {error!r}") from error
        finally:
            admin.close()
        self._known_topics |= wanted
        self._seen_topics |= wanted

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
