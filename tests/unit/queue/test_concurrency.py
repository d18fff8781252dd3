"""Concurrent commands: optimistic concurrency, retried, never a number twice, never a prefix
for two queues, never two tickets called to one window, never a ticket called to a window
closed or suspended meanwhile, never a ticket reserved for a window that stopped serving its
queue meanwhile."""

from __future__ import annotations

import pytest

from services.places import PlacesService, WindowInUseError, WindowNotOpenError, WindowStatus
from services.queue import (
    ConcurrentChangeError,
    Queue,
    QueueDay,
    QueueNotServedError,
    QueuePrefix,
    QueuePrefixTakenError,
    QueueService,
    TicketStatus,
    WindowBusyError,
    WindowDay,
)
from services.shared.errors import ConflictError
from tests.fixtures.races import meanwhile as _meanwhile


@pytest.fixture
def second_kiosk(hall, hall_apps):
    """Another QueueService instance of the same hall (another gateway process)."""
    app = hall_apps(QueueService, "h1")
    app.clock = hall.clock
    return app


def _interleave(app, other, times):
    """Right after ``app`` read the queue day, ``other`` issues a ticket (``times`` times)."""
    original = app.repository.get
    remaining = [times]

    def get(aggregate_id, *args, **kwargs):
        day_id = QueueDay.create_id("h1", "ZH", "2026-03-02")
        try:
            return original(aggregate_id, *args, **kwargs)
        finally:
            if aggregate_id == day_id and remaining[0] > 0:
                remaining[0] -= 1
                other.issue_ticket("ZH", "KIOSK", "kiosk-2")

    app.repository.get = get


def test_a_concurrent_issue_is_retried_and_takes_the_next_number(hall, second_kiosk):
    hall.issue("ZH")  # the day exists
    _interleave(hall.queue, second_kiosk, times=2)
    ticket = hall.queue.issue_ticket("ZH", "KIOSK", "kiosk-1")
    numbers = [t.display_number for t in hall.queue.get_day("ZH").tickets]
    assert numbers == ["A001", "A002", "A003", "A004"]
    assert ticket.display_number == "A004"


def test_the_first_ticket_of_the_day_from_two_kiosks_at_once(hall, second_kiosk):
    _interleave(hall.queue, second_kiosk, times=1)
    assert hall.queue.issue_ticket("ZH", "KIOSK", "kiosk-1").display_number == "A002"


def test_endless_concurrent_changes_end_as_a_conflict(hall, second_kiosk):
    hall.issue("ZH")
    before = [t.number for t in hall.queue.get_day("ZH").tickets]
    _interleave(hall.queue, second_kiosk, times=QueueService.conflict_attempts)
    with pytest.raises(ConcurrentChangeError) as raised:
        hall.queue.issue_ticket("ZH", "KIOSK", "kiosk-1")
    assert raised.value.code == "CONFLICT"
    after = [t.number for t in second_kiosk.get_day("ZH").tickets]
    assert len(after) == len(before) + QueueService.conflict_attempts  # only the other kiosk's


def test_a_call_racing_an_issue_is_retried(hall, second_kiosk):
    hall.issue("ZH")
    _interleave(hall.queue, second_kiosk, times=1)
    assert hall.call("W3").display_number == "A001"


def test_two_queues_configured_at_once_with_one_prefix_do_not_both_get_it(hall, second_kiosk):
    _meanwhile(
        hall.queue,
        QueuePrefix.create_id("h1", "C"),
        lambda: second_kiosk.configure_queue("Q2", "二号队列", "C", [], "admin-2"),
    )
    with pytest.raises(QueuePrefixTakenError) as raised:
        hall.queue.configure_queue("Q1", "一号队列", "C", [], "admin-1")
    assert raised.value.code == "CONFLICT"
    assert second_kiosk.get_or_none(Queue.create_id("h1", "Q1")) is None
    assert second_kiosk.get_queue("Q2").prefix == "C"


def test_two_calls_racing_for_one_window_call_one_ticket(hall, second_kiosk):
    """W1 serves ZH and BD: each call checks both days but saves one. While this call
    checks, another process issues a senior's B002 and calls it to W1; this call then
    conflicts on W1's day, is re-checked and refused: W1 is busy."""
    hall.issue("ZH")  # A001, 09:01
    hall.issue("BD")  # B001, 09:02

    def meanwhile():
        second_kiosk.issue_ticket("BD", "KIOSK", "kiosk-2", priority_group="SENIOR")
        second_kiosk.call_next("W1", "S1", "S1")

    _meanwhile(hall.queue, QueueDay.create_id("h1", "BD", "2026-03-02"), meanwhile)
    with pytest.raises(WindowBusyError) as raised:
        hall.queue.call_next("W1", "S1", "S1")
    assert raised.value.code == "CONFLICT"
    active = [
        t.display_number
        for code in ("ZH", "BD")
        for t in second_kiosk.get_day(code).tickets
        if t.window_code == "W1" and t.status is TicketStatus.CALLED
    ]
    assert active == ["B002"]


def test_a_close_racing_a_call_leaves_no_ticket_called_to_the_closed_window(hall, hall_apps):
    """While this call checks W3's queue day, another process closes W3 (no ticket there yet):
    the call then conflicts on W3's day, is re-checked and refused: W3 is closed."""
    hall.issue("ZH")
    other = hall_apps(PlacesService, "h1")
    other.clock = hall.clock
    _meanwhile(
        hall.queue,
        QueueDay.create_id("h1", "ZH", "2026-03-02"),
        lambda: other.close_window("W3", "admin"),
    )
    with pytest.raises(WindowNotOpenError):
        hall.call("W3")
    assert hall.places.get_window("W3").status is WindowStatus.CLOSED
    assert hall.queue.get_ticket("ZH", 1).status is TicketStatus.WAITING


def test_a_call_racing_a_close_makes_the_close_conflict(hall, second_kiosk):
    """While the close checks W3's tickets, another process calls A001 to W3: the close
    conflicts on W3's day, W3 stays open with A001 called."""
    hall.issue("ZH")
    _meanwhile(
        hall.places,
        QueueDay.create_id("h1", "ZH", "2026-03-02"),
        lambda: second_kiosk.call_next("W3", "S3", "S3"),
    )
    with pytest.raises(ConflictError) as raised:
        hall.places.close_window("W3", "admin")
    assert raised.value.code == "CONFLICT"
    assert hall.places.get_window("W3").status is WindowStatus.OPEN
    assert hall.queue.get_ticket("ZH", 1).status is TicketStatus.CALLED


def test_a_suspension_racing_a_call_leaves_no_ticket_called_to_the_suspended_window(
    hall, hall_apps
):
    """While this call checks W3's queue day, another process suspends W3 (系统故障): the
    call then conflicts on W3's day, is re-checked and refused: W3 is suspended."""
    hall.issue("ZH")
    other = hall_apps(PlacesService, "h1")
    other.clock = hall.clock
    _meanwhile(
        hall.queue,
        QueueDay.create_id("h1", "ZH", "2026-03-02"),
        lambda: other.suspend_window("W3", "系统故障", "admin"),
    )
    with pytest.raises(WindowNotOpenError) as raised:
        hall.call("W3")
    assert raised.value.code == "CONFLICT"
    assert hall.places.get_window("W3").status is WindowStatus.SUSPENDED
    assert hall.queue.get_ticket("ZH", 1).status is TicketStatus.WAITING


def test_a_call_racing_a_suspension_is_kept_and_the_window_still_suspends(hall, second_kiosk):
    """While the suspension reads W3's day, another process calls A001 to W3: the suspension
    conflicts on W3's day, is tried again and suspends W3, A001 still called there (a ticket
    called before a suspension stays; only new calls stop)."""
    hall.issue("ZH")
    _meanwhile(
        hall.places,
        WindowDay.create_id("h1", "W3", "2026-03-02"),
        lambda: second_kiosk.call_next("W3", "S3", "S3"),
    )
    suspended = hall.places.suspend_window("W3", "系统故障", "admin")
    assert suspended.status is WindowStatus.SUSPENDED
    assert hall.queue.get_ticket("ZH", 1).status is TicketStatus.CALLED
    with pytest.raises(WindowNotOpenError):
        hall.call("W3")


def _serve_bd_only(places: PlacesService) -> None:
    places.reconfigure_window("W1", "窗口W1", "COMPREHENSIVE", [], ["BD"], "admin")


def test_a_transfer_racing_a_reconfiguration_makes_it_conflict_and_be_refused(hall, second_kiosk):
    """While the reconfiguration of W1 (to serve BD only) reads the ZH day for tickets
    reserved for W1, another process transfers A001 to W1: the reconfiguration conflicts on
    W1's day, is checked again and refused, as A001 now waits for W1 alone."""
    hall.issue("ZH")
    _meanwhile(
        hall.places,
        QueueDay.create_id("h1", "ZH", "2026-03-02"),
        lambda: second_kiosk.transfer_ticket("ZH", 1, "admin", to_window_code="W1"),
    )
    with pytest.raises(WindowInUseError) as raised:
        _serve_bd_only(hall.places)
    assert raised.value.code == "CONFLICT"
    assert hall.places.get_window("W1").queue_codes == ["ZH", "BD"]
    assert hall.queue.get_ticket("ZH", 1).reserved_window == "W1"


def test_a_reconfiguration_racing_a_transfer_makes_the_transfer_conflict_and_be_refused(
    hall, hall_apps
):
    """While the transfer of A001 to W1 reads the ZH day, another process reconfigures W1 to
    serve BD only: the transfer conflicts on W1's day, is checked again and refused (W1 no
    longer serves ZH), so A001 does not wait for a window that will never call it."""
    hall.issue("ZH")
    other = hall_apps(PlacesService, "h1")
    other.clock = hall.clock
    _meanwhile(
        hall.queue, QueueDay.create_id("h1", "ZH", "2026-03-02"), lambda: _serve_bd_only(other)
    )
    with pytest.raises(QueueNotServedError) as raised:
        hall.queue.transfer_ticket("ZH", 1, "admin", to_window_code="W1")
    assert raised.value.code == "VALIDATION"
    assert hall.places.get_window("W1").queue_codes == ["BD"]
    ticket = hall.queue.get_ticket("ZH", 1)
    assert (ticket.status, ticket.reserved_window) == (TicketStatus.WAITING, "")


def test_a_call_racing_a_reconfiguration_is_kept_and_the_window_still_reconfigured(
    hall, second_kiosk
):
    """While the reconfiguration of W1 reads W1's day, another process calls A001 there:
    the reconfiguration (recorded on W1's day, as it drops ZH) conflicts, is tried again and
    saved; W1 stays busy with A001 until it ends (its day keeps the queues it called from)."""
    hall.issue("ZH")
    calls = WindowDay.create_id("h1", "W1", "2026-03-02")
    _meanwhile(hall.places, calls, lambda: second_kiosk.call_next("W1", "S1", "S1"))
    assert hall.places.reconfigure_window(
        "W1", "窗口W1", "COMPREHENSIVE", [], ["BD"], "admin"
    ).queue_codes == ["BD"]
    recorded = [type(e).__name__ for e in hall.queue.repository.event_store.get(calls)]
    assert recorded == ["Started", "CallRecorded", "ReconfigurationRecorded"]
    assert hall.queue.get_ticket("ZH", 1).status is TicketStatus.CALLED
    with pytest.raises(WindowBusyError):
        hall.call("W1")
