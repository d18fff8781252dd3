"""What queue-day events do to the worklists: the tickets a staff member has at a window.

A ticket joins the worklist of the staff member who called it and stays while it is called
or in service (the one who starts the service takes it over); it leaves when the service
ends, when it is marked a no-show (whatever the hall does with missed numbers, it is no longer
at the window), transferred, removed or reset.

Like the queue board, a batch's queue-day events are folded first — each ticket's net
change: joined (called), changed (recalled, started) or left — and written with one
``executemany`` per kind of change (the days started: one statement). A ticket issued in
the batch has no row before it, so one that is called and leaves within the batch (most
tickets, in a rebuild's large batches) costs no statement at all.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg

from projections.queue_days import Called, DayStarted, Ended, Issued, Serving
from projections.runtime import json_array
from services.queue import QueueDay

__all__ = ["TicketFold"]

_Leaving = (
    QueueDay.ServiceEnded
    | Ended
    | QueueDay.TicketMarkedNoShow
    | QueueDay.TicketTransferred
    | QueueDay.TicketRemoved
)
"""The events after which a ticket is no longer at a window."""

_DAYS = """
INSERT INTO worklist_days (tenant_id, day_id, queue_code, service_day, position)
SELECT %(t)s, d.day, d.queue, d.service_day, d.p
FROM json_to_recordset(%(days)s::json) AS d (day uuid, queue text, service_day date, p bigint)
"""
"""The days started in the batch, in one statement (their rows as one JSON array)."""

_JOINED = """
INSERT INTO worklist_tickets (tenant_id, day_id, number, queue_code, service_day,
    display_number, window_code, staff_badge, status, called_at, started_at, since_position,
    position)
SELECT %(t)s, %(day)s, %(number)s, d.queue_code, d.service_day, %(display)s, %(window)s,
       %(badge)s, %(status)s, %(called_at)s, %(started_at)s, %(since)s, %(p)s
FROM worklist_days d WHERE d.tenant_id = %(t)s AND d.day_id = %(day)s
ON CONFLICT (tenant_id, day_id, number) DO UPDATE SET
    window_code = EXCLUDED.window_code, staff_badge = EXCLUDED.staff_badge,
    status = EXCLUDED.status, called_at = EXCLUDED.called_at,
    started_at = EXCLUDED.started_at, since_position = EXCLUDED.since_position,
    position = EXCLUDED.position
"""
_CHANGED = """
UPDATE worklist_tickets SET
    status = COALESCE(%(status)s, status),
    staff_badge = COALESCE(%(badge)s, staff_badge),
    called_at = COALESCE(%(called_at)s, called_at),
    started_at = COALESCE(%(started_at)s, started_at),
    position = %(p)s
WHERE tenant_id = %(t)s AND day_id = %(day)s AND number = %(number)s
"""
_LEFT = """
DELETE FROM worklist_tickets
WHERE tenant_id = %(t)s AND day_id = %(day)s AND number = %(number)s
"""


@dataclass(slots=True)
class _Ticket:
    """One ticket's net change in the batch."""

    day: UUID
    number: int
    position: int
    joined: bool = False
    """Called in this batch (the row is written whole)."""
    left: bool = False
    issued: bool = False
    """Issued in this batch: no row of it before the batch."""
    display: str | None = None
    window: str | None = None
    badge: str | None = None
    status: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    since: int | None = None

    def row(self, tenant_id: str) -> dict[str, Any]:
        return {
            "t": tenant_id,
            "day": self.day,
            "number": self.number,
            "position": self.position,
            "joined": self.joined,
            "left": self.left,
            "issued": self.issued,
            "display": self.display,
            "window": self.window,
            "badge": self.badge,
            "status": self.status,
            "called_at": self.called_at,
            "started_at": self.started_at,
            "since": self.since,
            "p": self.position,
        }


@dataclass
class TicketFold:
    """A batch's queue-day events, folded into the worklist rows they change.

    :meth:`add` takes the domain events and, for the common ones, their views read from the
    stored rows (:mod:`projections.queue_days`) alike: the same attributes."""

    tenant_id: str
    days: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[tuple[Hashable, int], _Ticket] = field(default_factory=dict)

    def _ticket(self, key: Hashable, day: UUID, number: int, position: int) -> _Ticket:
        ticket = self.tickets.get((key, number))
        if ticket is None:
            ticket = self.tickets[(key, number)] = _Ticket(day, number, position)
        else:
            ticket.position = position
        return ticket

    def add(self, event: Any, position: int, key: Hashable = None) -> None:
        """Fold one event (of :data:`services.queue.QUEUE_DAY_EVENTS`, or its view) into the
        batch's changes. ``key``: the day's key in this fold (the stored row's
        ``originator_id``; by default the event's), the same for every event of a day."""
        fold = _FOLD.get(type(event))
        if fold is not None:
            fold(self, event, event.originator_id if key is None else key, position)

    def _started(self, e: QueueDay.Started | DayStarted, key: Hashable, p: int) -> None:
        service_day = date.fromisoformat(e.service_day)
        self.days[key] = {"day": e.originator_id, "queue": e.queue_code, "service_day": service_day}
        self.days[key]["p"] = p

    def _issued(self, e: QueueDay.TicketIssued | Issued, key: Hashable, p: int) -> None:
        self._ticket(key, e.originator_id, e.number, p).issued = True

    def _reset(self, e: QueueDay.QueueReset, key: Hashable, p: int) -> None:
        for number in e.removed_numbers:
            t = self._ticket(key, e.originator_id, number, p)
            t.joined, t.left = False, True

    def _called(self, e: QueueDay.TicketCalled | Called, key: Hashable, p: int) -> None:
        t = self._ticket(key, e.originator_id, e.number, p)
        t.joined, t.left, t.since = True, False, p
        t.display, t.window, t.badge = e.display_number, e.window_code, e.staff_badge
        t.status, t.called_at, t.started_at = "CALLED", e.called_at, None

    def _recalled(self, e: QueueDay.TicketRecalled, key: Hashable, p: int) -> None:
        self._ticket(key, e.originator_id, e.number, p).called_at = e.recalled_at

    def _serving(self, e: QueueDay.ServiceStarted | Serving, key: Hashable, p: int) -> None:
        t = self._ticket(key, e.originator_id, e.number, p)
        t.status, t.badge, t.started_at = "SERVING", e.staff_badge, e.started_at

    def _left(self, e: _Leaving, key: Hashable, p: int) -> None:
        t = self._ticket(key, e.originator_id, e.number, p)
        t.joined, t.left = False, True

    def write(self, conn: psycopg.Connection[Any]) -> None:
        """Write the folded changes: the new days in one statement, one ``executemany``
        per kind of ticket change."""
        common = {"t": self.tenant_id}
        joined: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        left: list[dict[str, Any]] = []
        for t in self.tickets.values():
            if t.issued and not t.joined:
                continue  # no row before the batch, none after it
            row = t.row(self.tenant_id)
            (left if t.left else joined if t.joined else changed).append(row)
        if self.days:
            days = json_array(list(self.days.values()))
            conn.execute(_DAYS, {**common, "days": days}, prepare=True)
        for sql, params in (
            (_LEFT, left),
            (_JOINED, joined),
            (_CHANGED, changed),
        ):
            if params:
                conn.cursor().executemany(sql, params)


_FOLD: dict[type, Callable[[TicketFold, Any, Hashable, int], None]] = {
    QueueDay.Started: TicketFold._started,
    DayStarted: TicketFold._started,
    QueueDay.TicketIssued: TicketFold._issued,
    Issued: TicketFold._issued,
    QueueDay.QueueReset: TicketFold._reset,
    QueueDay.TicketCalled: TicketFold._called,
    Called: TicketFold._called,
    QueueDay.TicketRecalled: TicketFold._recalled,
    QueueDay.ServiceStarted: TicketFold._serving,
    Serving: TicketFold._serving,
    QueueDay.ServiceEnded: TicketFold._left,
    Ended: TicketFold._left,
    QueueDay.TicketMarkedNoShow: TicketFold._left,
    QueueDay.TicketTransferred: TicketFold._left,
    QueueDay.TicketRemoved: TicketFold._left,
}
"""How each event (or view) changes the fold."""
