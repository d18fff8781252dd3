"""WindowDay: one window's calls, closes and suspensions of a service day (一个窗口一天的叫号).

Why an aggregate: a window calls one ticket at a time, but it serves several queues, and
each queue's tickets live in their own :class:`~services.queue.domain.day.QueueDay`. The
check "the window has no ticket called or in service" reads all those days, while a call
changes only one of them, so two calls for one window racing each other would both pass the
check and both be saved (no version of theirs conflicts). Every call therefore also records
itself here, in the same atomic save as the day's ``TicketCalled``: the second of two racing
calls conflicts on this aggregate's version and is re-checked (then refused: the window is
busy). The application reads this aggregate *before* the queue days, so a call it has not
seen cannot have been missed by its check.

The record also says which queues the window called from that day (:attr:`WindowDay.queues`),
so "busy" does not depend on the window's current queues: a window reconfigured while a
ticket is called there stays busy until that ticket ends. Closing the window is recorded here
too (``CloseRecorded``, in the same atomic save as the window's ``WindowClosed``), so a close
and a call racing each other conflict: the close is refused while the window has a ticket,
and a call is never saved for a window closed meanwhile. Suspending the window (暂停服务) is
recorded the same way (``SuspensionRecorded``, with the window's ``WindowSuspended``): a call
is never saved for a window suspended meanwhile. A suspension keeps the window's ticket (a
system failure mid-service is a reason to suspend), so a call saved first only makes the
suspension conflict and be tried again. Opening and resuming are not recorded: a call (or a
transfer) racing them read the window not open and is refused, never saved wrongly.

A transfer to the window (转窗口) is recorded here as well (``ReservationRecorded``, in the
same atomic save as the queue day's ``TicketTransferred`` or transferred ``TicketIssued``):
the ticket then waits for this window alone, so the transfer requires the window open and
serving the ticket's queue, and neither a close nor a change of the window's queues may leave
the ticket behind. A change dropping queues is recorded too (``ReconfigurationRecorded``,
with the window's ``WindowReconfigured``). A transfer and a close (suspension, or change
dropping the ticket's queue) racing each other therefore conflict here: the transfer, tried
again, finds the window closed (suspended, or not serving the queue) and is refused; the
close or change, tried again, finds the reserved ticket and is refused.
:attr:`WindowDay.reserved_from` names the queues the reservations came from, so a close finds
them even when the window no longer serves those queues.

A new service day is a new aggregate, as for the queue days; ticket state stays in the
queue days (this only records the window's calls, reservations, closes, suspensions and
queues dropped).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.queue.domain.day import QueueDay
from services.queue.domain.ticket import Ticket
from services.queue.domain.values import TicketStatus
from services.shared import stable_id

__all__ = ["WindowDay"]


class WindowDay(Aggregate):
    """The calls (and reservations, closes, suspensions, queues dropped) of one window on one
    service day.

    >>> from datetime import UTC
    >>> from services.queue.domain.values import Channel, PriorityGroup
    >>> now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    >>> a001 = Ticket("ZH", "2026-03-02", 1, "A001", Channel.KIOSK, PriorityGroup.NONE,
    ...               "", "", now, now)
    >>> window = WindowDay(hall_id="demo", window_code="W01", service_day="2026-03-02",
    ...                    actor="S001", timestamp=now)
    >>> window.record_call(a001, now, "S001"); (window.calls, window.last_called, window.queues)
    (1, 'ZH/1', ['ZH'])
    """

    class Started(Aggregate.Created):
        """WindowDayStarted: the window's first call (transfer to it, close, suspension or
        change dropping queues) of the day opened its record."""

        hall_id: str
        window_code: str
        service_day: str
        actor: str

    class CallRecorded(Aggregate.Event):
        """WindowCallRecorded: the window called a ticket (the day's ``TicketCalled``)."""

        queue_code: str
        number: int
        display_number: str
        called_at: datetime
        actor: str

    class ReservationRecorded(Aggregate.Event):
        """WindowReservationRecorded: a ticket was transferred to the window (转窗口) and waits
        reserved for it (the day's ``TicketTransferred`` or transferred ``TicketIssued``)."""

        queue_code: str
        number: int
        display_number: str
        reserved_at: datetime
        actor: str

    class CloseRecorded(Aggregate.Event):
        """WindowCloseRecorded: the window closed (with its ``WindowClosed``; no ticket there,
        none waiting reserved for it)."""

        closed_at: datetime
        actor: str

    class ReconfigurationRecorded(Aggregate.Event):
        """WindowReconfigurationRecorded: the window no longer serves ``dropped_queue_codes``
        (with its ``WindowReconfigured``; no ticket of theirs reserved for it)."""

        dropped_queue_codes: list[str]
        reconfigured_at: datetime
        actor: str

    class SuspensionRecorded(Aggregate.Event):
        """WindowSuspensionRecorded: the window was suspended (with its ``WindowSuspended``;
        a ticket called or in service there stays)."""

        suspended_at: datetime
        actor: str

    @event(Started)
    def __init__(
        self, hall_id: str, window_code: str, service_day: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.hall_id = hall_id
        self.window_code = window_code
        self.service_day = service_day
        self.calls = 0
        """How many tickets the window called that day."""
        self.last_called = ""
        """``<queue>/<number>`` of the ticket called last ('' before the first call)."""
        self.queues: list[str] = []
        """The queues the window called tickets from that day, in the order of first call:
        its called or served ticket is in one of their days, whatever it serves now."""
        self.reservations = 0
        """How many tickets were transferred to the window that day (转窗口)."""
        self.reserved_from: list[str] = []
        """The queues of those tickets, in the order of first reservation: a ticket still
        waiting reserved for the window is in one of their days (or of its current queues)."""
        self.closes = 0
        """How often the window was closed that day."""
        self.reconfigurations = 0
        """How often the window was reconfigured away from queues it served that day."""
        self.suspensions = 0
        """How often the window was suspended that day."""

    @staticmethod
    def create_id(hall_id: str, window_code: str, service_day: str) -> UUID:
        """One aggregate per (hall, window, service day)."""
        return stable_id(hall_id, "window-day", f"{window_code}/{service_day}")

    def held(self, days: Iterable[QueueDay]) -> list[Ticket]:
        """The tickets called to or in service at this window in ``days``.

        Pass the days of the window's current queues and of :attr:`queues`: every ticket
        the window called that day is in the latter (the former covers calls recorded
        before windows kept this record).
        """
        return [t for d in days for t in d.active_at(self.window_code)]

    def reserved(self, days: Iterable[QueueDay]) -> list[Ticket]:
        """The tickets in ``days`` waiting reserved for this window (转窗口).

        Pass the days of the window's current queues, of :attr:`queues` (a missed ticket
        requeued keeps its reservation) and of :attr:`reserved_from`.
        """
        return [t for d in days for t in d.reserved_for(self.window_code)]

    def stranded(self, days: Iterable[QueueDay], queue_codes: Collection[str]) -> list[Ticket]:
        """The tickets reserved for this window in ``days`` that it would no longer call if
        it served only ``queue_codes``: those of other queues waiting for it, and those
        called there (a missed one rejoins its line, still reserved for this window, under
        REQUEUE or DEFER). Pass the days as for :meth:`reserved`."""
        return [
            t
            for d in days
            if d.queue_code not in queue_codes
            for t in d.tickets
            if t.reserved_window == self.window_code
            and t.status in (TicketStatus.WAITING, TicketStatus.CALLED)
        ]

    def record_call(self, ticket: Ticket, now: datetime, actor: str) -> None:
        """Record that the window called ``ticket`` (called in the same save)."""
        self._call_recorded(
            ticket.queue_code, ticket.number, ticket.display_number, now, actor, timestamp=now
        )

    @event(CallRecorded)
    def _call_recorded(
        self,
        queue_code: str,
        number: int,
        display_number: str,
        called_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.calls += 1
        self.last_called = f"{queue_code}/{number}"
        if queue_code not in self.queues:
            self.queues.append(queue_code)

    def record_reservation(self, ticket: Ticket, now: datetime, actor: str) -> None:
        """Record that ``ticket`` now waits reserved for the window (transferred in the same
        save)."""
        self._reservation_recorded(
            ticket.queue_code, ticket.number, ticket.display_number, now, actor, timestamp=now
        )

    @event(ReservationRecorded)
    def _reservation_recorded(
        self,
        queue_code: str,
        number: int,
        display_number: str,
        reserved_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.reservations += 1
        if queue_code not in self.reserved_from:
            self.reserved_from.append(queue_code)

    def record_close(self, now: datetime, actor: str) -> None:
        """Record that the window closed (its ``WindowClosed`` is in the same save)."""
        self._close_recorded(now, actor, timestamp=now)

    @event(CloseRecorded)
    def _close_recorded(self, closed_at: datetime, actor: str, *, timestamp: datetime) -> None:
        self.closes += 1

    def record_reconfiguration(self, dropped: Sequence[str], now: datetime, actor: str) -> None:
        """Record that the window no longer serves the queues ``dropped`` (its
        ``WindowReconfigured`` is in the same save)."""
        self._reconfiguration_recorded(list(dropped), now, actor, timestamp=now)

    @event(ReconfigurationRecorded)
    def _reconfiguration_recorded(
        self,
        dropped_queue_codes: list[str],
        reconfigured_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.reconfigurations += 1

    def record_suspension(self, now: datetime, actor: str) -> None:
        """Record that the window was suspended (its ``WindowSuspended`` is in the same save)."""
        self._suspension_recorded(now, actor, timestamp=now)

    @event(SuspensionRecorded)
    def _suspension_recorded(
        self, suspended_at: datetime, actor: str, *, timestamp: datetime
    ) -> None:
        self.suspensions += 1
