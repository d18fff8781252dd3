"""What a queue day's events do to the board's tickets, folded per batch.

Every ticket is a row with the times its events carried (the queue application's clock):
issued, the visitor's wait start (the issue, or for a ticket transferred in, the wait start
it carried over), first called, last called, service started and ended. A ticket called to a window
also becomes that window's called number. A busy hall's log is mostly these events, so a
batch's ticket events are folded in memory first — each ticket's (and window's) net change —
and written with one statement (new tickets) or one ``executemany`` per table, instead of
one statement per event. Later events win; counters add up; ``first_called_at`` keeps the
first call ever. The rows are the ones event-by-event statements would give, whatever the
batch size.

The first queue to start a service day (``QueueDayStarted``) also fixes the day's waiting
target (:class:`DayTargets`): the hall's at that point of the log, so those days are sent
before the batch's next configuration statement, not only at the batch's end.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg

from projections.queue_board.setup import DEFAULT_TARGET
from projections.queue_days import Called, DayStarted, Ended, Issued, Serving
from projections.runtime import json_array
from services.halls import MissedNumberPolicy
from services.queue import Channel, QueueDay
from services.shared.working_days import local_date

__all__ = ["DayTargets", "TicketFold", "queue_of_day"]


_DAYS = """
INSERT INTO queue_board_days (tenant_id, day_id, queue_code, service_day, prefix, reset_at,
                              position)
SELECT %(t)s, d.day, d.queue, d.service_day, d.prefix, NULL, d.p
FROM json_to_recordset(%(days)s::json)
     AS d (day uuid, queue text, service_day date, prefix text, p bigint)
"""
"""The days started in the batch, in one statement (as the new tickets)."""
_DAY_TARGETS = """
INSERT INTO queue_board_day_targets (tenant_id, service_day, waiting_target_minutes, position)
SELECT %(t)s, d.service_day,
       COALESCE((SELECT waiting_target_minutes FROM queue_board_halls WHERE tenant_id = %(t)s),
                %(default)s),
       d.p
FROM json_to_recordset(%(days)s::json) AS d (service_day date, p bigint)
ON CONFLICT (tenant_id, service_day) DO NOTHING
"""
"""The hall's target, as the configuration statements sent before left it, becomes the
target of each day a queue starts, unless a queue started that day before (kept there)."""
_QUEUE_OF = "SELECT queue_code FROM queue_board_days WHERE tenant_id = %s AND day_id = %s"
_NEW = """
INSERT INTO queue_board_tickets (tenant_id, day_id, number, queue_code, service_day,
    display_number, channel, status, window_code, staff_badge, issued_at, waiting_since,
    first_called_at, called_at, started_at, ended_at, outcome, recalls, misses, position,
    wait_started_at)
SELECT %(t)s, n.day, n.number, d.queue_code, d.service_day, n.display, n.channel,
       n.status, COALESCE(n."window", ''), COALESCE(n.badge, ''), n.issued_at,
       n.waiting_since, n.first_called_at, n.called_at, n.started_at, n.ended_at,
       n.outcome, n.recalls, n.misses, n.p, n.wait_started_at
FROM json_to_recordset(%(new)s::json) AS n (day uuid, number integer, display text,
    channel text, status text, "window" text, badge text, issued_at timestamptz,
    waiting_since timestamptz, first_called_at timestamptz, called_at timestamptz,
    started_at timestamptz, ended_at timestamptz, outcome text, recalls integer,
    misses integer, p bigint, wait_started_at timestamptz)
JOIN queue_board_days d ON d.tenant_id = %(t)s AND d.day_id = n.day
"""
"""The tickets issued in the batch, all in one statement: their rows travel as one JSON
array (encoded by ``msgspec``), which costs the client a tenth of one bound statement per
ticket; a ticket whose day is unknown gets no row, as with one ``INSERT … SELECT`` each."""
_CHANGED = """
UPDATE queue_board_tickets SET
    status = COALESCE(%(status)s, status),
    window_code = COALESCE(%(window)s, window_code),
    staff_badge = COALESCE(%(badge)s, staff_badge),
    waiting_since = COALESCE(%(waiting_since)s, waiting_since),
    first_called_at = COALESCE(first_called_at, %(first_called_at)s),
    called_at = COALESCE(%(called_at)s, called_at),
    started_at = COALESCE(%(started_at)s, started_at),
    ended_at = COALESCE(%(ended_at)s, ended_at),
    outcome = COALESCE(%(outcome)s, outcome),
    recalls = recalls + %(recalls)s,
    misses = misses + %(misses)s,
    position = %(p)s
WHERE tenant_id = %(t)s AND day_id = %(day)s AND number = %(number)s
"""
_RESET = """
UPDATE queue_board_days SET reset_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND day_id = %(day)s
"""
_CONTINUED = """
UPDATE queue_board_tickets t SET
    wait_started_at = GREATEST(t.wait_started_at, w.since),
    waiting_since = GREATEST(t.waiting_since, w.since)
FROM (
    SELECT CASE WHEN s.called_at IS NOT NULL AND s.called_at >= s.waiting_since
                THEN c.issued_at ELSE s.waiting_since END AS since
    FROM queue_board_tickets c
    JOIN queue_board_tickets s
      ON s.tenant_id = c.tenant_id AND s.day_id = %(from_day)s AND s.number = %(from_number)s
     AND s.service_day = c.service_day AND s.queue_code = %(from_queue)s
    WHERE c.tenant_id = %(t)s AND c.day_id = %(day)s AND c.number = %(number)s
) AS w
WHERE t.tenant_id = %(t)s AND t.day_id = %(day)s AND t.number = %(number)s
"""
"""A ticket transferred in from another queue waits from the transfer when its source was
at a window then (called or in service: its wait ended at the call, measured there, and the
time at the window is service); from the source's wait start on the board otherwise (a
source missed and put back waits since the miss, under DEFER too). The source's row is final
(transferred) and written before, in this batch or an earlier one: the transfer comes first
in the log. It is found by its key (a full rebuild builds the other indexes at its end): its
queue's day of the same service day (a ticket is transferred on its own service day only)."""
_WINDOW_CALLED = """
UPDATE queue_board_windows SET called_day_id = %(day)s, called_number = %(number)s,
    called_at = %(at)s, position = %(p)s
WHERE tenant_id = %(t)s AND code = %(window)s
"""


@dataclass(slots=True)
class _Ticket:
    """One ticket's net change in the batch (``None``: unchanged)."""

    day: UUID
    number: int
    position: int
    new: dict[str, Any] | None = None
    """The issue's values, when the ticket was issued in this batch."""
    status: str | None = None
    window: str | None = None
    badge: str | None = None
    waiting_since: datetime | None = None
    first_called_at: datetime | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    recalls: int = 0
    misses: int = 0

    def row(self, tenant_id: str) -> dict[str, Any]:
        values = {
            "day": self.day,
            "number": self.number,
            "status": self.status,
            "window": self.window,
            "badge": self.badge,
            "waiting_since": self.waiting_since,
            "first_called_at": self.first_called_at,
            "called_at": self.called_at,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "outcome": self.outcome,
            "recalls": self.recalls,
            "misses": self.misses,
        }
        if self.new:
            values.update(self.new)
        values["t"], values["p"] = tenant_id, self.position
        return values


@dataclass
class TicketFold:
    """A batch's queue-day events, folded into the rows they change.

    :meth:`add` takes the domain events and, for the common ones, their views read from the
    stored rows (:mod:`projections.queue_days`) alike: the same attributes."""

    tenant_id: str
    queue_of: Callable[[UUID], str | None]
    """The queue code of a day started before the batch (read from the board)."""
    days: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[tuple[Hashable, int], _Ticket] = field(default_factory=dict)
    resets: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    windows: dict[str, dict[str, Any]] = field(default_factory=dict)
    continued: list[dict[str, Any]] = field(default_factory=list)
    """Tickets transferred in, with the queue and number they continue."""

    def _ticket(self, key: Hashable, day: UUID, number: int, position: int) -> _Ticket:
        ticket = self.tickets.get((key, number))
        if ticket is None:
            ticket = self.tickets[(key, number)] = _Ticket(day, number, position)
        else:
            ticket.position = position
        return ticket

    def _called(self, window: str, day: UUID, number: int, at: datetime, position: int) -> None:
        self.windows[window] = {"window": window, "day": day, "number": number, "at": at}
        self.windows[window]["p"] = position

    def _queue(self, key: Hashable, day: UUID) -> str | None:
        started = self.days.get(key)
        return str(started["queue"]) if started else self.queue_of(day)

    def add(self, event: Any, position: int, key: Hashable = None) -> None:
        """Fold one event (of :data:`services.queue.QUEUE_DAY_EVENTS`, or its view) into the
        batch's changes. ``key``: the day's key in this fold (the stored row's
        ``originator_id``; by default the event's), the same for every event of a day."""
        fold = _FOLD.get(type(event))
        if fold is not None:
            fold(self, event, event.originator_id if key is None else key, position)

    def _started(self, e: QueueDay.Started | DayStarted, key: Hashable, p: int) -> None:
        day = e.originator_id
        self.days[key] = {
            "day": day,
            "queue": e.queue_code,
            "service_day": date.fromisoformat(e.service_day),
            "prefix": e.prefix,
            "p": p,
        }

    def _reset(self, e: QueueDay.QueueReset, key: Hashable, p: int) -> None:
        day = e.originator_id
        for number in e.removed_numbers:
            removed = self._ticket(key, day, number, p)
            removed.status, removed.ended_at = "REMOVED", e.reset_at
        self.resets[key] = {"day": day, "at": e.reset_at, "p": p}

    def _issued(self, e: QueueDay.TicketIssued | Issued, key: Hashable, p: int) -> None:
        t = self._ticket(key, e.originator_id, e.number, p)
        t.new = {
            "display": e.display_number,
            "channel": e.channel,
            "issued_at": e.issued_at,
            # the visitor's wait start: the issue, or the one a transfer carried over
            "wait_started_at": e.waiting_since,
        }
        t.status, t.waiting_since = "WAITING", e.waiting_since
        if e.channel == _TRANSFER:
            self._continues(e)

    def _ticket_called(self, e: QueueDay.TicketCalled | Called, key: Hashable, p: int) -> None:
        day = e.originator_id
        t = self._ticket(key, day, e.number, p)
        t.status, t.window, t.badge = "CALLED", e.window_code, e.staff_badge
        t.called_at = e.called_at
        t.first_called_at = t.first_called_at or e.called_at
        self._called(e.window_code, day, e.number, e.called_at, p)

    def _recalled(self, e: QueueDay.TicketRecalled, key: Hashable, p: int) -> None:
        day = e.originator_id
        t = self._ticket(key, day, e.number, p)
        t.called_at, t.recalls = e.recalled_at, t.recalls + 1
        self._called(e.window_code, day, e.number, e.recalled_at, p)

    def _serving(self, e: QueueDay.ServiceStarted | Serving, key: Hashable, p: int) -> None:
        t = self._ticket(key, e.originator_id, e.number, p)
        t.status, t.badge, t.started_at = "SERVING", e.staff_badge, e.started_at

    def _ended(self, e: QueueDay.ServiceEnded | Ended, key: Hashable, p: int) -> None:
        t = self._ticket(key, e.originator_id, e.number, p)
        t.status, t.outcome, t.ended_at = "ENDED", e.outcome, e.ended_at

    def _transferred(self, e: QueueDay.TicketTransferred, key: Hashable, p: int) -> None:
        day = e.originator_id
        t = self._ticket(key, day, e.number, p)
        if e.to_queue_code == self._queue(key, day):  # to a window of the same queue
            t.status = "WAITING"
        else:
            t.status, t.ended_at = "TRANSFERRED", e.transferred_at

    def _removed(self, e: QueueDay.TicketRemoved, key: Hashable, p: int) -> None:
        t = self._ticket(key, e.originator_id, e.number, p)
        t.status, t.ended_at = "REMOVED", e.removed_at

    def _continues(self, event: QueueDay.TicketIssued | Issued) -> None:
        """Keep a transfer's continuation and its source (``"<queue>/<number>"``, of the
        same service day: the day of the transfer, which is the continuation's issue)."""
        source_queue, _, source_number = event.transferred_from.rpartition("/")
        if not source_number.isdigit():
            return
        service_day = local_date(event.issued_at).isoformat()
        self.continued.append(
            {
                "day": event.originator_id,
                "number": event.number,
                "from_day": QueueDay.create_id(self.tenant_id, source_queue, service_day),
                "from_queue": source_queue,
                "from_number": int(source_number),
            }
        )

    def _no_show(self, e: QueueDay.TicketMarkedNoShow, key: Hashable, p: int) -> None:
        """过号 (counted in ``misses`` whatever the policy): KEEP ends the ticket; REQUEUE and
        DEFER put it back in the line. On the board a ticket put back waits again from the
        moment it was missed, under either policy (its place in the line differs, not the
        time it has been back); its first wait stays measured by ``first_called_at``."""
        t = self._ticket(key, e.originator_id, e.number, p)
        t.misses += 1
        policy = MissedNumberPolicy(e.policy)
        if policy is MissedNumberPolicy.KEEP:
            t.status, t.ended_at = "NO_SHOW", e.marked_at
            return
        t.status, t.waiting_since = "WAITING", e.marked_at

    def write(self, conn: psycopg.Connection[Any]) -> None:
        """Write the folded changes: one statement for the new days, one for the new
        tickets, one ``executemany`` per kind of other change."""
        common = {"t": self.tenant_id}
        rows = [t.row(self.tenant_id) for t in self.tickets.values()]
        new = [r for r in rows if r.get("display") is not None]
        if self.days:
            days = json_array(list(self.days.values()))
            conn.execute(_DAYS, {**common, "days": days}, prepare=True)
        if new:
            conn.execute(_NEW, {**common, "new": json_array(new)}, prepare=True)
        for sql, params in (
            (_CHANGED, [r for r in rows if r.get("display") is None]),
            (_RESET, [{**common, **r} for r in self.resets.values()]),
            (_WINDOW_CALLED, [{**common, **w} for w in self.windows.values()]),
            (_CONTINUED, [{**common, **c} for c in self.continued]),
        ):
            if params:
                conn.cursor().executemany(sql, params)


_TRANSFER = Channel.TRANSFER.value
_FOLD: dict[type, Callable[[TicketFold, Any, Hashable, int], None]] = {
    QueueDay.Started: TicketFold._started,
    DayStarted: TicketFold._started,
    QueueDay.TicketIssued: TicketFold._issued,
    Issued: TicketFold._issued,
    QueueDay.TicketCalled: TicketFold._ticket_called,
    Called: TicketFold._ticket_called,
    QueueDay.TicketRecalled: TicketFold._recalled,
    QueueDay.ServiceStarted: TicketFold._serving,
    Serving: TicketFold._serving,
    QueueDay.ServiceEnded: TicketFold._ended,
    Ended: TicketFold._ended,
    QueueDay.TicketMarkedNoShow: TicketFold._no_show,
    QueueDay.TicketTransferred: TicketFold._transferred,
    QueueDay.TicketRemoved: TicketFold._removed,
    QueueDay.QueueReset: TicketFold._reset,
}
"""How each event (or view) changes the fold."""


class DayTargets:
    """The service days whose waiting target a batch fixes (the first queue to start the
    day), sent in one statement before the batch's next configuration statement and at
    its end: each day gets the hall's target at its point of the log, as one statement
    per start would give it."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.days: dict[str, int] = {}
        """Service day (ISO) → the position of the first start in the batch."""

    def keep(self, event: QueueDay.Started | DayStarted, position: int) -> None:
        self.days.setdefault(event.service_day, position)

    def send(self, conn: psycopg.Connection[Any]) -> None:
        """Send the kept days' statement (no result read: pipelined)."""
        if not self.days:
            return
        days = json_array([{"service_day": d, "p": p} for d, p in self.days.items()])
        params = {"t": self.tenant_id, "default": DEFAULT_TARGET, "days": days}
        conn.execute(_DAY_TARGETS, params, prepare=True)
        self.days.clear()


def queue_of_day(conn: psycopg.Connection[Any], tenant_id: str) -> Callable[[UUID], str | None]:
    """Reads a day's queue code from the board (for transfers of days started earlier)."""

    def read(day: UUID) -> str | None:
        row = conn.execute(_QUEUE_OF, (tenant_id, day)).fetchone()
        return str(row[0]) if row else None

    return read
