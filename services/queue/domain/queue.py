"""Queue: a hall's queue (队列) configuration — code, name, number prefix and the items it serves.

The tickets themselves live in one :class:`~services.queue.domain.day.QueueDay` per service
day; a new prefix applies from the next day the queue starts (a day keeps the prefix it
started with, so its numbers never change meaning). A prefix is one queue's at a time
within its hall (:class:`QueuePrefix`), so no two queues hand out the same numbers.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.places.domain import validate_code
from services.queue.domain.values import PREFIX
from services.queue.errors import QueuePrefixTakenError
from services.shared import ValidationError, stable_id

__all__ = ["Queue", "QueuePrefix"]


def _check(name: str, prefix: str, item_codes: list[str]) -> None:
    if not name.strip() or len(name) > 100:
        raise ValidationError("a queue name is 1 to 100 characters")
    if not PREFIX.match(prefix):
        raise ValidationError(f"invalid prefix {prefix!r}: one or two capital letters, e.g. 'A'")
    if len(item_codes) > 100 or len(set(item_codes)) != len(item_codes):
        raise ValidationError("at most 100 distinct item codes")


class Queue(Aggregate):
    """A queue of a hall, identified by its code; numbers are ``<prefix>001`` … per day.

    >>> from datetime import UTC
    >>> q = Queue(hall_id="demo", code="ZH", name="综合受理", prefix="A",
    ...           item_codes=["RX-001"], actor="admin",
    ...           timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC))
    >>> q.prefix
    'A'
    """

    class Configured(Aggregate.Created):
        """QueueConfigured: a queue was set up with its prefix and the items it serves."""

        hall_id: str
        code: str
        name: str
        prefix: str
        item_codes: list[str]
        actor: str

    class Reconfigured(Aggregate.Event):
        """QueueReconfigured: new name, prefix (from the next service day) or items."""

        name: str
        prefix: str
        item_codes: list[str]
        actor: str

    @event(Configured)
    def __init__(
        self,
        hall_id: str,
        code: str,
        name: str,
        prefix: str,
        item_codes: list[str],
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        validate_code(code, "queue")
        _check(name, prefix, item_codes)
        self.hall_id = hall_id
        self.code = code
        self.name = name.strip()
        self.prefix = prefix
        self.item_codes = list(item_codes)

    @staticmethod
    def create_id(hall_id: str, code: str) -> UUID:
        return stable_id(hall_id, "queue", code)

    def reconfigure(
        self, name: str, prefix: str, item_codes: list[str], now: datetime, actor: str
    ) -> None:
        _check(name, prefix, item_codes)
        self._reconfigured(name.strip(), prefix, list(item_codes), actor, timestamp=now)

    @event(Reconfigured)
    def _reconfigured(
        self, name: str, prefix: str, item_codes: list[str], actor: str, *, timestamp: datetime
    ) -> None:
        self.name = name
        self.prefix = prefix
        self.item_codes = list(item_codes)


class QueuePrefix(Aggregate):
    """A number prefix of a hall and the queue holding it: one queue at a time.

    Why an aggregate: the numbers a queue hands out and announces (A001 …) must be its own,
    so no two queues of a hall may share a prefix. Queues are separate aggregates, so the rule
    holds here: one aggregate per (hall, prefix), saved in the same atomic save as the queue
    event that takes or gives up the prefix; two queues taking one prefix at once conflict on
    its version. A released prefix may be claimed again by any queue of the hall from
    ``free_from``, which the application sets to the day after the release: the queue's
    numbers of that day may still carry it (a day keeps the prefix it started with, and a
    first ticket racing the release may start the day with it). Queues configured before
    this aggregate existed hold no claim; see :mod:`services.queue.prefixes`.

    >>> from datetime import UTC
    >>> now = datetime(2026, 3, 2, 1, tzinfo=UTC)
    >>> a = QueuePrefix(hall_id="demo", prefix="A", queue_code="ZH", actor="admin", timestamp=now)
    >>> a.claim("BD", "2026-03-02", now, "admin")
    Traceback (most recent call last):
    services.queue.errors.QueuePrefixTakenError: prefix 'A' is held by queue 'ZH': choose another
    >>> a.release("ZH", "2026-03-03", now, "admin")
    >>> a.claim("BD", "2026-03-02", now, "admin")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    services.queue.errors.QueuePrefixTakenError: prefix 'A' is in use by queue 'ZH' on ...
    >>> a.claim("BD", "2026-03-03", now, "admin"); a.queue_code
    'BD'
    """

    class Claimed(Aggregate.Created):
        """QueuePrefixClaimed: a queue took a number prefix no queue of the hall had held."""

        hall_id: str
        prefix: str
        queue_code: str
        actor: str

    class Released(Aggregate.Event):
        """QueuePrefixReleased: the queue moved to another prefix; this one is free for the
        hall's queues from ``free_from`` (a service day)."""

        queue_code: str
        free_from: str
        actor: str

    class Reclaimed(Aggregate.Event):
        """QueuePrefixReclaimed: a queue took a prefix that had been released."""

        queue_code: str
        actor: str

    @event(Claimed)
    def __init__(
        self, hall_id: str, prefix: str, queue_code: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.hall_id = hall_id
        self.prefix = prefix
        self.queue_code = queue_code
        """The queue holding the prefix ('' when released)."""
        self.released_by = ""
        """The queue that held it last, when released."""
        self.free_from = ""
        """The first service day (ISO) another queue may use it, when released."""

    @staticmethod
    def create_id(hall_id: str, prefix: str) -> UUID:
        """One aggregate per (hall, prefix)."""
        return stable_id(hall_id, "queue-prefix", prefix)

    def claim(self, queue_code: str, service_day: str, now: datetime, actor: str) -> None:
        """``queue_code`` takes the prefix on ``service_day`` (the local date of ``now``);
        nothing changes when it holds it already."""
        if self.queue_code == queue_code:
            return
        if self.queue_code:
            raise QueuePrefixTakenError(
                f"prefix {self.prefix!r} is held by queue {self.queue_code!r}: choose another"
            )
        if service_day < self.free_from and queue_code != self.released_by:
            raise QueuePrefixTakenError(
                f"prefix {self.prefix!r} is in use by queue {self.released_by!r} on "
                f"{service_day} (that day's numbers): free from {self.free_from}"
            )
        self._reclaimed(queue_code, actor, timestamp=now)

    def release(self, queue_code: str, free_from: str, now: datetime, actor: str) -> None:
        """``queue_code`` gives the prefix up, for other queues from the service day
        ``free_from`` (nothing changes unless it holds the prefix)."""
        if self.queue_code == queue_code:
            self._released(queue_code, free_from, actor, timestamp=now)

    @event(Released)
    def _released(
        self, queue_code: str, free_from: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.queue_code = ""
        self.released_by = queue_code
        self.free_from = free_from

    @event(Reclaimed)
    def _reclaimed(self, queue_code: str, actor: str, *, timestamp: datetime) -> None:
        self.queue_code = queue_code
