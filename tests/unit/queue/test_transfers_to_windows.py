"""A ticket transferred to a window (转窗口) waits for that window alone: the window must be
open to take it, and does not close while it waits there (it may suspend: it calls the
ticket when it resumes). The window's day records each reservation. Only today's tickets are
transferred: no window calls a past day's."""

from __future__ import annotations

from datetime import date

import pytest

from services.halls import MissedNumberPolicy
from services.places import WindowInUseError, WindowNotOpenError, WindowStatus
from services.queue import ServiceDayOverError, TicketStatus, WindowDay
from tests.unit.queue.support import refused


def _calls(hall, window_code: str) -> WindowDay:
    calls = hall.queue.repository.get(WindowDay.create_id("h1", window_code, "2026-03-02"))
    assert isinstance(calls, WindowDay)
    return calls


def _to_w1(hall):
    """Transfer the waiting A001 to window W1 (it serves ZH)."""
    return hall.queue.transfer_ticket("ZH", 1, "admin", to_window_code="W1")


@pytest.mark.parametrize("other_queue", [False, True], ids=["same queue", "other queue"])
def test_a_transfer_to_a_closed_window_is_refused_and_records_nothing(hall, other_queue):
    hall.issue("ZH")
    hall.places.close_window("W2" if other_queue else "W1", "admin")
    target = {"to_queue_code": "BD", "to_window_code": "W2"} if other_queue else {}

    def transfer():
        return hall.queue.transfer_ticket("ZH", 1, "admin", **({"to_window_code": "W1"} | target))

    assert refused(hall.queue, WindowNotOpenError, transfer) == "CONFLICT"
    ticket = hall.queue.get_ticket("ZH", 1)
    assert (ticket.status, ticket.reserved_window) == (TicketStatus.WAITING, "")
    assert hall.queue.get_day("BD") is None


def test_a_transfer_to_a_suspended_window_is_refused_until_it_resumes(hall):
    hall.issue("ZH")
    hall.places.suspend_window("W1", "午休", "admin")
    assert refused(hall.queue, WindowNotOpenError, lambda: _to_w1(hall)) == "CONFLICT"
    assert hall.queue.get_ticket("ZH", 1).reserved_window == ""
    hall.places.resume_window("W1", "admin")
    assert _to_w1(hall).reserved_window == "W1"


def test_a_transfer_to_a_window_is_recorded_on_the_windows_day(hall):
    hall.issue("ZH")
    hall.issue("ZH")
    _to_w1(hall)
    hall.queue.transfer_ticket("ZH", 2, "admin", to_queue_code="BD", to_window_code="W1")
    calls = _calls(hall, "W1")
    assert (calls.reservations, calls.reserved_from, calls.calls) == (2, ["ZH", "BD"], 0)


@pytest.mark.parametrize("other_queue", [False, True], ids=["same queue", "other queue"])
def test_a_window_does_not_close_while_a_ticket_waits_reserved_for_it(hall, other_queue):
    hall.issue("ZH")
    hall.issue("ZH")  # A002 waits for any window: it does not hold W1 back
    if other_queue:
        hall.queue.transfer_ticket("ZH", 1, "admin", to_queue_code="BD", to_window_code="W1")
    else:
        _to_w1(hall)
    with pytest.raises(WindowInUseError) as raised:
        hall.places.close_window("W1", "admin")
    message = str(raised.value)
    assert ("B001" if other_queue else "A001") in message
    assert "A002" not in message
    assert "call" in message
    assert "transfer" in message
    assert raised.value.code == "CONFLICT"
    refused(hall.places, WindowInUseError, lambda: hall.places.close_window("W1", "S1", "S1"))
    assert hall.places.get_window("W1").status is WindowStatus.OPEN


@pytest.mark.parametrize("finish", ["served", "transferred away", "removed"])
def test_a_window_closes_once_its_reserved_ticket_no_longer_waits_for_it(hall, finish):
    hall.issue("ZH")
    _to_w1(hall)
    refused(hall.places, WindowInUseError, lambda: hall.places.close_window("W1", "admin"))
    q = hall.queue
    if finish == "served":
        assert hall.call("W1").display_number == "A001"
        q.start_service("ZH", 1, "S1", "S1")
        q.end_service("ZH", 1, "S1", "ACCEPTED", "S1")
    elif finish == "transferred away":
        q.transfer_ticket("ZH", 1, "admin", to_window_code="W3")
    else:
        q.remove_ticket("ZH", 1, "离开", "admin")
    assert hall.places.close_window("W1", "admin").status is WindowStatus.CLOSED


def test_a_window_is_not_reconfigured_away_from_a_ticket_reserved_for_it(hall):
    """No other window may call a reserved ticket: its window keeps serving its queue until
    the ticket was called or transferred away."""
    hall.issue("ZH")
    _to_w1(hall)
    reconfigure = lambda: hall.places.reconfigure_window(  # noqa: E731
        "W1", "窗口W1", "COMPREHENSIVE", [], ["BD"], "admin"
    )
    assert refused(hall.places, WindowInUseError, reconfigure) == "CONFLICT"
    assert hall.places.get_window("W1").queue_codes == ["ZH", "BD"]  # as it was
    hall.queue.transfer_ticket("ZH", 1, "admin", to_window_code="W3")
    assert reconfigure().queue_codes == ["BD"]
    assert hall.places.close_window("W1", "admin").status is WindowStatus.CLOSED


def test_a_window_is_not_reconfigured_away_from_a_reserved_ticket_called_there(hall):
    """Missed, the ticket rejoins its line still reserved for the window (REQUEUE, DEFER):
    had the window stopped serving its queue, no window would call it again."""
    hall.policies(missed_number_policy=MissedNumberPolicy.REQUEUE)
    hall.issue("ZH")
    _to_w1(hall)
    assert hall.call("W1").display_number == "A001"
    reconfigure = lambda: hall.places.reconfigure_window(  # noqa: E731
        "W1", "窗口W1", "COMPREHENSIVE", [], ["BD"], "admin"
    )
    assert refused(hall.places, WindowInUseError, reconfigure) == "CONFLICT"
    missed = hall.queue.mark_no_show("ZH", 1, "S1", "S1")
    assert (missed.status, missed.reserved_window) == (TicketStatus.WAITING, "W1")
    assert hall.call("W1").display_number == "A001"
    hall.queue.start_service("ZH", 1, "S1", "S1")  # in service: it no longer rejoins a line
    assert reconfigure().queue_codes == ["BD"]


def test_a_window_suspends_with_a_reserved_ticket_and_calls_it_when_it_resumes(hall):
    """暂停服务 is a pause, not the end of the window's day: the ticket waits on for it, but
    no other is transferred to it meanwhile."""
    hall.issue("ZH")
    hall.issue("ZH")
    _to_w1(hall)
    hall.places.suspend_window("W1", "系统故障", "admin")
    assert hall.queue.get_ticket("ZH", 1).reserved_window == "W1"
    refused(hall.queue, WindowNotOpenError, lambda: hall.call("W1"))
    refused(
        hall.queue,
        WindowNotOpenError,
        lambda: hall.queue.transfer_ticket("ZH", 2, "admin", to_window_code="W1"),
    )
    assert (_calls(hall, "W1").reservations, _calls(hall, "W1").suspensions) == (1, 1)
    hall.places.resume_window("W1", "admin")
    assert hall.call("W1").display_number == "A001"


@pytest.mark.parametrize(
    "target",
    [
        {"to_window_code": "W1"},
        {"to_queue_code": "BD"},
        {"to_queue_code": "BD", "to_window_code": "W2"},
    ],
    ids=["to a window", "to another queue", "to another queue and window"],
)
def test_a_ticket_of_a_past_service_day_is_not_transferred(hall, target):
    """No window calls yesterday's ticket today (a call reads today's days): it would wait
    reserved on its own day for ever (the reservation on today's window day, which a close
    reads for today's tickets only), or go on in today's line as a ticket of another day.
    Refused, recording nothing."""
    hall.issue("ZH")
    hall.clock.advance(days=1)
    monday = date(2026, 3, 2)

    def transfer():
        return hall.queue.transfer_ticket("ZH", 1, "admin", service_day=monday, **target)

    assert refused(hall.queue, ServiceDayOverError, transfer) == "CONFLICT"
    ticket = hall.queue.get_ticket("ZH", 1, monday)
    assert (ticket.status, ticket.reserved_window) == (TicketStatus.WAITING, "")
