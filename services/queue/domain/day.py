"""QueueDay: one queue's numbers and tickets on one service day (一个队列一天的号).

Why one aggregate per (hall, queue, service day): the day's number sequence (A001…) and the
states of its tickets are what the rules are about. "No number twice a day" and "a ticket ends
once" then hold inside one aggregate, whose version is checked on every save (optimistic
concurrency): two kiosks issuing at once cannot both take A017, and two windows cannot both
call it. A new day is a new aggregate, so the sequence resets at midnight in China without
any event; ``QueueReset`` closes a day and removes the tickets still waiting.

Every event carries the time of its command (from the application's clock), in its own field
(``issued_at``, ``called_at`` …) and as its timestamp, so waiting time (first called − issued)
and service time (ended − started) follow from the events alone.
The applicant's phone (mobile tickets) is in ``TicketIssued`` only, a personal field of its
contract; the day's state keeps the opaque ``applicant_id``, never the phone.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.halls.policies import CallRule, MissedNumberPolicy
from services.queue.domain.rules import call_order, rejoin_index, transfer_index
from services.queue.domain.ticket import Ticket, display_number
from services.queue.domain.values import (
    APPLICANT_ID,
    MAX_NUMBER,
    PHONE,
    Channel,
    PriorityGroup,
    ServiceOutcome,
    TicketStatus,
    parse,
)
from services.queue.errors import (
    QueueDayClosedError,
    QueueFullError,
    ServiceDayOverError,
    TicketAtAnotherWindowError,
    TicketEndedError,
    TicketNotCalledError,
    TicketNotFoundError,
    TicketNotInServiceError,
    TicketNotWaitingError,
    TicketStateError,
)
from services.shared import ValidationError, stable_id
from services.shared.working_days import local_date

__all__ = ["QueueDay"]

MAX_REASON = 200


class QueueDay(Aggregate):
    """The tickets of one queue on one service day, and the order of those waiting (the line).

    >>> from datetime import datetime, UTC
    >>> now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    >>> day = QueueDay(hall_id="demo", queue_code="Q1", service_day="2026-03-02", prefix="A",
    ...                started_at=now, actor="kiosk-1", timestamp=now)
    >>> day.issue("KIOSK", "NONE", "", "", "", now, "kiosk-1").display_number
    'A001'
    >>> day.call(1, "W01", "S001", now, "S001").status
    <TicketStatus.CALLED: 'CALLED'>
    """

    class Started(Aggregate.Created):
        """QueueDayStarted: the queue's first ticket (or reset) of the day opened its sequence."""

        hall_id: str
        queue_code: str
        service_day: str
        prefix: str
        started_at: datetime
        actor: str

    class TicketIssued(Aggregate.Event):
        """TicketIssued: the next number of the day was given to an applicant (取号)."""

        number: int
        display_number: str
        channel: str
        priority_group: str
        applicant_id: str
        phone: str
        appointment_id: str
        transferred_from: str
        reserved_window: str
        waiting_since: datetime
        issued_at: datetime
        actor: str

    class TicketCalled(Aggregate.Event):
        """TicketCalled: a window called the ticket (叫号)."""

        number: int
        display_number: str
        window_code: str
        staff_badge: str
        called_at: datetime
        actor: str

    class TicketRecalled(Aggregate.Event):
        """TicketRecalled: the window called the ticket again (重呼)."""

        number: int
        display_number: str
        window_code: str
        staff_badge: str
        recalled_at: datetime
        actor: str

    class ServiceStarted(Aggregate.Event):
        """ServiceStarted: the holder came to the window and service began."""

        number: int
        window_code: str
        staff_badge: str
        started_at: datetime
        actor: str

    class ServiceEnded(Aggregate.Event):
        """ServiceEnded: the service at the window ended with an outcome."""

        number: int
        window_code: str
        staff_badge: str
        outcome: str
        ended_at: datetime
        actor: str

    class TicketMarkedNoShow(Aggregate.Event):
        """TicketMarkedNoShow: the holder did not come (过号); ``policy`` says what followed."""

        number: int
        window_code: str
        staff_badge: str
        policy: str
        defer_places: int
        marked_at: datetime
        actor: str

    class TicketTransferred(Aggregate.Event):
        """TicketTransferred: to a window of the same queue, or to another queue (new number)."""

        number: int
        to_queue_code: str
        to_number: int
        to_window_code: str
        staff_badge: str
        transferred_at: datetime
        actor: str

    class TicketRemoved(Aggregate.Event):
        """TicketRemoved: cancelled by its holder or removed by staff, with a reason."""

        number: int
        reason: str
        removed_at: datetime
        actor: str

    class QueueReset(Aggregate.Event):
        """QueueReset: the day is closed; the tickets still waiting or called are removed."""

        removed_numbers: list[int]
        reset_at: datetime
        actor: str

    @event(Started)
    def __init__(
        self,
        hall_id: str,
        queue_code: str,
        service_day: str,
        prefix: str,
        started_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.hall_id = hall_id
        self.queue_code = queue_code
        self.service_day = service_day
        self.prefix = prefix
        self.tickets: list[Ticket] = []
        """Ticket ``n`` is ``tickets[n - 1]``: numbers run 1, 2, 3 … without gaps."""
        self.line: list[int] = []
        """The numbers of the waiting tickets, in the order the queue offers them."""
        self.reset_at: datetime | None = None

    @staticmethod
    def create_id(hall_id: str, queue_code: str, service_day: str) -> UUID:
        """One aggregate per (hall, queue, service day)."""
        return stable_id(hall_id, "queue-day", f"{queue_code}/{service_day}")

    def __deepcopy__(self, memo: dict[int, Any]) -> QueueDay:
        """The repository hands out deep copies of cached days; tickets are frozen (a change
        replaces the ticket) and the line holds numbers, so copies of the two lists are deep
        copies, at the cost of two list copies whatever the day's size (a busy day has
        hundreds of tickets and is read by every queue command)."""
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            shallow = name in ("tickets", "line")
            clone.__dict__[name] = list(value) if shallow else copy.deepcopy(value, memo)
        return clone

    # Queries -------------------------------------------------------------------------------

    @property
    def is_reset(self) -> bool:
        return self.reset_at is not None

    def ticket(self, number: int) -> Ticket:
        if not 1 <= number <= len(self.tickets):
            raise TicketNotFoundError(
                f"no ticket {number} in queue {self.queue_code!r} on {self.service_day}"
            )
        return self.tickets[number - 1]

    def waiting(self) -> list[Ticket]:
        """The waiting tickets in line order."""
        return [self.tickets[n - 1] for n in self.line]

    def line_for(self, window_code: str) -> list[Ticket]:
        """The waiting tickets ``window_code`` may call, in line order."""
        return [t for t in self.waiting() if t.callable_at(window_code)]

    def active_at(self, window_code: str) -> list[Ticket]:
        """Tickets called to or in service at ``window_code``."""
        return [
            t
            for t in self.tickets
            if t.window_code == window_code
            and t.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        ]

    def reserved_for(self, window_code: str) -> list[Ticket]:
        """Waiting tickets only ``window_code`` may call (转窗口), in line order."""
        return [t for t in self.waiting() if t.reserved_window == window_code]

    def ahead_of(self, number: int, rule: CallRule) -> int | None:
        """How many waiting tickets this queue offers before ticket ``number`` under ``rule``
        (:func:`~services.queue.domain.rules.call_order`); ``None`` unless it waits.

        A ticket reserved for a window (转窗口) counts in the line that window may call; any
        other ticket in the whole line, tickets reserved for windows included (they wait at
        the front and are called before it by their windows). A window serving other queues
        too may call their tickets in between, and under PRIORITY_THEN_LONGEST_WAITING a
        priority ticket issued later goes before it: the count may grow.
        """
        ticket = self.ticket(number)
        if ticket.status is not TicketStatus.WAITING:
            return None
        line = self.line_for(ticket.reserved_window) if ticket.reserved_window else self.waiting()
        order = [t.number for t in call_order(line, rule)]
        return order.index(number)

    # Issue ---------------------------------------------------------------------------------

    def issue(
        self,
        channel: str,
        priority_group: str,
        applicant_id: str,
        phone: str,
        appointment_id: str,
        now: datetime,
        actor: str,
    ) -> Ticket:
        """取号: give the day's next number (kiosk, appointment check-in or mobile)."""
        kind = parse(Channel, channel, "channel")
        if kind is Channel.TRANSFER:
            raise ValidationError("TRANSFER tickets come from transferring a ticket")
        parse(PriorityGroup, priority_group, "priority group")
        if applicant_id and not APPLICANT_ID.match(applicant_id):
            raise ValidationError("an applicant id is an opaque key of 1-64 characters")
        if phone and not PHONE.match(phone):
            raise ValidationError("invalid phone number")
        if kind is Channel.APPOINTMENT and not appointment_id.strip():
            raise ValidationError("an appointment check-in needs the appointment id")
        if len(appointment_id) > 64:
            raise ValidationError("an appointment id is up to 64 characters")
        self._check_can_issue()
        number = len(self.tickets) + 1
        self._ticket_issued(
            number,
            display_number(self.prefix, number),
            kind.value,
            priority_group,
            applicant_id,
            phone,
            appointment_id.strip(),
            "",
            "",
            now,
            now,
            actor,
            timestamp=now,
        )
        return self.tickets[-1]

    def receive_transfer(
        self, source: Ticket, to_window_code: str, now: datetime, actor: str
    ) -> Ticket:
        """The continuation of ``source`` (from another queue) under this day's next number."""
        self._check_can_issue()
        number = len(self.tickets) + 1
        self._ticket_issued(
            number,
            display_number(self.prefix, number),
            Channel.TRANSFER.value,
            source.priority_group.value,
            source.applicant_id,
            "",
            source.appointment_id,
            f"{source.queue_code}/{source.number}",
            to_window_code,
            source.waiting_since,
            now,
            actor,
            timestamp=now,
        )
        return self.tickets[-1]

    def next_number(self) -> int:
        """The number the next ticket of the day gets."""
        return len(self.tickets) + 1

    def _check_can_issue(self) -> None:
        if self.is_reset:
            raise QueueDayClosedError(
                f"queue {self.queue_code!r} was reset for {self.service_day}: no more tickets"
            )
        if len(self.tickets) >= MAX_NUMBER:
            raise QueueFullError(f"queue {self.queue_code!r} issued all {MAX_NUMBER} numbers")

    @event(TicketIssued)
    def _ticket_issued(
        self,
        number: int,
        display_number: str,
        channel: str,
        priority_group: str,
        applicant_id: str,
        phone: str,
        appointment_id: str,
        transferred_from: str,
        reserved_window: str,
        waiting_since: datetime,
        issued_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        ticket = Ticket(
            queue_code=self.queue_code,
            service_day=self.service_day,
            number=number,
            display_number=display_number,
            channel=Channel(channel),
            priority_group=PriorityGroup(priority_group),
            applicant_id=applicant_id,
            appointment_id=appointment_id,
            issued_at=issued_at,
            waiting_since=waiting_since,
            transferred_from=transferred_from,
            reserved_window=reserved_window,
        )
        self.tickets.append(ticket)
        if ticket.transferred_in:
            self.line.insert(transfer_index(self.waiting()), number)
        else:
            self.line.append(number)

    # At the window -------------------------------------------------------------------------

    def call(
        self, number: int, window_code: str, staff_badge: str, now: datetime, actor: str
    ) -> Ticket:
        """叫号: call a waiting ticket to ``window_code``."""
        ticket = self._require(number, TicketStatus.WAITING, TicketNotWaitingError)
        if not ticket.callable_at(window_code):
            raise TicketAtAnotherWindowError(
                f"{ticket.display_number} is reserved for window {ticket.reserved_window!r}"
            )
        self._ticket_called(
            number, ticket.display_number, window_code, staff_badge, now, actor, timestamp=now
        )
        return self.tickets[number - 1]

    @event(TicketCalled)
    def _ticket_called(
        self,
        number: int,
        display_number: str,
        window_code: str,
        staff_badge: str,
        called_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.line.remove(number)
        first = self.tickets[number - 1].first_called_at
        self._change(
            number,
            status=TicketStatus.CALLED,
            window_code=window_code,
            staff_badge=staff_badge,
            called_at=called_at,
            first_called_at=called_at if first is None else first,
        )

    def recall(
        self, number: int, window_code: str, staff_badge: str, now: datetime, actor: str
    ) -> Ticket:
        """重呼: call the ticket again to the window that called it."""
        ticket = self._require(number, TicketStatus.CALLED, TicketNotCalledError, window_code)
        self._ticket_recalled(
            number, ticket.display_number, window_code, staff_badge, now, actor, timestamp=now
        )
        return self.tickets[number - 1]

    @event(TicketRecalled)
    def _ticket_recalled(
        self,
        number: int,
        display_number: str,
        window_code: str,
        staff_badge: str,
        recalled_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        recalls = self.tickets[number - 1].recalls + 1
        self._change(number, recalls=recalls, called_at=recalled_at)

    def start_service(
        self, number: int, window_code: str, staff_badge: str, now: datetime, actor: str
    ) -> Ticket:
        """The holder came: service begins at the window that called the ticket."""
        self._require(number, TicketStatus.CALLED, TicketNotCalledError, window_code)
        self._service_started(number, window_code, staff_badge, now, actor, timestamp=now)
        return self.tickets[number - 1]

    @event(ServiceStarted)
    def _service_started(
        self,
        number: int,
        window_code: str,
        staff_badge: str,
        started_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self._change(
            number, status=TicketStatus.SERVING, staff_badge=staff_badge, started_at=started_at
        )

    def end_service(
        self,
        number: int,
        window_code: str,
        staff_badge: str,
        outcome: str,
        now: datetime,
        actor: str,
    ) -> Ticket:
        """The service ends with ``outcome`` (a :class:`ServiceOutcome`); the ticket ends."""
        parse(ServiceOutcome, outcome, "outcome")
        self._require(number, TicketStatus.SERVING, TicketNotInServiceError, window_code)
        self._service_ended(number, window_code, staff_badge, outcome, now, actor, timestamp=now)
        return self.tickets[number - 1]

    @event(ServiceEnded)
    def _service_ended(
        self,
        number: int,
        window_code: str,
        staff_badge: str,
        outcome: str,
        ended_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self._change(
            number, status=TicketStatus.ENDED, outcome=ServiceOutcome(outcome), ended_at=ended_at
        )

    def mark_no_show(
        self,
        number: int,
        window_code: str,
        staff_badge: str,
        policy: MissedNumberPolicy,
        defer_places: int,
        now: datetime,
        actor: str,
    ) -> Ticket:
        """过号: the called holder did not come; the hall's policy decides what follows."""
        self._require(number, TicketStatus.CALLED, TicketNotCalledError, window_code)
        places = defer_places if policy is MissedNumberPolicy.DEFER else 0
        self._marked_no_show(
            number, window_code, staff_badge, policy.value, places, now, actor, timestamp=now
        )
        return self.tickets[number - 1]

    @event(TicketMarkedNoShow)
    def _marked_no_show(
        self,
        number: int,
        window_code: str,
        staff_badge: str,
        policy: str,
        defer_places: int,
        marked_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        ticket = self.tickets[number - 1]
        misses = ticket.misses + 1
        rule = MissedNumberPolicy(policy)
        index = rejoin_index(rule, len(self.line), defer_places)
        if index is None:
            self._change(number, misses=misses, status=TicketStatus.NO_SHOW, ended_at=marked_at)
            return
        since = marked_at if rule is MissedNumberPolicy.REQUEUE else ticket.waiting_since
        self._change(number, misses=misses, status=TicketStatus.WAITING, waiting_since=since)
        self.line.insert(index, number)

    # Transfer, removal, reset --------------------------------------------------------------

    def transfer(
        self,
        number: int,
        to_queue_code: str,
        to_number: int,
        to_window_code: str,
        staff_badge: str,
        now: datetime,
        actor: str,
    ) -> Ticket:
        """转号 / 转窗口: within this queue to a window (the ticket waits again, at the front,
        reserved for it), or to another queue (the ticket ends here; ``to_number`` goes on).

        Only on the day's own service day (the date of ``now`` in China): windows call from
        today's days only, so a ticket of a past day would wait for ever, or go on today as
        a ticket of another day."""
        ticket = self._require(number, None, TicketStateError)
        if local_date(now).isoformat() != self.service_day:
            raise ServiceDayOverError(
                f"{ticket.display_number} is of {self.service_day}, a past service day: no "
                "window calls it any more, so it is not transferred (take a new ticket)"
            )
        if to_queue_code == self.queue_code:
            if not to_window_code or to_number != number:
                raise ValidationError("a transfer within the queue names the window to serve it")
        elif to_number < 1:
            raise ValidationError("a transfer to another queue continues under a new number")
        self._ticket_transferred(
            number, to_queue_code, to_number, to_window_code, staff_badge, now, actor, timestamp=now
        )
        return self.tickets[number - 1]

    @event(TicketTransferred)
    def _ticket_transferred(
        self,
        number: int,
        to_queue_code: str,
        to_number: int,
        to_window_code: str,
        staff_badge: str,
        transferred_at: datetime,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        if number in self.line:
            self.line.remove(number)
        if to_queue_code == self.queue_code:
            self._change(number, status=TicketStatus.WAITING, reserved_window=to_window_code)
            self.line.insert(transfer_index(self.waiting()), number)
            return
        self._change(
            number,
            status=TicketStatus.TRANSFERRED,
            ended_at=transferred_at,
            transferred_to=f"{to_queue_code}/{to_number}",
        )

    def remove(self, number: int, reason: str, now: datetime, actor: str) -> Ticket:
        """Remove a waiting or called ticket (cancelled by its holder, or by staff)."""
        ticket = self._require(number, None, TicketStateError)
        if ticket.status is TicketStatus.SERVING:
            raise TicketStateError(f"{ticket.display_number} is in service: end the service")
        if not reason.strip() or len(reason) > MAX_REASON:
            raise ValidationError(f"removing a ticket needs a reason (up to {MAX_REASON})")
        self._ticket_removed(number, reason.strip(), now, actor, timestamp=now)
        return self.tickets[number - 1]

    @event(TicketRemoved)
    def _ticket_removed(
        self, number: int, reason: str, removed_at: datetime, actor: str, *, timestamp: datetime
    ) -> None:
        if number in self.line:
            self.line.remove(number)
        self._change(number, status=TicketStatus.REMOVED, end_reason=reason, ended_at=removed_at)

    def reset(self, now: datetime, actor: str) -> list[int]:
        """Close the day: tickets still waiting or called are removed; returns their numbers."""
        if self.is_reset:
            raise QueueDayClosedError(f"queue {self.queue_code!r} was already reset that day")
        removed = [
            t.number
            for t in self.tickets
            if t.status in (TicketStatus.WAITING, TicketStatus.CALLED)
        ]
        self._queue_reset(removed, now, actor, timestamp=now)
        return removed

    @event(QueueReset)
    def _queue_reset(
        self, removed_numbers: list[int], reset_at: datetime, actor: str, *, timestamp: datetime
    ) -> None:
        for number in removed_numbers:
            self._change(number, status=TicketStatus.REMOVED, end_reason="RESET", ended_at=reset_at)
        self.line.clear()
        self.reset_at = reset_at

    def _change(self, number: int, **changes: Any) -> None:
        """Ticket ``number`` with ``changes``: a new :class:`Ticket` (tickets are frozen, so
        the copies of a cached day the repository hands out can share them)."""
        self.tickets[number - 1] = replace(self.tickets[number - 1], **changes)

    def _require(
        self,
        number: int,
        status: TicketStatus | None,
        error: type[TicketStateError],
        window_code: str | None = None,
    ) -> Ticket:
        """The ticket, if it has not ended, is in ``status`` (any when None) and is at
        ``window_code`` (when given)."""
        ticket = self.ticket(number)
        if ticket.status.is_final:
            raise TicketEndedError(
                f"{ticket.display_number} already ended ({ticket.status.value.lower()})"
            )
        if status is not None and ticket.status is not status:
            raise error(f"{ticket.display_number} is {ticket.status.value.lower()}")
        if window_code is not None and ticket.window_code != window_code:
            raise TicketAtAnotherWindowError(
                f"{ticket.display_number} was called to window {ticket.window_code!r}"
            )
        return ticket


QUEUE_DAY_EVENTS: tuple[type[QueueDay.Event], ...] = (
    QueueDay.Started,
    QueueDay.TicketIssued,
    QueueDay.TicketCalled,
    QueueDay.TicketRecalled,
    QueueDay.ServiceStarted,
    QueueDay.ServiceEnded,
    QueueDay.TicketMarkedNoShow,
    QueueDay.TicketTransferred,
    QueueDay.TicketRemoved,
    QueueDay.QueueReset,
)
"""Every event a queue day records: what read models of its tickets fold."""
