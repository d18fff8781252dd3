"""Where the relay sends messages: an interface, so the relay's logic runs without a broker.

Implementations: :class:`services.relay.kafka_sink.KafkaSink` (production) and
:class:`services.relay.memory_sink.MemorySink` (tests).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from services.relay.cloudevents import CloudEvent

__all__ = ["MessageSink", "SinkUnavailableError"]


class SinkUnavailableError(RuntimeError):
    """The broker did not acknowledge every message (down, unreachable, timed out)."""


class MessageSink(ABC):
    """Publishes CloudEvents; returns only when every message was acknowledged."""

    @abstractmethod
    def publish(self, messages: Sequence[CloudEvent]) -> None:
        """Send ``messages`` in order; raise :class:`SinkUnavailableError` unless the broker
        acknowledged all of them (then some may have been written: re-sending is safe)."""

    @abstractmethod
    def ensure_topics(self, names: Iterable[str]) -> None:
        """Create the topics that do not exist yet (idempotent, safe in parallel)."""

    def close(self) -> None:  # noqa: B027 - optional: most sinks hold nothing
        """Release connections; the sink may be used again afterwards."""
