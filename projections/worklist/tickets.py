"""What queue-day events do to the worklists: the tickets a staff member has at a window.

A ticket joins the worklist of the staff member who called it and stays while it is called
or in service (the one who starts the service takes it over); it leaves when the service
ends, when it is marked a no-show (whatever the hall does with missed numbers, it is no longer
at the window), transferred, removed or reset.

Like the queue board, a batch's queue-day events are folded first — each ticket's net
change: joined (called), changed (recalled, started) or left — and written with one
``executemany`` per kind of change. A ticket issued in the batch has no row before it, so
one that is called and leaves within the batch (most tickets, in a rebuild's large batches)
costs no statement at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg

from services.queue import QueueDay

__all__ = ["TicketFold"]

_LEAVING = (
    QueueDay.ServiceEnded,
    QueueDay.TicketMarkedNoShow,
    QueueDay.TicketTransferred,
    QueueDay.TicketRemoved,
)

_DAY = """
INSERT INTO worklist_days (tenant_id, day_id, queue_code, service_day, position)
VALUES (%(t)s, %(day)s, %(queue)s, %(service_day)s, %(p)s)
"""
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


@dataclass
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


@dataclass
class TicketFold:
    """A batch's queue-day events, folded into the worklist rows they change."""

    tenant_id: str
    days: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[tuple[UUID, int], _Ticket] = field(default_factory=dict)

    def _ticket(self, day: UUID, number: int, position: int) -> _Ticket:
        ticket = self.tickets.get((day, number))
        if ticket is None:
            ticket = self.tickets[(day, number)] = _Ticket(day, number, position)
        ticket.position = position
        return ticket

    def add(self, event: Any, position: int) -> None:
        """Fold one event (of :data:`services.queue.QUEUE_DAY_EVENTS`) into the batch's changes."""
        day = event.originator_id
        if isinstance(event, QueueDay.Started):
            service_day = date.fromisoformat(event.service_day)
            self.days[day] = {"day": day, "queue": event.queue_code, "service_day": service_day}
            self.days[day]["p"] = position
        elif isinstance(event, QueueDay.TicketIssued):
            self._ticket(day, event.number, position).issued = True
        elif isinstance(event, QueueDay.QueueReset):
            for number in event.removed_numbers:
                self._leave(self._ticket(day, number, position))
        elif isinstance(event, QueueDay.TicketCalled):
            t = self._ticket(day, event.number, position)
            t.joined, t.left, t.since = True, False, position
            t.display, t.window, t.badge = (
                event.display_number,
                event.window_code,
                event.staff_badge,
            )
            t.status, t.called_at, t.started_at = "CALLED", event.called_at, None
        elif isinstance(event, QueueDay.TicketRecalled):
            self._ticket(day, event.number, position).called_at = event.recalled_at
        elif isinstance(event, QueueDay.ServiceStarted):
            t = self._ticket(day, event.number, position)
            t.status, t.badge, t.started_at = "SERVING", event.staff_badge, event.started_at
        elif isinstance(event, _LEAVING):
            self._leave(self._ticket(day, event.number, position))

    @staticmethod
    def _leave(ticket: _Ticket) -> None:
        ticket.joined, ticket.left = False, True

    def write(self, conn: psycopg.Connection[Any]) -> None:
        """Write the folded changes: one ``executemany`` per kind of change."""
        common = {"t": self.tenant_id}
        joined: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        left: list[dict[str, Any]] = []
        for t in self.tickets.values():
            if t.issued and not t.joined:
                continue  # no row before the batch, none after it
            row = {**common, **vars(t), "p": t.position}
            (left if t.left else joined if t.joined else changed).append(row)
        for sql, params in (
            (_DAY, [{**common, **d} for d in self.days.values()]),
            (_LEFT, left),
            (_JOINED, joined),
            (_CHANGED, changed),
        ):
            if params:
                conn.cursor().executemany(sql, params)
