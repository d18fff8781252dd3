"""A ticket at the window: called (叫号), recalled (重呼), served, ended — and what is refused."""

from __future__ import annotations

import pytest

from services.places import WindowNotFoundError, WindowNotOpenError
from services.queue import (
    NoTicketWaitingError,
    ServiceOutcome,
    TicketAtAnotherWindowError,
    TicketEndedError,
    TicketNotCalledError,
    TicketNotFoundError,
    TicketNotInServiceError,
    TicketNotWaitingError,
    TicketStatus,
    WindowBusyError,
)
from services.shared import ValidationError
from services.staff import StaffNotOnDutyError
from tests.unit.queue.support import refused


def test_event_timestamps_come_from_the_injected_clock(hall, clock):
    """Every event is stamped with the service's clock at its command (the same moment as
    its own ``issued_at``, ``called_at`` … field), not the wall clock."""
    queue = hall.queue
    moments = []

    def a_minute_later(command, *args, **kwargs):
        moments.append(clock.advance(minutes=1))
        return command(*args, **kwargs)

    a_minute_later(queue.issue_ticket, "ZH", "KIOSK", "kiosk-1")
    moments.append(moments[-1])  # QueueDayStarted and TicketIssued, in one command
    a_minute_later(queue.call_next, "W3", "S3", "S3")
    a_minute_later(queue.recall_ticket, "ZH", 1, "S3", "S3")
    a_minute_later(queue.start_service, "ZH", 1, "S3", "S3")
    a_minute_later(queue.end_service, "ZH", 1, "S3", "COMPLETED", "S3")
    a_minute_later(queue.issue_ticket, "ZH", "KIOSK", "kiosk-1")
    a_minute_later(queue.call_next, "W3", "S3", "S3")
    a_minute_later(queue.mark_no_show, "ZH", 2, "S3", "S3")
    a_minute_later(queue.issue_ticket, "ZH", "KIOSK", "kiosk-1")
    a_minute_later(queue.transfer_ticket, "ZH", 3, "S1", to_queue_code="BD")
    transferred_at = moments[-1]
    a_minute_later(queue.issue_ticket, "ZH", "KIOSK", "kiosk-1")
    a_minute_later(queue.remove_ticket, "ZH", 4, "取消", "kiosk-1")
    a_minute_later(queue.reset_queue, "ZH", "admin")
    day = queue.get_day("ZH")
    assert [e.timestamp for e in queue.repository.event_store.get(day.id)] == moments
    target = queue.get_day("BD")
    stamps = [e.timestamp for e in queue.repository.event_store.get(target.id)]
    assert stamps == [transferred_at, transferred_at]  # QueueDayStarted, TicketIssued

    a_minute_later(queue.configure_queue, "XQ", "新队列", "C", ["X1"], "admin")
    a_minute_later(queue.reconfigure_queue, "XQ", "新队列", "D", ["X1"], "admin")
    stamps = [e.timestamp for e in queue.repository.event_store.get(queue.get_queue("XQ").id)]
    assert stamps == moments[-2:]


def test_a_ticket_is_called_recalled_served_and_ended(hall, clock):
    issued = hall.issue("ZH")
    called = hall.call("W3")
    assert (called.display_number, called.status, called.window_code, called.staff_badge) == (
        "A001",
        TicketStatus.CALLED,
        "W3",
        "S3",
    )
    clock.advance(minutes=2)
    recalled = hall.queue.recall_ticket("ZH", 1, "S3", "S3")
    assert (recalled.recalls, recalled.called_at, recalled.first_called_at) == (
        1,
        clock(),
        called.first_called_at,
    )
    clock.advance(minutes=1)
    hall.queue.start_service("ZH", 1, "S3", "S3")
    clock.advance(minutes=12)
    ended = hall.queue.end_service("ZH", 1, "S3", "COMPLETED", "S3").ticket
    assert (ended.status, ended.outcome) == (TicketStatus.ENDED, ServiceOutcome.COMPLETED)
    assert (ended.first_called_at - issued.issued_at).total_seconds() == 60  # waiting time
    assert (ended.ended_at - ended.started_at).total_seconds() == 12 * 60  # service time


def test_waiting_and_service_times_follow_from_the_events_alone(hall):
    hall.issue("ZH", minutes=0)
    hall.clock.advance(minutes=7)
    hall.call("W3")
    hall.queue.start_service("ZH", 1, "S3", "S3")
    hall.clock.advance(minutes=5)
    hall.queue.end_service("ZH", 1, "S3", "CONSULTED", "S3")
    events = {type(e).__name__: e for e in hall.queue.events.get(hall.queue.get_day("ZH").id)}
    waited = events["TicketCalled"].called_at - events["TicketIssued"].issued_at
    served = events["ServiceEnded"].ended_at - events["ServiceStarted"].started_at
    assert (waited.total_seconds(), served.total_seconds()) == (8 * 60, 5 * 60)


def test_the_next_ticket_comes_from_the_queues_the_window_serves(hall):
    hall.issue("BD")
    refused(hall.queue, NoTicketWaitingError, lambda: hall.call("W3"))  # W3 serves ZH only
    assert hall.call("W2").display_number == "B001"
    assert refused(hall.queue, NoTicketWaitingError, lambda: hall.call("W1")) == "NOT_FOUND"


def test_a_window_with_a_called_or_served_ticket_is_busy(hall):
    hall.issue("ZH")
    hall.issue("ZH")
    hall.call("W3")
    assert refused(hall.queue, WindowBusyError, lambda: hall.call("W3")) == "CONFLICT"
    hall.queue.start_service("ZH", 1, "S3", "S3")
    refused(hall.queue, WindowBusyError, lambda: hall.call("W3"))
    hall.queue.end_service("ZH", 1, "S3", "ACCEPTED", "S3")
    assert hall.call("W3").display_number == "A002"


@pytest.mark.parametrize("state", ["closed", "suspended"])
def test_only_an_open_window_calls(hall, state):
    hall.issue("ZH")
    if state == "closed":
        hall.places.close_window("W3", "admin")
    else:
        hall.places.suspend_window("W3", "午休", "admin")
    assert refused(hall.queue, WindowNotOpenError, lambda: hall.call("W3")) == "CONFLICT"


def test_only_a_staff_member_signed_in_at_the_window_calls(hall):
    hall.issue("ZH")
    q = hall.queue
    assert refused(q, StaffNotOnDutyError, lambda: q.call_next("W3", "S1", "S1")) == "FORBIDDEN"
    refused(q, StaffNotOnDutyError, lambda: q.call_next("W3", "nobody", "nobody"))
    refused(q, StaffNotOnDutyError, lambda: q.call_next("W3", "", "anonymous"))
    hall.staff.sign_out("S3", "S3")
    refused(q, StaffNotOnDutyError, lambda: q.call_next("W3", "S3", "S3"))
    refused(q, WindowNotFoundError, lambda: q.call_next("W9", "S3", "S3"))
    hall.staff.sign_in("S3", "W3", "S3")
    assert q.call_next("W3", "S3", "S3").display_number == "A001"


def test_a_backup_post_signed_in_calls_for_the_window(hall):
    hall.staff.onboard_staff("S9", "赵敏", "WINDOW_STAFF", [], "admin")
    hall.staff.assign_to_window("S9", "W3", "B", "admin")
    hall.staff.sign_out("S3", "S3")
    hall.staff.sign_in("S9", "W3", "S9")
    hall.issue("ZH")
    assert hall.queue.call_next("W3", "S9", "S9").staff_badge == "S9"


def _ops(hall):
    q = hall.queue
    return {
        "recall": lambda badge, n=1: q.recall_ticket("ZH", n, badge, badge),
        "start": lambda badge, n=1: q.start_service("ZH", n, badge, badge),
        "end": lambda badge, n=1: q.end_service("ZH", n, badge, "COMPLETED", badge),
        "no_show": lambda badge, n=1: q.mark_no_show("ZH", n, badge, badge),
    }


@pytest.mark.parametrize(
    ("state", "op", "error"),
    [
        ("waiting", "recall", TicketNotCalledError),
        ("waiting", "start", TicketNotCalledError),
        ("waiting", "end", TicketNotInServiceError),
        ("waiting", "no_show", TicketNotCalledError),
        ("called", "end", TicketNotInServiceError),
        ("serving", "recall", TicketNotCalledError),
        ("serving", "start", TicketNotCalledError),
        ("serving", "no_show", TicketNotCalledError),
        ("ended", "recall", TicketEndedError),
        ("ended", "start", TicketEndedError),
        ("ended", "end", TicketEndedError),
        ("ended", "no_show", TicketEndedError),
    ],
)
def test_illegal_ticket_transitions_are_conflicts_and_record_nothing(hall, state, op, error):
    hall.issue("ZH")
    ops = _ops(hall)
    if state != "waiting":
        hall.call("W3")
    if state in ("serving", "ended"):
        ops["start"]("S3")
    if state == "ended":
        ops["end"]("S3")
    assert refused(hall.queue, error, lambda: ops[op]("S3")) == "CONFLICT"


@pytest.mark.parametrize("op", ["recall", "start", "end", "no_show"])
def test_another_window_may_not_act_on_a_called_ticket(hall, op):
    hall.issue("ZH")
    hall.call("W3")
    if op == "end":
        _ops(hall)["start"]("S3")
    code = refused(hall.queue, TicketAtAnotherWindowError, lambda: _ops(hall)[op]("S1"))
    assert code == "FORBIDDEN"


@pytest.mark.parametrize("op", ["recall", "start", "end", "no_show"])
def test_a_staff_member_off_duty_may_not_act_on_tickets(hall, op):
    hall.issue("ZH")
    hall.call("W3")
    hall.staff.sign_out("S3", "S3")
    assert refused(hall.queue, StaffNotOnDutyError, lambda: _ops(hall)[op]("S3")) == "FORBIDDEN"


def test_recalling_needs_the_window_open(hall):
    hall.issue("ZH")
    hall.call("W3")
    hall.places.suspend_window("W3", "设备故障", "S3")
    refused(hall.queue, WindowNotOpenError, lambda: _ops(hall)["recall"]("S3"))
    _ops(hall)["start"]("S3")  # the holder came anyway: service may start and end
    assert _ops(hall)["end"]("S3").ticket.status is TicketStatus.ENDED


def test_an_unknown_ticket_or_outcome_is_refused(hall):
    hall.issue("ZH")
    hall.call("W3")
    assert (
        refused(hall.queue, TicketNotFoundError, lambda: _ops(hall)["start"]("S3", 7))
        == "NOT_FOUND"
    )
    refused(hall.queue, TicketNotFoundError, lambda: hall.queue.start_service("BD", 1, "S3", "S3"))
    hall.queue.start_service("ZH", 1, "S3", "S3")
    refused(hall.queue, ValidationError, lambda: hall.queue.end_service("ZH", 1, "S3", "OK", "S3"))


def test_a_reserved_ticket_cannot_be_called_by_another_window(hall):
    hall.issue("ZH")
    hall.call("W3")
    hall.queue.transfer_ticket("ZH", 1, "S3", to_window_code="W1", badge="S3")
    day = hall.queue.get_day("ZH")
    with pytest.raises(TicketAtAnotherWindowError):
        day.call(1, "W3", "S3", hall.clock(), "S3")
    assert day.call(1, "W1", "S1", hall.clock(), "S1").window_code == "W1"
    with pytest.raises(TicketNotWaitingError):
        day.call(1, "W1", "S1", hall.clock(), "S1")
