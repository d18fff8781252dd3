"""Where an applicant's ticket stands (我的排号): read from the queue day itself.

The queue day is the one place that knows both who holds a ticket (its opaque
``applicant_id``; the queue board keeps no applicant data) and the order of its line (a
missed number put back by REQUEUE or DEFER, a transfer to the front, priority tickets), so
the answer is the domain's: :meth:`QueueDay.ahead_of` under the hall's call rule now.

A ticket transferred to another queue (转号) goes on there under a new number, still the
applicant's: the answer follows it to the ticket the applicant holds now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.halls.application import require_registered_hall
from services.queue.domain import QueueDay, Ticket, TicketStatus
from services.shared.application import HallApplication

__all__ = ["MAX_TRANSFERS_FOLLOWED", "TicketProgress", "ticket_progress"]

MAX_TRANSFERS_FOLLOWED = 20
"""How many transfers (转号) are followed to the ticket that goes on; a longer chain answers
the ticket reached then."""


@dataclass(frozen=True)
class TicketProgress:
    """A ticket as its holder sees it."""

    ticket: Ticket
    """The ticket the holder holds now: the one asked for, or the one a transfer to another
    queue continued it with."""
    people_ahead: int | None
    """Waiting tickets its queue offers before it (``None`` unless it waits)."""


def _day(app: HallApplication, queue_code: str, service_day: date) -> QueueDay | None:
    day = app.get_or_none(QueueDay.create_id(app.hall_id, queue_code, service_day.isoformat()))
    return day if isinstance(day, QueueDay) else None


def _holders(day: QueueDay | None, number: int, holder: str) -> Ticket | None:
    if day is None or not 1 <= number <= len(day.tickets):
        return None
    ticket = day.ticket(number)
    return ticket if holder and ticket.applicant_id == holder else None


def ticket_progress(
    app: HallApplication, queue_code: str, number: int, service_day: date, holder: str
) -> TicketProgress | None:
    """Ticket ``number`` of ``queue_code`` on ``service_day`` as applicant ``holder`` sees
    it; ``None`` when there is no such ticket or it is not ``holder``'s (alike: no caller
    learns whether someone else's number exists)."""
    day = _day(app, queue_code, service_day)
    ticket = _holders(day, number, holder)
    if day is None or ticket is None:
        return None
    for _ in range(MAX_TRANSFERS_FOLLOWED):
        if ticket.status is not TicketStatus.TRANSFERRED or "/" not in ticket.transferred_to:
            break
        to_queue, _, to_number = ticket.transferred_to.rpartition("/")
        next_day = _day(app, to_queue, service_day)
        continued = _holders(next_day, int(to_number), holder) if to_number.isdigit() else None
        if next_day is None or continued is None:
            break
        day, ticket = next_day, continued
    rule = require_registered_hall(app).policies.call_rule
    return TicketProgress(ticket=ticket, people_ahead=day.ahead_of(ticket.number, rule))
