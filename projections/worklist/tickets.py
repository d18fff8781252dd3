"""What queue-day events do to the worklists: the tickets a staff member has at a window.

A ticket joins the worklist of the staff member who called it and stays while it is called
or in service (the one who starts the service takes it over); it leaves when the service
ends, when it is marked a no-show (whatever the hall does with missed numbers, it is no longer
at the window), transferred, removed or reset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from projections.queue_board.statements import Effect, Statement
from services.queue import QueueDay

__all__ = ["TICKET_EFFECTS"]

_WHERE = "WHERE tenant_id = %(t)s AND day_id = %(id)s AND number = %(number)s"
_DAY = """
INSERT INTO worklist_days (tenant_id, day_id, queue_code, service_day, position)
VALUES (%(t)s, %(id)s, %(queue)s, %(day)s, %(p)s)
"""
_CALLED = """
INSERT INTO worklist_tickets (tenant_id, day_id, number, queue_code, service_day,
    display_number, window_code, staff_badge, status, called_at, started_at, since_position,
    position)
SELECT %(t)s, %(id)s, %(number)s, d.queue_code, d.service_day, %(display)s, %(window)s,
       %(badge)s, 'CALLED', %(at)s, NULL, %(p)s, %(p)s
FROM worklist_days d WHERE d.tenant_id = %(t)s AND d.day_id = %(id)s
ON CONFLICT (tenant_id, day_id, number) DO UPDATE SET
    window_code = EXCLUDED.window_code, staff_badge = EXCLUDED.staff_badge, status = 'CALLED',
    called_at = EXCLUDED.called_at, started_at = NULL,
    since_position = EXCLUDED.since_position, position = EXCLUDED.position
"""
_RECALLED = f"UPDATE worklist_tickets SET called_at = %(at)s, position = %(p)s {_WHERE}"
_STARTED = f"""
UPDATE worklist_tickets SET status = 'SERVING', staff_badge = %(badge)s, started_at = %(at)s,
    position = %(p)s
{_WHERE}
"""
_LEFT = f"DELETE FROM worklist_tickets {_WHERE}"
_RESET = """
DELETE FROM worklist_tickets
WHERE tenant_id = %(t)s AND day_id = %(id)s AND number = ANY(%(numbers)s)
"""


def _started(e: QueueDay.Started) -> Sequence[Statement]:
    return [(_DAY, {"queue": e.queue_code, "day": date.fromisoformat(e.service_day)})]


def _called(e: QueueDay.TicketCalled) -> Sequence[Statement]:
    params = {
        "number": e.number,
        "display": e.display_number,
        "window": e.window_code,
        "badge": e.staff_badge,
        "at": e.called_at,
    }
    return [(_CALLED, params)]


def _left(e: Any) -> Sequence[Statement]:
    return [(_LEFT, {"number": e.number})]


TICKET_EFFECTS: dict[type, Effect] = {
    QueueDay.Started: _started,
    QueueDay.TicketCalled: _called,
    QueueDay.TicketRecalled: lambda e: [(_RECALLED, {"number": e.number, "at": e.recalled_at})],
    QueueDay.ServiceStarted: lambda e: [
        (_STARTED, {"number": e.number, "badge": e.staff_badge, "at": e.started_at})
    ],
    QueueDay.ServiceEnded: _left,
    QueueDay.TicketMarkedNoShow: _left,
    QueueDay.TicketTransferred: _left,
    QueueDay.TicketRemoved: _left,
    QueueDay.QueueReset: lambda e: [(_RESET, {"numbers": list(e.removed_numbers)})],
}
"""Effects of the queue days' events."""
