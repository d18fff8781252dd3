"""A window holds one ticket at a time, whatever queues it serves now; it does not close on a
ticket called to it or in service there, and a closed window serves no one. A window suspends
with its ticket (which it may finish) but calls no other until it resumes."""

from __future__ import annotations

import pytest

from services.places import WindowInUseError, WindowNotOpenError, WindowStatus
from services.queue import TicketStatus, WindowBusyError, WindowDay
from tests.unit.queue.support import refused


def _calls(hall, window_code: str) -> WindowDay:
    calls = hall.queue.repository.get(WindowDay.create_id("h1", window_code, "2026-03-02"))
    assert isinstance(calls, WindowDay)
    return calls


def test_a_window_reconfigured_while_a_ticket_is_called_there_stays_busy(hall):
    hall.issue("ZH")  # A001
    hall.issue("BD")  # B001
    assert hall.call("W1").display_number == "A001"  # W1 serves ZH and BD
    hall.places.reconfigure_window("W1", "窗口W1", "COMPREHENSIVE", [], ["BD"], "admin")
    assert refused(hall.queue, WindowBusyError, lambda: hall.call("W1")) == "CONFLICT"
    assert hall.queue.get_ticket("BD", 1).status is TicketStatus.WAITING


def test_the_ticket_called_before_a_reconfiguration_ends_at_its_window_then_it_calls_again(hall):
    hall.issue("ZH")
    hall.issue("BD")
    hall.call("W1")  # A001
    hall.places.reconfigure_window("W1", "窗口W1", "COMPREHENSIVE", [], ["BD"], "admin")
    hall.queue.start_service("ZH", 1, "S1", "S1")
    refused(hall.queue, WindowBusyError, lambda: hall.call("W1"))
    hall.queue.end_service("ZH", 1, "S1", "ACCEPTED", "S1")
    assert hall.call("W1").display_number == "B001"
    assert _calls(hall, "W1").queues == ["ZH", "BD"]


@pytest.mark.parametrize("served", [False, True], ids=["called", "in service"])
def test_a_window_with_a_called_or_served_ticket_does_not_close(hall, served):
    hall.issue("ZH")
    hall.call("W3")
    if served:
        hall.queue.start_service("ZH", 1, "S3", "S3")
    code = refused(
        hall.places, WindowInUseError, lambda: hall.places.close_window("W3", "S3", "S3")
    )
    assert code == "CONFLICT"
    assert hall.places.get_window("W3").status is WindowStatus.OPEN


def test_a_refused_close_names_the_ticket_and_what_to_do(hall):
    hall.issue("ZH")
    hall.call("W3")
    with pytest.raises(WindowInUseError) as raised:
        hall.places.close_window("W3", "admin")
    assert "A001" in str(raised.value)
    assert "no-show" in str(raised.value)


def test_a_window_reconfigured_away_from_its_tickets_queue_still_does_not_close(hall):
    hall.issue("ZH")
    hall.call("W1")  # A001
    hall.places.reconfigure_window("W1", "窗口W1", "COMPREHENSIVE", [], ["BD"], "admin")
    refused(hall.places, WindowInUseError, lambda: hall.places.close_window("W1", "admin"))


@pytest.mark.parametrize("finish", ["served", "no-show", "transferred", "removed"])
def test_a_window_whose_ticket_is_finished_closes_and_its_day_records_the_close(hall, finish):
    hall.issue("ZH")
    hall.call("W3")
    q = hall.queue
    if finish == "served":
        q.start_service("ZH", 1, "S3", "S3")
        q.end_service("ZH", 1, "S3", "ACCEPTED", "S3")
    elif finish == "no-show":
        q.mark_no_show("ZH", 1, "S3", "S3")
    elif finish == "transferred":
        q.transfer_ticket("ZH", 1, "S3", to_window_code="W1", badge="S3")
    else:
        q.remove_ticket("ZH", 1, "离开", "S3")
    assert hall.places.close_window("W3", "admin").status is WindowStatus.CLOSED
    assert _calls(hall, "W3").closes == 1


def test_a_window_that_never_called_records_its_close_on_a_new_day(hall):
    hall.places.close_window("W2", "admin")
    calls = _calls(hall, "W2")
    assert (calls.calls, calls.closes) == (0, 1)


@pytest.mark.parametrize("served", [False, True])
def test_a_window_suspends_with_its_ticket_which_it_may_finish_but_calls_no_other(hall, served):
    """A system failure mid-service is a reason to suspend: the called or served ticket stays
    and may be finished; no ticket is called or recalled until the window resumes."""
    hall.issue("ZH")
    hall.issue("ZH")
    hall.call("W3")
    q = hall.queue
    if served:
        q.start_service("ZH", 1, "S3", "S3")
    suspended = hall.places.suspend_window("W3", "系统故障", "S3", badge="S3")
    assert suspended.status is WindowStatus.SUSPENDED
    assert (_calls(hall, "W3").calls, _calls(hall, "W3").suspensions) == (1, 1)
    if not served:
        refused(q, WindowNotOpenError, lambda: q.recall_ticket("ZH", 1, "S3", "S3"))
        q.start_service("ZH", 1, "S3", "S3")
    assert q.end_service("ZH", 1, "S3", "ACCEPTED", "S3").ticket.status is TicketStatus.ENDED
    assert refused(q, WindowNotOpenError, lambda: hall.call("W3")) == "CONFLICT"
    hall.places.resume_window("W3", "S3")
    assert hall.call("W3").display_number == "A002"


def test_a_window_that_never_called_records_its_suspension_on_a_new_day(hall):
    hall.places.suspend_window("W2", "午休", "admin")
    calls = _calls(hall, "W2")
    assert (calls.calls, calls.closes, calls.suspensions) == (0, 0, 1)


def test_service_does_not_start_at_a_closed_window(hall):
    """A window closed with a called ticket (before closes were checked) starts no service;
    the ticket can still be marked as a no-show there."""
    hall.issue("ZH")
    hall.call("W3")
    window = hall.places.get_window("W3")
    window.close(hall.clock(), "admin")  # as stored before the check
    hall.places.save(window)
    code = refused(
        hall.queue, WindowNotOpenError, lambda: hall.queue.start_service("ZH", 1, "S3", "S3")
    )
    assert code == "CONFLICT"
    assert hall.queue.mark_no_show("ZH", 1, "S3", "S3").status is TicketStatus.NO_SHOW


def test_a_call_reads_each_aggregate_once(hall, monkeypatch):
    """The hall, the window's day, the window, the staff member, the queue days: once each."""
    hall.issue("ZH")
    repository = hall.queue.repository
    get = repository.get
    read: list[object] = []

    def counting_get(aggregate_id, *args, **kwargs):
        read.append(aggregate_id)
        return get(aggregate_id, *args, **kwargs)

    monkeypatch.setattr(repository, "get", counting_get)
    assert hall.call("W3").display_number == "A001"
    assert len(read) == len(set(read)) == 5, read


def test_a_call_at_a_closed_window_is_refused_for_the_window_before_the_staff(hall):
    hall.places.close_window("W3", "admin")
    hall.staff.sign_out("S3", "S3")
    refused(hall.queue, WindowNotOpenError, lambda: hall.call("W3"))
