"""Queue: a hall's queue (队列) configuration — code, name, number prefix and the items it serves.

The tickets themselves live in one :class:`~services.queue.domain.day.QueueDay` per service
day; a new prefix applies from the next day the queue starts (a day keeps the prefix it
started with, so its numbers never change meaning).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.places.domain import validate_code
from services.queue.domain.values import PREFIX
from services.shared import ValidationError, stable_id

__all__ = ["Queue"]


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
