"""Halls held at a message the broker refuses for good, per consumer.

Such a message (larger than the topic's ``max.message.bytes``, a topic the relay may not
write) is neither skipped nor dropped: its hall's position stays before it, the hall is
tried again with a backoff (1 s doubling to 5 min), and an error log and the metrics below
tell the operator, whose action is in ``docs/partners.md``. The consumer's other halls, and
the other consumers, go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from prometheus_client import Counter, Gauge

from services.relay.sink import MessageRejectedError
from services.store.backoff import Backoff

__all__ = ["HALL_HELD", "MESSAGES_REFUSED", "Rejections"]

log = logging.getLogger(__name__)

MESSAGES_REFUSED = Counter(
    "yanshen_relay_messages_refused_total",
    "Messages the broker refused for good (the hall stops at them until an operator acts)",
    ["consumer", "tenant"],
)
HALL_HELD = Gauge(
    "yanshen_relay_hall_held",
    "1 while a hall waits at a message the broker refuses for good, else 0",
    ["consumer", "tenant"],
)


class Rejections:
    """The halls of one consumer held at a refused message, and when to try each again."""

    def __init__(
        self,
        consumer: str,
        *,
        initial: float = 1.0,
        maximum: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.consumer = consumer
        self.initial = initial
        self.maximum = maximum
        self.clock = clock
        self._held: dict[str, Backoff] = {}

    def ready(self, tenant_id: str) -> bool:
        """Whether the hall may be tried (not held, or its retry is due)."""
        held = self._held.get(tenant_id)
        return held is None or held.ready()

    def held(self) -> set[str]:
        """The halls held at a refused message."""
        return set(self._held)

    def failed(self, tenant_id: str, error: MessageRejectedError) -> None:
        """The hall's batch was refused: log, count, and wait before trying it again."""
        backoff = self._held.get(tenant_id)
        if backoff is None:
            backoff = Backoff(initial=self.initial, maximum=self.maximum, clock=self.clock)
            self._held[tenant_id] = backoff
        delay = backoff.failed()
        MESSAGES_REFUSED.labels(self.consumer, tenant_id).inc()
        HALL_HELD.labels(self.consumer, tenant_id).set(1)
        log.error(
            "%s: hall %s held: Kafka refused %s for good (%s); nothing after it is sent "
            "until an operator acts (docs/partners.md); next try in %.0fs",
            self.consumer,
            tenant_id,
            error.message.header("ce_id"),
            error.reason,
            delay,
        )

    def succeeded(self, tenant_id: str) -> None:
        """A batch of the hall was acknowledged: it is no longer held."""
        if self._held.pop(tenant_id, None) is not None:
            HALL_HELD.labels(self.consumer, tenant_id).set(0)
            log.info("%s: hall %s goes on: Kafka accepted its batch", self.consumer, tenant_id)
