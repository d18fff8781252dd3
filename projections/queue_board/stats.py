"""The statistics of a queue (or a whole hall) on one service day, and how they add up.

Waiting time is first called − issued, over the tickets called at least once; service time
is ended − started, over the tickets served (service ended); "within target" counts the
served tickets whose waiting time was at most the hall's waiting-time target. Sums are
exact (``Decimal`` seconds), so a hall's averages are those of all its tickets, never an
average of the queues' averages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = ["COUNTS", "QueueStats"]

_ZERO = Decimal(0)
COUNTS = (
    "issued",
    "transferred_in",
    "waiting",
    "at_windows",
    "served",
    "no_show",
    "removed",
    "transferred_out",
    "called",
    "served_within_target",
)
"""The statistics that are counts: a hall's are the sums of its queues'."""


def _max(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


@dataclass(frozen=True)
class QueueStats:
    """Counts and times of one queue (or one hall) on one service day."""

    issued: int = 0
    """Numbers given out that day, transfers in included."""
    transferred_in: int = 0
    """Of ``issued``: numbers given to tickets transferred from another queue."""
    waiting: int = 0
    """Waiting now (after a requeued or deferred no-show too)."""
    at_windows: int = 0
    """Called to a window or in service now."""
    served: int = 0
    """Service ended (any outcome)."""
    no_show: int = 0
    """Ended as no-shows (过号, when the hall keeps missed numbers out)."""
    removed: int = 0
    """Cancelled, removed by staff or by the day's reset."""
    transferred_out: int = 0
    """Moved on to another queue."""
    called: int = 0
    """Called at least once: the tickets whose waiting time is known."""
    waiting_seconds_total: Decimal = _ZERO
    max_waiting_seconds: Decimal | None = None
    service_seconds_total: Decimal = _ZERO
    max_service_seconds: Decimal | None = None
    served_within_target: int = 0
    oldest_waiting_since: datetime | None = None
    """Since when the longest-waiting ticket still waiting waits."""

    @property
    def average_waiting_seconds(self) -> float | None:
        return float(self.waiting_seconds_total / self.called) if self.called else None

    @property
    def average_service_seconds(self) -> float | None:
        return float(self.service_seconds_total / self.served) if self.served else None

    @property
    def served_within_target_share(self) -> float | None:
        """Served within the target ÷ served (``None`` before the first service ended)."""
        return self.served_within_target / self.served if self.served else None

    @classmethod
    def combine(cls, parts: Iterable[QueueStats]) -> QueueStats:
        """The statistics of several queues together (a hall's totals)."""
        items = list(parts)
        counts = {name: sum(getattr(p, name) for p in items) for name in COUNTS}
        since = [p.oldest_waiting_since for p in items if p.oldest_waiting_since is not None]
        return cls(
            **counts,
            waiting_seconds_total=sum((p.waiting_seconds_total for p in items), _ZERO),
            max_waiting_seconds=_max(p.max_waiting_seconds for p in items),
            service_seconds_total=sum((p.service_seconds_total for p in items), _ZERO),
            max_service_seconds=_max(p.max_service_seconds for p in items),
            oldest_waiting_since=min(since) if since else None,
        )
