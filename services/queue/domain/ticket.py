"""A ticket (号) of one queue on one service day: the state its queue day keeps for it.

Tickets are not aggregates: a ticket lives inside its :class:`~services.queue.domain.day.QueueDay`,
which alone changes it, so each ticket change is one event of the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.queue.domain.values import Channel, PriorityGroup, ServiceOutcome, TicketStatus

__all__ = ["Ticket", "display_number"]


def display_number(prefix: str, number: int) -> str:
    """The number as shown and announced: the queue's prefix and three digits.

    >>> display_number("A", 7)
    'A007'
    """
    return f"{prefix}{number:03d}"


@dataclass(frozen=True)
class Ticket:
    """One ticket's state; times are those the commands carried (the application's clock).

    Frozen: its day changes a ticket by replacing it, so days copied for commands share
    their tickets safely."""

    queue_code: str
    service_day: str
    """The local date in China (ISO) whose sequence the number belongs to."""
    number: int
    display_number: str
    channel: Channel
    priority_group: PriorityGroup
    applicant_id: str
    """An opaque applicant id ('' when anonymous); never personal data."""
    appointment_id: str
    issued_at: datetime
    waiting_since: datetime
    """Since when the holder waits in the line: the issue time, the arrival in the hall for a
    transferred ticket, or the time a missed ticket was requeued."""
    transferred_from: str = ""
    """``<queue>/<number>`` of the ticket this one continues ('' unless transferred in)."""
    reserved_window: str = ""
    """Only this window may call the ticket ('' for any window serving the queue)."""
    status: TicketStatus = TicketStatus.WAITING
    window_code: str = ""
    """The window the ticket was last called to."""
    staff_badge: str = ""
    first_called_at: datetime | None = None
    """When the ticket was first called: waiting time = first_called_at − issued_at."""
    called_at: datetime | None = None
    recalls: int = 0
    misses: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: ServiceOutcome | None = None
    end_reason: str = ""
    transferred_to: str = ""
    """``<queue>/<number>`` of the ticket that continues this one after a transfer."""

    @property
    def is_priority(self) -> bool:
        return self.priority_group is not PriorityGroup.NONE

    @property
    def transferred_in(self) -> bool:
        """Transferred to this queue or reserved for a window: goes to the front of the line."""
        return bool(self.transferred_from or self.reserved_window)

    def callable_at(self, window_code: str) -> bool:
        """Waiting, and not reserved for another window."""
        return self.status is TicketStatus.WAITING and self.reserved_window in ("", window_code)
