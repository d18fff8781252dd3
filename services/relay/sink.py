"""Where the relay sends messages: an interface, so the relay's logic runs without a broker.

Implementations: :class:`services.relay.kafka_sink.KafkaSink` (production) and
:class:`services.relay.memory_sink.MemorySink` (tests).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from services.relay.cloudevents import CloudEvent

__all__ = ["MessageRejectedError", "MessageSink", "SinkError", "SinkUnavailableError"]


class SinkError(RuntimeError):
    """A batch was not acknowledged in full: nothing of it may count as delivered."""


class SinkUnavailableError(SinkError):
    """The broker did not acknowledge every message (down, unreachable, timed out): the
    broker is the problem, so the relay backs off and sends the batch again later."""


class MessageRejectedError(SinkError):
    """The broker refused one message for good (too large, invalid topic, not authorised to
    write it): sending it again cannot succeed until an operator acts, so only the hall it
    belongs to stops at it; other halls go on."""

    def __init__(self, message: CloudEvent, reason: str) -> None:
        super().__init__(f"{message.topic} refused {message.header('ce_id')}: {reason}")
        self.message = message
        """The refused message (its ``ce_id`` names the hall and the position)."""
        self.reason = reason


class MessageSink(ABC):
    """Publishes CloudEvents; returns only when every message was acknowledged."""

    @abstractmethod
    def publish(self, messages: Sequence[CloudEvent]) -> None:
        """Send ``messages`` in order; raise :class:`SinkUnavailableError` unless the broker
        acknowledged all of them (then some may have been written: re-sending is safe), or
        :class:`MessageRejectedError` when it refused one of them for good."""

    @abstractmethod
    def ensure_topics(self, names: Iterable[str]) -> None:
        """Create the topics that do not exist yet (idempotent, safe in parallel)."""

    def close(self) -> None:  # noqa: B027 - optional: most sinks hold nothing
        """Release connections; the sink may be used again afterwards."""
