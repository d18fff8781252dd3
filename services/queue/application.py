"""QueueService: queues are configured, tickets issued (取号), called (叫号) and served.

Window operations act for the staff member identified by ``badge``: calling needs the member
signed in at that window and the window open; operations on a called ticket need the member
signed in at the window the ticket was called to. The hall's policies (call rule, missed-number
policy) are read from the hall on every command.

Commands on a queue day are retried a few times when another command changed the same day
concurrently (kiosks issuing while windows call): each attempt re-reads and re-checks
everything, and only the last conflict reaches the caller. Two rules span aggregates and are
kept by a small aggregate saved in the same atomic save: a number prefix is one queue's per
hall (:class:`~services.queue.domain.QueuePrefix`, see :mod:`services.queue.prefixes`), and a
window calls one ticket at a time (:class:`WindowDay`, read before the queue days it guards),
which also records the tickets transferred to the window (转窗口), so none is left waiting
for a window closed meanwhile. The end of a service also saves the visit's invitation to rate
(一次一评, :mod:`services.evaluations.visits`) with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, MutableOrImmutableAggregate
from eventsourcing.persistence import JSONTranscoder

from services.catalog.domain import ServiceItem
from services.evaluations.visits import visit_evaluation_id
from services.halls.application import require_registered_hall
from services.halls.domain import Hall
from services.places.domain import Window, WindowStatus
from services.places.errors import WindowNotFoundError, WindowNotOpenError
from services.places.items import require_offered_items
from services.queue.domain import (
    Queue,
    QueueDay,
    Ticket,
    TicketStatus,
    WindowDay,
    choose_next,
)
from services.queue.errors import (
    ConcurrentChangeError,
    NoTicketWaitingError,
    NotTheTicketHolderError,
    QueueExistsError,
    QueueNotFoundError,
    QueueNotServedError,
    TicketNotFoundError,
    WindowBusyError,
)
from services.queue.invitations import (
    EndedService,
    require_handled_item,
    served_visit_invitation,
)
from services.queue.prefixes import claim_prefix, held_prefix, release_prefix
from services.queue.progress import TicketProgress, ticket_progress
from services.queue.snapshots import SNAPSHOT_INTERVAL, TicketAsDict
from services.queue.windows import held_at_window, window_day
from services.shared.application import HallApplication
from services.shared.errors import ConflictError, ValidationError
from services.shared.ids import normal_badge
from services.shared.working_days import local_date
from services.staff.directory import find_staff
from services.staff.domain import StaffMember
from services.staff.errors import StaffNotOnDutyError

__all__ = ["QueueService"]

T = TypeVar("T")


class QueueService(HallApplication):
    """Application service for one hall's queues and tickets."""

    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "256"}
    """A cache of recently used queue days, fast-forwarded from the log on every read (so
    other processes' writes are seen) and copied out: a busy day is not replayed from its
    first event for every command. Safe here and only here among the contexts: queue state
    holds no personal data (the phone stays in its event), nor do the hall, item and
    evaluation the end of a service reads to invite the visit (a rating's comment stays in
    its event too), so nothing erasable is cached."""

    conflict_attempts = 4
    """How often a queue-day command is tried when concurrent commands changed the day."""
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        QueueDay: SNAPSHOT_INTERVAL
    }
    """A busy day is loaded from its latest snapshot (see :mod:`services.queue.snapshots`)."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(TicketAsDict())

    # Configuration ---------------------------------------------------------------------------

    def configure_queue(
        self, code: str, name: str, prefix: str, item_codes: Sequence[str], actor: str
    ) -> Queue:
        """Set up a queue with its number prefix (no other queue of the hall's) and the
        catalog items it serves."""
        require_registered_hall(self)
        require_offered_items(self, item_codes)

        def attempt() -> Queue:
            if self.get_or_none(Queue.create_id(self.hall_id, code)) is not None:
                raise QueueExistsError(f"queue {code!r} is already configured")
            now = self.clock()
            queue = Queue(
                hall_id=self.hall_id,
                code=code,
                name=name,
                prefix=prefix,
                item_codes=list(item_codes),
                actor=actor,
                timestamp=now,
            )
            self._save(queue, claim_prefix(self, prefix, code, now, actor))
            return queue

        return self._retrying(attempt)

    def reconfigure_queue(
        self, code: str, name: str, prefix: str, item_codes: Sequence[str], actor: str
    ) -> Queue:
        """New name, items, or prefix (used from the queue's next service day; no other
        queue of the hall's). The old prefix is released for the other queues from the next
        service day (today's numbers may carry it: see :mod:`services.queue.prefixes`)."""
        queue = self.get_queue(code)
        require_offered_items(self, item_codes)
        now = self.clock()
        before = queue.prefix
        queue.reconfigure(name, prefix, list(item_codes), now, actor)
        changed: list[Aggregate] = [queue]
        if prefix != before:
            changed.append(claim_prefix(self, prefix, code, now, actor))
            changed.append(release_prefix(self, before, code, now, actor))
        elif held_prefix(self, prefix) is None:  # configured before prefixes were claimed
            changed.append(claim_prefix(self, prefix, code, now, actor, own=True))
        self.save_or_conflict(
            *changed, conflict=ConflictError(f"queue {code!r} or prefix {prefix!r} changed")
        )
        return queue

    # Tickets ---------------------------------------------------------------------------------

    def issue_ticket(
        self,
        queue_code: str,
        channel: str,
        actor: str,
        priority_group: str = "NONE",
        applicant_id: str = "",
        phone: str = "",
        appointment_id: str = "",
    ) -> Ticket:
        """取号: the next number of today's sequence of ``queue_code``."""

        def attempt() -> Ticket:
            now = self.clock()
            day = self._day_or_start(queue_code, now, actor)
            ticket = day.issue(
                channel, priority_group, applicant_id, phone, appointment_id, now, actor
            )
            self._save(day)
            return ticket

        with self._reading_ahead(Hall.create_id(self.hall_id), day_of=queue_code):
            require_registered_hall(self)
            return self._retrying(attempt)

    def call_next(self, window_code: str, badge: str, actor: str) -> Ticket:
        """叫号: call the next ticket, by the hall's call rule, among the window's queues.

        Refused while the window has a ticket called or in service, from whatever queue
        (the window's queues may have changed since it called it), and when the window is not
        open; the window's day is read first and saved with the call, so a call racing
        another call or a close of the window conflicts and is checked again.
        """
        badge = normal_badge(badge)  # 工号 in its canonical form: s001 is S001

        def attempt() -> Ticket:
            now = self.clock()
            service_day = local_date(now).isoformat()
            with self.reading_ahead(  # in one snapshot: the window's day is not read later
                Hall.create_id(self.hall_id),
                WindowDay.create_id(self.hall_id, window_code, service_day),
                Window.create_id(self.hall_id, window_code),
                *StaffMember.lookup_ids(self.hall_id, badge),
            ):
                rule = require_registered_hall(self).policies.call_rule
                calls = window_day(self, window_code, now, actor)  # first: see WindowDay
                window = self._require_open(self._window(window_code))  # closed meanwhile?
                self._staff(badge).require_on_duty(window_code)
            days, held = held_at_window(self, calls, window.queue_codes)
            if held:
                busy = ", ".join(t.display_number for t in held)
                raise WindowBusyError(
                    f"window {window_code!r} still has {busy}: end or mark it first"
                )
            served = [days[code] for code in window.queue_codes if code in days]
            ticket = choose_next([d.line_for(window_code) for d in served], rule)
            if ticket is None:
                raise NoTicketWaitingError(f"no ticket waits for window {window_code!r}")
            day = days[ticket.queue_code]
            ticket = day.call(ticket.number, window_code, badge, now, actor)
            calls.record_call(ticket, now, actor)
            self._save(day, calls)
            return ticket

        return self._retrying(attempt)

    def recall_ticket(
        self, queue_code: str, number: int, badge: str, actor: str, service_day: date | None = None
    ) -> Ticket:
        """重呼: call the ticket again to the staff member's (open) window."""
        badge = normal_badge(badge)
        window_code = self._duty_window(badge)
        self._require_open(self._window(window_code))
        return self._on_day(
            queue_code,
            service_day,
            lambda day, now: day.recall(number, window_code, badge, now, actor),
        )

    def start_service(
        self, queue_code: str, number: int, badge: str, actor: str, service_day: date | None = None
    ) -> Ticket:
        """The holder came to the window: service begins (not at a closed window)."""
        badge = normal_badge(badge)
        staff = StaffMember.lookup_ids(self.hall_id, badge)
        with self._reading_ahead(*staff, day_of=queue_code, on=service_day):
            window_code = self._duty_window(badge)
            window = self._window(window_code)
            if window.status is WindowStatus.CLOSED:
                raise WindowNotOpenError(f"window {window_code!r} is closed: open it to serve")
            return self._on_day(
                queue_code,
                service_day,
                lambda day, now: day.start_service(number, window_code, badge, now, actor),
            )

    def end_service(
        self,
        queue_code: str,
        number: int,
        badge: str,
        outcome: str,
        actor: str,
        service_day: date | None = None,
        item_code: str = "",
    ) -> EndedService:
        """The service ends with ``outcome`` (a ServiceOutcome value), and the visit is
        invited to rate (一次一评) in the same save: see :mod:`services.evaluations.visits`.

        ``item_code`` names the item (事项) handled, one the queue serves, for the
        invitation (and so 好评率 per item) when the queue serves several: refused
        (:func:`~services.queue.invitations.require_handled_item`) before anything changes.
        The result carries the invitation and, for an anonymous ticket, its one-time rating
        code, shown nowhere else."""
        badge = normal_badge(badge)
        on = (service_day or local_date(self.clock())).isoformat()
        with self._reading_ahead(
            *StaffMember.lookup_ids(self.hall_id, badge),
            Hall.create_id(self.hall_id),
            Queue.create_id(self.hall_id, queue_code),
            visit_evaluation_id(self.hall_id, queue_code, on, number),
            *([ServiceItem.create_id(self.hall_id, item_code)] if item_code else []),
            day_of=queue_code,
            on=service_day,
        ):
            window_code = self._duty_window(badge)
            policies = require_registered_hall(self).policies

            def attempt() -> EndedService:
                now = self.clock()
                day = self._existing_day(queue_code, service_day or local_date(now))
                if item_code:
                    require_handled_item(self, self.get_queue(queue_code), item_code)
                ticket = day.end_service(number, window_code, badge, outcome, now, actor)
                invited = served_visit_invitation(self, ticket, badge, policies, now, item_code)
                self._save(day, *([invited.evaluation] if invited else []))
                return EndedService(ticket, invited)

            return self._retrying(attempt)

    def mark_no_show(
        self, queue_code: str, number: int, badge: str, actor: str, service_day: date | None = None
    ) -> Ticket:
        """过号: the holder did not come; the hall's MissedNumberPolicy decides what follows."""
        badge = normal_badge(badge)
        window_code = self._duty_window(badge)
        policies = require_registered_hall(self).policies
        return self._on_day(
            queue_code,
            service_day,
            lambda day, now: day.mark_no_show(
                number,
                window_code,
                badge,
                policies.missed_number_policy,
                policies.missed_number_defer_places,
                now,
                actor,
            ),
        )

    def transfer_ticket(
        self,
        queue_code: str,
        number: int,
        actor: str,
        *,
        to_queue_code: str = "",
        to_window_code: str = "",
        badge: str = "",
        service_day: date | None = None,
    ) -> Ticket:
        """转号 / 转窗口: to another queue (a new number there; the ticket ends here) or to a
        window of the same (or the target) queue, where it waits at the front, reserved.

        A called or served ticket is transferred by the staff member on duty at its window;
        returns the ticket that goes on (the new one for another queue). Only that window
        may call a reserved ticket, so the window must be open (not closed, not suspended:
        ``WindowNotOpenError``, as for a call), and the reservation is recorded on the
        window's day, read first and saved with the queue day(s): a transfer racing a close,
        a suspension or a change of the window's queues conflicts and is checked again. A
        ticket of a past ``service_day`` is not transferred (``ServiceDayOverError``): no
        window calls it any more.
        """
        badge = normal_badge(badge)
        target_code = to_queue_code or queue_code
        if target_code == queue_code and not to_window_code:
            raise ValidationError("a transfer names another queue or a window")
        self.get_queue(target_code)

        def attempt() -> Ticket:
            now = self.clock()
            reservation = self._reservation(to_window_code, target_code, now, actor)
            day = self._existing_day(queue_code, service_day or local_date(now))
            ticket = day.ticket(number)
            if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING):
                self._staff(badge).require_on_duty(ticket.window_code)
            if target_code == queue_code:
                kept = day.transfer(number, queue_code, number, to_window_code, badge, now, actor)
                self._save(day, *self._reserved(reservation, kept, now, actor))
                return kept
            target = self._day_or_start(target_code, now, actor)
            if target.id == day.id:  # pragma: no cover - different queues, different days
                raise ValidationError("a ticket cannot be transferred onto its own day")
            day.transfer(
                number, target_code, target.next_number(), to_window_code, badge, now, actor
            )
            continued = target.receive_transfer(ticket, to_window_code, now, actor)
            self._save(day, target, *self._reserved(reservation, continued, now, actor))
            return continued

        return self._retrying(attempt)

    def remove_ticket(
        self,
        queue_code: str,
        number: int,
        reason: str,
        actor: str,
        *,
        holder: str | None = None,
        service_day: date | None = None,
    ) -> Ticket:
        """Remove a waiting or called ticket; with ``holder`` (an applicant id), only the
        holder's own ticket (the applicant cancels it)."""

        def remove(day: QueueDay, now: datetime) -> Ticket:
            if holder is not None and day.ticket(number).applicant_id != holder:
                raise NotTheTicketHolderError("an applicant may only cancel their own ticket")
            return day.remove(number, reason, now, actor)

        return self._on_day(queue_code, service_day, remove)

    def reset_queue(self, queue_code: str, actor: str, service_day: date | None = None) -> QueueDay:
        """Close the queue's day (today unless given): tickets still waiting are removed and
        no more tickets are issued that day. The next day starts a new sequence."""
        require_registered_hall(self)
        self.get_queue(queue_code)

        def attempt() -> QueueDay:
            now = self.clock()
            day = self._day_or_start(queue_code, now, actor, service_day or local_date(now))
            day.reset(now, actor)
            self._save(day)
            return day

        return self._retrying(attempt)

    # Reading ---------------------------------------------------------------------------------

    def get_queue(self, code: str) -> Queue:
        queue = self.get_or_none(Queue.create_id(self.hall_id, code))
        if queue is None:
            raise QueueNotFoundError(f"no queue {code!r} in this hall")
        assert isinstance(queue, Queue)
        return queue

    def get_day(self, queue_code: str, service_day: date | None = None) -> QueueDay | None:
        """The queue's day (today unless given), or None when it has no ticket yet."""
        return self._day(queue_code, service_day or local_date(self.clock()))

    def get_ticket(self, queue_code: str, number: int, service_day: date | None = None) -> Ticket:
        return self._existing_day(queue_code, service_day or local_date(self.clock())).ticket(
            number
        )

    def ticket_progress(
        self, queue_code: str, number: int, holder: str, service_day: date | None = None
    ) -> TicketProgress | None:
        """Where applicant ``holder``'s ticket stands (today unless ``service_day``): its
        state, followed through transfers to another queue, and how many wait before it;
        ``None`` for a ticket that does not exist or is not the holder's (see
        :mod:`services.queue.progress`)."""
        day = service_day or local_date(self.clock())
        return ticket_progress(self, queue_code, number, day, holder)

    # Helpers ---------------------------------------------------------------------------------

    def _day(self, queue_code: str, service_day: date) -> QueueDay | None:
        day_id = QueueDay.create_id(self.hall_id, queue_code, service_day.isoformat())
        day = self.get_or_none(day_id)
        assert day is None or isinstance(day, QueueDay)
        return day

    def _existing_day(self, queue_code: str, service_day: date) -> QueueDay:
        day = self._day(queue_code, service_day)
        if day is None:
            self.get_queue(queue_code)
            raise TicketNotFoundError(f"queue {queue_code!r} has no tickets on {service_day}")
        return day

    def _day_or_start(
        self, queue_code: str, now: datetime, actor: str, service_day: date | None = None
    ) -> QueueDay:
        """The queue's day, or a new one (not saved yet) with the queue's prefix, read after
        ``now`` was taken: a prefix released after that read is free only from the day after
        ``now``'s (:mod:`services.queue.prefixes`), never on the day started here."""
        day_of = service_day or local_date(now)
        day = self._day(queue_code, day_of)
        if day is not None:
            return day
        queue = self.get_queue(queue_code)
        return QueueDay(
            hall_id=self.hall_id,
            queue_code=queue.code,
            service_day=day_of.isoformat(),
            prefix=queue.prefix,
            started_at=now,
            actor=actor,
            timestamp=now,
        )

    def _on_day(
        self,
        queue_code: str,
        service_day: date | None,
        command: Callable[[QueueDay, datetime], Ticket],
    ) -> Ticket:
        def attempt() -> Ticket:
            now = self.clock()
            day = self._existing_day(queue_code, service_day or local_date(now))
            ticket = command(day, now)
            self._save(day)
            return ticket

        return self._retrying(attempt)

    def _reading_ahead(
        self, *aggregate_ids: UUID, day_of: str = "", on: date | None = None
    ) -> AbstractContextManager[None]:
        """:meth:`reading_ahead` of ``aggregate_ids`` and, when it is cached, of the day
        ``on`` (default today) of queue ``day_of``: a day not cached is loaded from its
        snapshot instead, not from its first event."""
        if day_of:
            day_id = QueueDay.create_id(
                self.hall_id, day_of, (on or local_date(self.clock())).isoformat()
            )
            if self._cached_version(day_id):
                aggregate_ids = (*aggregate_ids, day_id)
        return self.reading_ahead(*aggregate_ids)

    def _window(self, window_code: str) -> Window:
        window = self.get_or_none(Window.create_id(self.hall_id, window_code))
        if window is None:
            raise WindowNotFoundError(f"no window {window_code!r} in this hall")
        assert isinstance(window, Window)
        return window

    def _reservation(
        self, window_code: str, queue_code: str, now: datetime, actor: str
    ) -> WindowDay | None:
        """For a transfer to ``window_code`` (none without): the window's day, read before
        the window (see :class:`WindowDay`), once the window is found open and serving
        ``queue_code``."""
        if not window_code:
            return None
        service_day = local_date(now).isoformat()
        with self.reading_ahead(
            WindowDay.create_id(self.hall_id, window_code, service_day),
            Window.create_id(self.hall_id, window_code),
        ):
            calls = window_day(self, window_code, now, actor)  # first: see WindowDay
            window = self._window(window_code)
        if queue_code not in window.queue_codes:
            raise QueueNotServedError(f"window {window_code!r} does not serve queue {queue_code!r}")
        self._require_open(window)
        return calls

    @staticmethod
    def _reserved(
        calls: WindowDay | None, ticket: Ticket, now: datetime, actor: str
    ) -> list[WindowDay]:
        """The window's day to save with a transfer, the reservation of ``ticket`` recorded."""
        if calls is None:
            return []
        calls.record_reservation(ticket, now, actor)
        return [calls]

    @staticmethod
    def _require_open(window: Window) -> Window:
        if not window.is_open:
            raise WindowNotOpenError(f"window {window.code!r} is {window.status.value.lower()}")
        return window

    def _staff(self, badge: str) -> StaffMember:
        """The member with this badge, whatever its case (:func:`find_staff`)."""
        member = find_staff(self, badge) if badge else None
        if member is None:
            raise StaffNotOnDutyError(f"{badge or 'the caller'!r} is no staff member of this hall")
        return member

    def _duty_window(self, badge: str) -> str:
        """The window the staff member is signed in at."""
        member = self._staff(badge)
        if member.offboarded or not member.on_duty_window:
            raise StaffNotOnDutyError(f"staff {badge!r} is not signed in at a window")
        return str(member.on_duty_window)

    def _save(self, *aggregates: Aggregate) -> None:
        conflict = ConcurrentChangeError("the queue changed concurrently; try again")
        self.save_or_conflict(*aggregates, conflict=conflict)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        for _ in range(self.conflict_attempts - 1):
            try:
                return attempt()
            except ConcurrentChangeError:
                continue
        return attempt()
