"""An in-memory :class:`MessageSink` for tests: records messages, can be made to fail."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.relay.cloudevents import CloudEvent
from services.relay.sink import MessageSink, SinkUnavailableError

__all__ = ["MemorySink"]


class MemorySink(MessageSink):
    """Keeps every published message; ``down = True`` makes publishing fail."""

    def __init__(self) -> None:
        self.messages: list[CloudEvent] = []
        self.topics: set[str] = set()
        self.down = False

    def publish(self, messages: Sequence[CloudEvent]) -> None:
        if self.down:
            raise SinkUnavailableError("the in-memory broker is down")
        self.messages += messages

    def ensure_topics(self, names: Iterable[str]) -> None:
        if self.down:
            raise SinkUnavailableError("the in-memory broker is down")
        self.topics.update(names)

    def on(self, topic: str) -> list[CloudEvent]:
        return [m for m in self.messages if m.topic == topic]
