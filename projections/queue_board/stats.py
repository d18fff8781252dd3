"""The statistics of a queue (or a whole hall) on one service day, and how they add up.

Definitions (the brief's Qmatic-style KPIs):

- **Wait start**: when the ticket was issued; for a ticket transferred in from another queue
  while still waiting there, the wait start of the ticket it continues (on the board: since
  the miss, for one missed and put back), so a visitor's wait is not cut short by a
  transfer; for one transferred in from a window (called or in service there), the
  transfer: the time at that window was service, not waiting, and the wait before the
  call is measured on the ticket it continues (Qmatic: a transfer starts a new
  transaction).
- **Waiting time**: first called − wait start, over the tickets called at least once (a ticket
  transferred on after its call too). A visitor transferred on uncalled is measured once,
  on the ticket that goes on; one transferred from a window has two waits, one per queue.
  **Service time**: ended − started, over the tickets served (service ended).
- **No-shows**: missed calls (过号), whatever the hall's missed-number policy — each is a
  called customer who did not come; a ticket missed twice is two no-shows (a requeued or
  deferred ticket may still be served later). ``no_show_tickets`` counts the tickets missed
  at least once, ``ended_no_show`` those that ended as no-shows (policy KEEP).
- **Waiting-time target**: a ticket is *within the target* when it was called at most the
  target of its service day after its wait start (the hall's target when the day started:
  a change applies from the next day started); *over the target* when it was called later,
  when it left uncalled (removed, cancelled, removed by the reset) after waiting longer than
  the target, or when it still waits, uncalled, longer than the target at the moment of
  reading. The share within the target is within ÷ (within + over): tickets whose outcome
  is not decided yet (still waiting within the target) or that left uncalled in time count
  on neither side.
- **Arrived**: visitors who took a number (issued minus transfers in), so a hall's total
  counts a transferred visitor once; **unserved**: tickets that ended without service
  (ended no-shows, removed, removed by the reset).

Sums are exact (``Decimal`` seconds), so a hall's averages are those of all its tickets, never
an average of the queues' averages.
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
    "no_show_tickets",
    "ended_no_show",
    "removed",
    "transferred_out",
    "called",
    "waits_measured",
    "served_within_target",
    "within_target",
    "over_target",
)
"""The statistics that are counts: a hall's are the sums of its queues'."""


def _max(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


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
    """Missed calls (过号), whatever the missed-number policy."""
    no_show_tickets: int = 0
    """Tickets missed at least once."""
    ended_no_show: int = 0
    """Tickets that ended as no-shows (the hall keeps missed numbers out)."""
    removed: int = 0
    """Cancelled, removed by staff or by the day's reset."""
    transferred_out: int = 0
    """Moved on to another queue."""
    called: int = 0
    """Called at least once."""
    waits_measured: int = 0
    """The tickets whose waiting time is counted: called, and not transferred on."""
    waiting_seconds_total: Decimal = _ZERO
    max_waiting_seconds: Decimal | None = None
    service_seconds_total: Decimal = _ZERO
    max_service_seconds: Decimal | None = None
    served_within_target: int = 0
    """Served tickets whose waiting time was at most the target."""
    within_target: int = 0
    """Tickets called at most the target after their wait start."""
    over_target: int = 0
    """Tickets called later than the target, gone uncalled after it, or waiting past it."""
    oldest_waiting_since: datetime | None = None
    """Since when the longest-waiting ticket still waiting waits (a missed ticket put back
    in line waits since it was missed)."""

    @property
    def arrived(self) -> int:
        """Visitors who took a number here (a transferred visitor counts where they arrived)."""
        return self.issued - self.transferred_in

    @property
    def unserved(self) -> int:
        """Tickets that ended without service: no-shows kept out, removed, reset."""
        return self.ended_no_show + self.removed

    @property
    def average_waiting_seconds(self) -> float | None:
        if not self.waits_measured:
            return None
        return float(self.waiting_seconds_total / self.waits_measured)

    @property
    def average_service_seconds(self) -> float | None:
        return float(self.service_seconds_total / self.served) if self.served else None

    @property
    def within_target_share(self) -> float | None:
        """Within the target ÷ (within + over the target); ``None`` while neither."""
        return _share(self.within_target, self.within_target + self.over_target)

    @property
    def over_target_share(self) -> float | None:
        """Over the target ÷ (within + over the target); ``None`` while neither."""
        return _share(self.over_target, self.within_target + self.over_target)

    @property
    def served_within_target_share(self) -> float | None:
        """The published name of :attr:`within_target_share` (it used to be served within
        the target ÷ served, which left out every ticket that waited past the target and was
        never served)."""
        return self.within_target_share

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
