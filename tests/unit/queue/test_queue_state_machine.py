"""Random command sequences against the queue, checked against a plain model of the rules.

The machine drives a hall (two queues, three windows, one staff member per window) with
issues, calls, recalls, service, no-shows, transfers, removals, resets, suspensions, duty
changes, time passing and days changing — legal commands and illegal ones alike — and checks:

* no number is issued twice a day: each (queue, day) numbers its tickets 1, 2, 3 … once;
* a ticket ends once: at most one ending event per ticket, and no event after it;
* the call order respects the hall's call rule: every call picks the model's ticket;
* the missed-number policy is honoured: the line after a no-show is the model's line;
* a refused command records nothing, and fails with the error the model expects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from services.halls import CallRule, HallPolicies, HallRegistry, MissedNumberPolicy
from services.places import PlacesService, WindowNotOpenError
from services.queue import (
    NoTicketWaitingError,
    QueueDay,
    QueueDayClosedError,
    QueueService,
    TicketAtAnotherWindowError,
    TicketEndedError,
    TicketNotCalledError,
    TicketNotInServiceError,
    TicketStateError,
    WindowBusyError,
)
from services.shared.errors import DomainError
from services.shared.working_days import local_date
from services.staff import StaffNotOnDutyError, StaffService
from tests.unit.queue.support import Clock, in_memory, new_recorder

QUEUES = {"ZH": "A", "BD": "B"}
WINDOWS = {"W1": ["ZH", "BD"], "W2": ["BD"], "W3": ["ZH"]}
STAFF = {"W1": "S1", "W2": "S2", "W3": "S3"}
FINAL = {"ENDED", "NO_SHOW", "REMOVED", "TRANSFERRED"}
OPS = ["recall", "start", "end", "no_show"]


@dataclass
class Model:
    """The model's ticket: only what the rules need."""

    number: int
    priority: bool
    waiting_since: datetime
    status: str = "WAITING"
    window: str = ""
    reserved: str = ""
    transferred: bool = False
    missed: bool = False
    """Missed (过号) and put back in the line: it no longer goes first."""

    @property
    def transferred_in(self) -> bool:
        return self.transferred or bool(self.reserved)


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        recorder = new_recorder()
        self.clock = Clock()
        self.registry = in_memory(HallRegistry, "h", recorder)
        self.places = in_memory(PlacesService, "h", recorder)
        self.staff = in_memory(StaffService, "h", recorder)
        self.queue = in_memory(QueueService, "h", recorder)
        for app in (self.places, self.staff, self.queue):
            app.clock = self.clock
        self.registry.register_hall("测试大厅", "", "op")
        for code, prefix in QUEUES.items():
            self.queue.configure_queue(code, f"队列{code}", prefix, [], "admin")
        for window, queues in WINDOWS.items():
            badge = STAFF[window]
            self.places.configure_window(
                window, window, "COMPREHENSIVE", [], "a", queue_codes=queues
            )
            self.places.open_window(window, "admin")
            self.staff.onboard_staff(badge, f"员工{badge}", "WINDOW_STAFF", [], "admin")
            self.staff.assign_to_window(badge, window, "A", "admin")
            self.staff.sign_in(badge, window, badge)
        self.tickets: dict[tuple[str, str], list[Model]] = defaultdict(list)
        self.lines: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.closed: set[tuple[str, str]] = set()
        self.open = dict.fromkeys(WINDOWS, True)
        self.on_duty = dict.fromkeys(WINDOWS, True)
        self.rule = CallRule.PRIORITY_THEN_LONGEST_WAITING
        self.policy = MissedNumberPolicy.KEEP
        self.defer = 3
        # What the event log said so far (read incrementally by the invariant).
        self.read_up_to = 0
        self.queue_of: dict[UUID, str] = {}
        self.ended: set[tuple[UUID, int]] = set()

    # Helpers ---------------------------------------------------------------------------------

    @property
    def today(self) -> str:
        return local_date(self.clock()).isoformat()

    def key(self, queue: str) -> tuple[str, str]:
        return (queue, self.today)

    def expect_refusal(self, error: type[DomainError], command: Callable[[], Any]) -> None:
        before = self.queue.recorder.max_notification_id()
        with pytest.raises(DomainError) as raised:
            command()
        assert type(raised.value) is error, f"expected {error.__name__}, got {raised.value!r}"
        assert self.queue.recorder.max_notification_id() == before

    def active(self, window: str) -> list[tuple[str, Model]]:
        return [
            (q, t)
            for q in WINDOWS[window]
            for t in self.tickets[self.key(q)]
            if t.window == window and t.status in ("CALLED", "SERVING")
        ]

    def busy_windows(self) -> list[str]:
        return [w for w in WINDOWS if self.active(w)]

    def transfer_index(self, key: tuple[str, str]) -> int:
        line, tickets = self.lines[key], self.tickets[key]
        index = 0
        while index < len(line) and tickets[line[index] - 1].transferred_in:
            index += 1
        return index

    # Rules -----------------------------------------------------------------------------------

    @initialize(
        call_rule=st.sampled_from(CallRule),
        policy=st.sampled_from(MissedNumberPolicy),
        defer=st.integers(0, 4),
    )
    def choose_policies(self, call_rule: CallRule, policy: MissedNumberPolicy, defer: int) -> None:
        self.rule, self.policy, self.defer = call_rule, policy, defer
        wanted = HallPolicies(
            call_rule=call_rule, missed_number_policy=policy, missed_number_defer_places=defer
        )
        self.registry.change_policies(wanted, "admin")

    @rule(
        queue=st.sampled_from(list(QUEUES)),
        priorities=st.lists(st.booleans(), min_size=1, max_size=3),
        minutes=st.integers(0, 3),
    )
    def issue(self, queue: str, priorities: list[bool], minutes: int) -> None:
        """Tickets taken a few minutes apart (0: at the same instant)."""
        for priority in priorities:
            self.clock.advance(minutes=minutes)
            self.issue_one(queue, priority)

    def issue_one(self, queue: str, priority: bool) -> None:
        key = self.key(queue)
        group = "SENIOR" if priority else "NONE"
        if key in self.closed:
            self.expect_refusal(
                QueueDayClosedError, lambda: self.queue.issue_ticket(queue, "KIOSK", "k", group)
            )
            return
        ticket = self.queue.issue_ticket(queue, "KIOSK", "k", group)
        number = len(self.tickets[key]) + 1
        assert (ticket.number, ticket.display_number) == (number, f"{QUEUES[queue]}{number:03d}")
        self.tickets[key].append(Model(number, priority, self.clock()))
        self.lines[key].append(number)

    @rule(window=st.sampled_from(list(WINDOWS)), minutes=st.integers(0, 10))
    def call_next(self, window: str, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        badge = STAFF[window]

        def command() -> Any:
            return self.queue.call_next(window, badge, badge)

        if not self.open[window]:
            return self.expect_refusal(WindowNotOpenError, command)
        if not self.on_duty[window]:
            return self.expect_refusal(StaffNotOnDutyError, command)
        if self.active(window):
            return self.expect_refusal(WindowBusyError, command)
        offers = []
        for index, queue in enumerate(WINDOWS[window]):
            key = self.key(queue)
            line = [
                self.tickets[key][n - 1]
                for n in self.lines[key]
                if self.tickets[key][n - 1].reserved in ("", window)
            ]
            if not line:
                continue
            head, first = line[0], False
            if self.rule is CallRule.PRIORITY_THEN_LONGEST_WAITING:
                head = next((t for t in line if t.priority and not t.missed), line[0])
                first = head.priority and not head.missed
            offers.append(((not first, head.waiting_since, index), queue, head))
        if not offers:
            return self.expect_refusal(NoTicketWaitingError, command)
        _, queue, expected = min(offers, key=lambda offer: offer[0])
        called = command()
        assert (called.queue_code, called.number) == (queue, expected.number), "call rule broken"
        self.lines[self.key(queue)].remove(expected.number)
        expected.status, expected.window = "CALLED", window
        return None

    @precondition(lambda self: self.busy_windows())
    @rule(choice=st.integers(0, 2), op=st.sampled_from(OPS))
    def act_on_a_current_ticket(self, choice: int, op: str) -> None:
        """What a window mostly does: recall, start, end or miss the ticket it called."""
        windows = self.busy_windows()
        window = windows[choice % len(windows)]
        queue, ticket = self.active(window)[0]
        self.act(window, op, queue, ticket)

    @rule(
        window=st.sampled_from(list(WINDOWS)),
        op=st.sampled_from([*OPS, "remove"]),
        queue=st.sampled_from(list(QUEUES)),
        choice=st.integers(0, 10_000),
    )
    def act_on_any_ticket(self, window: str, op: str, queue: str, choice: int) -> None:
        """Mostly illegal: any operation on any of today's tickets, from any window."""
        tickets = self.tickets[self.key(queue)]
        if not tickets:
            return
        ticket = tickets[choice % len(tickets)]
        if op == "remove":
            self.remove(queue, ticket)
        else:
            self.act(window, op, queue, ticket)

    def act(self, window: str, op: str, queue: str, ticket: Model) -> None:
        badge, q, number = STAFF[window], self.queue, ticket.number
        command = {
            "recall": lambda: q.recall_ticket(queue, number, badge, badge),
            "start": lambda: q.start_service(queue, number, badge, badge),
            "end": lambda: q.end_service(queue, number, badge, "COMPLETED", badge),
            "no_show": lambda: q.mark_no_show(queue, number, badge, badge),
        }[op]
        needed = "SERVING" if op == "end" else "CALLED"
        if not self.on_duty[window]:
            return self.expect_refusal(StaffNotOnDutyError, command)
        if op == "recall" and not self.open[window]:
            return self.expect_refusal(WindowNotOpenError, command)
        if ticket.status in FINAL:
            return self.expect_refusal(TicketEndedError, command)
        if ticket.status != needed:
            error = TicketNotInServiceError if op == "end" else TicketNotCalledError
            return self.expect_refusal(error, command)
        if ticket.window != window:
            return self.expect_refusal(TicketAtAnotherWindowError, command)
        command()
        if op == "start":
            ticket.status = "SERVING"
        elif op == "end":
            ticket.status = "ENDED"
        elif op == "no_show":
            self.miss(queue, ticket)
        return None

    def miss(self, queue: str, ticket: Model) -> None:
        line = self.lines[self.key(queue)]
        if self.policy is MissedNumberPolicy.KEEP:
            ticket.status = "NO_SHOW"
            return
        ticket.status, ticket.missed = "WAITING", True
        if self.policy is MissedNumberPolicy.REQUEUE:
            ticket.waiting_since = self.clock()
            line.append(ticket.number)
        else:
            line.insert(min(self.defer, len(line)), ticket.number)
        actual = [t.number for t in self.queue.get_day(queue).waiting()]
        assert actual == line, "missed-number policy not honoured"

    def remove(self, queue: str, ticket: Model) -> None:
        def command() -> Any:
            return self.queue.remove_ticket(queue, ticket.number, "离开", "admin")

        if ticket.status in FINAL:
            return self.expect_refusal(TicketEndedError, command)
        if ticket.status == "SERVING":
            return self.expect_refusal(TicketStateError, command)
        command()
        if ticket.status == "WAITING":
            self.lines[self.key(queue)].remove(ticket.number)
        ticket.status = "REMOVED"
        return None

    @precondition(lambda self: self.busy_windows())
    @rule(choice=st.integers(0, 2), to_other_queue=st.booleans(), reserve=st.integers(0, 3))
    def transfer_a_current_ticket(self, choice: int, to_other_queue: bool, reserve: int) -> None:
        windows = self.busy_windows()
        window = windows[choice % len(windows)]
        queue, ticket = self.active(window)[0]
        target = next(q for q in QUEUES if q != queue) if to_other_queue else queue
        serving = [w for w, qs in WINDOWS.items() if target in qs]
        to_window = "" if reserve >= len(serving) else serving[reserve]
        if target == queue and not to_window:
            to_window = serving[0]
        badge = STAFF[window]

        def command() -> Any:
            return self.queue.transfer_ticket(
                queue,
                ticket.number,
                badge,
                to_queue_code="" if target == queue else target,
                to_window_code=to_window,
                badge=badge,
            )

        if to_window and not self.open[to_window]:  # suspended: only it may call the ticket
            return self.expect_refusal(WindowNotOpenError, command)
        if not self.on_duty[window]:
            return self.expect_refusal(StaffNotOnDutyError, command)
        source_key, target_key = self.key(queue), self.key(target)
        if target != queue and target_key in self.closed:
            return self.expect_refusal(QueueDayClosedError, command)
        result = command()
        if target == queue:
            ticket.status, ticket.reserved = "WAITING", to_window
            self.lines[source_key].insert(self.transfer_index(source_key), ticket.number)
            assert result.number == ticket.number
            return None
        ticket.status = "TRANSFERRED"
        number = len(self.tickets[target_key]) + 1
        moved = Model(number, ticket.priority, ticket.waiting_since, reserved=to_window)
        moved.transferred = True
        index = self.transfer_index(target_key)
        self.tickets[target_key].append(moved)
        self.lines[target_key].insert(index, number)
        assert (result.queue_code, result.number) == (target, number)
        return None

    @precondition(lambda self: any(len(self.tickets[self.key(q)]) >= 6 for q in QUEUES))
    @rule(queue=st.sampled_from(list(QUEUES)))
    def reset(self, queue: str) -> None:
        key = self.key(queue)
        if key in self.closed:
            self.expect_refusal(
                QueueDayClosedError, lambda: self.queue.reset_queue(queue, "system")
            )
            return
        self.queue.reset_queue(queue, "system")
        for ticket in self.tickets[key]:
            if ticket.status in ("WAITING", "CALLED"):
                ticket.status = "REMOVED"
        self.lines[key].clear()
        self.closed.add(key)

    @precondition(lambda self: sum(len(self.tickets[self.key(q)]) for q in QUEUES) >= 10)
    @rule()
    def next_day(self) -> None:
        self.clock.advance(days=1)

    @rule(window=st.sampled_from(list(WINDOWS)), duty=st.booleans())
    def disturb_or_restore(self, window: str, duty: bool) -> None:
        """Suspend a window or sign its staff member out; or restore the one disturbed
        (at most one window is disturbed at a time, so the hall keeps working)."""
        down = [w for w in WINDOWS if not (self.open[w] and self.on_duty[w])]
        if down:
            window = down[0]
            if not self.open[window]:
                self.places.resume_window(window, "admin")
                self.open[window] = True
            else:
                self.staff.sign_in(STAFF[window], window, STAFF[window])
                self.on_duty[window] = True
        elif duty:
            self.staff.sign_out(STAFF[window], STAFF[window])
            self.on_duty[window] = False
        else:
            self.places.suspend_window(window, "暂停", "admin")
            self.open[window] = False

    # Invariants ------------------------------------------------------------------------------

    @invariant()
    def the_days_agree_with_the_model(self) -> None:
        for (queue, day_of), tickets in self.tickets.items():
            if not tickets and (queue, day_of) not in self.closed:
                continue  # the model looked, but the day never started
            day = self.queue.repository.get(QueueDay.create_id("h", queue, day_of))
            assert [t.number for t in day.tickets] == list(range(1, len(tickets) + 1))
            assert len({t.display_number for t in day.tickets}) == len(day.tickets)
            assert [t.status.value for t in day.tickets] == [t.status for t in tickets]
            assert day.line == self.lines[(queue, day_of)]

    @invariant()
    def every_ticket_ends_once(self) -> None:
        """Read from the log: at most one ending per ticket, and nothing after it."""
        notifications = self.queue.recorder.select_notifications(
            start=self.read_up_to + 1, limit=100_000
        )
        for notification in notifications:
            self.read_up_to = notification.id
            event = self.queue.mapper.to_domain_event(notification)
            if isinstance(event, QueueDay.Started):
                self.queue_of[event.originator_id] = event.queue_code
                continue
            day = event.originator_id
            if day not in self.queue_of:
                continue  # not a queue day's event
            numbers = (
                list(event.removed_numbers)
                if isinstance(event, QueueDay.QueueReset)
                else [event.number]
            )
            for number in numbers:
                assert (day, number) not in self.ended, f"an event after ticket {number} ended"
            if _ends(event, self.queue_of[day]):
                self.ended.update((day, number) for number in numbers)


def _ends(event: object, queue: str) -> bool:
    if isinstance(event, QueueDay.ServiceEnded | QueueDay.TicketRemoved | QueueDay.QueueReset):
        return True
    if isinstance(event, QueueDay.TicketMarkedNoShow):
        return event.policy == MissedNumberPolicy.KEEP.value
    if isinstance(event, QueueDay.TicketTransferred):
        return event.to_queue_code != queue
    return False


QueueMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestQueueMachine = QueueMachine.TestCase


def test_the_model_sees_a_day_change_at_midnight_in_beijing() -> None:
    machine = QueueMachine()
    machine.clock.now = machine.clock.now.replace(hour=15, minute=59)
    assert machine.today == "2026-03-02"
    machine.clock.advance(minutes=1)
    assert machine.today == "2026-03-03"
