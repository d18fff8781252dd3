"""Racing queue commands on the real PostgreSQL store: several gateway processes (each its own
QueueService or PlacesService) configure queues, call tickets and close windows at once.
Optimistic concurrency must make the losers conflict: never one prefix for two queues, never
two tickets called to one window, never a ticket called to a window closed or suspended
meanwhile, never a ticket left waiting reserved for a window closed (or reconfigured away from
its queue) meanwhile (转窗口).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from deploy.bootstrap import Platform
from services.halls import HallRegistry
from services.places import (
    PlacesService,
    Window,
    WindowChangedError,
    WindowInUseError,
    WindowNotOpenError,
    WindowStatus,
)
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
from services.staff import StaffService
from services.store import EventStore
from services.store.pool import Pool
from tests.fixtures.races import at_once, in_new_process
from tests.fixtures.races import meanwhile as _meanwhile

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 in Beijing: every command's time."""
PROCESSES = 4


def _all_at_once(command: Callable[[int], Any]) -> list[Any]:
    """``command(i)`` in :data:`PROCESSES` threads released together."""
    return at_once(command, PROCESSES)


@pytest.fixture
def hall(platform: Platform, tenant_id: str) -> str:
    """A hall whose window W1 (S1 signed in) serves queues ZH (A…) and BD (B…)."""
    platform.hall_app(HallRegistry, tenant_id).register_hall("并发测试大厅", "苏州", "op")
    queue = platform.hall_app(QueueService, tenant_id)
    queue.configure_queue("ZH", "综合受理", "A", [], "admin")
    queue.configure_queue("BD", "帮办代办", "B", [], "admin")
    places = platform.hall_app(PlacesService, tenant_id)
    places.configure_window("W1", "窗口一", "COMPREHENSIVE", [], "admin", queue_codes=["ZH", "BD"])
    places.open_window("W1", "admin")
    staff = platform.hall_app(StaffService, tenant_id)
    staff.onboard_staff("S1", "员工一", "WINDOW_STAFF", [], "admin")
    staff.assign_to_window("S1", "W1", "A", "admin")
    staff.sign_in("S1", "W1", "S1")
    return tenant_id


@pytest.fixture
def process(app_pool: Pool, hall: str) -> Callable[[], QueueService]:
    """``process()``: the hall's QueueService of a new gateway process (its own store)."""

    def make() -> QueueService:
        return in_new_process(app_pool, QueueService, hall, NOW)

    return make


@pytest.fixture
def places_process(app_pool: Pool, hall: str) -> Callable[[], PlacesService]:
    """``places_process()``: the hall's PlacesService of a new gateway process."""

    def make() -> PlacesService:
        return in_new_process(app_pool, PlacesService, hall, NOW)

    return make


def _called_at_w1(app: QueueService) -> list[str]:
    days = [app.get_day(code) for code in ("ZH", "BD")]
    return [
        t.display_number
        for day in days
        if day is not None
        for t in day.tickets
        if t.window_code == "W1" and t.status is TicketStatus.CALLED
    ]


def test_a_call_racing_another_for_the_same_window_is_refused(hall, process):
    mine, other = process(), process()
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    mine.issue_ticket("BD", "KIOSK", "kiosk-1")

    def meanwhile() -> None:
        other.issue_ticket("BD", "KIOSK", "kiosk-2", priority_group="SENIOR")
        other.call_next("W1", "S1", "S1")

    _meanwhile(mine, QueueDay.create_id(hall, "BD", "2026-03-02"), meanwhile)
    with pytest.raises(WindowBusyError) as raised:
        mine.call_next("W1", "S1", "S1")
    assert raised.value.code == "CONFLICT"
    assert _called_at_w1(process()) == ["B002"]


def test_calls_from_several_processes_at_once_call_one_ticket_to_the_window(hall, process):
    setup = process()
    for code in ("ZH", "BD", "ZH", "BD"):
        setup.issue_ticket(code, "KIOSK", "kiosk-1")
    apps = [process() for _ in range(PROCESSES)]
    outcomes = _all_at_once(lambda i: apps[i].call_next("W1", "S1", "S1"))
    called = [o for o in outcomes if not isinstance(o, Exception)]
    refusals = [o for o in outcomes if isinstance(o, Exception)]
    assert len(called) == 1, outcomes
    assert all(isinstance(e, WindowBusyError | ConcurrentChangeError) for e in refusals), outcomes
    assert _called_at_w1(process()) == [called[0].display_number]


def test_a_queue_configured_racing_another_for_its_prefix_is_refused(hall, process):
    mine, other = process(), process()
    _meanwhile(
        mine,
        QueuePrefix.create_id(hall, "C"),
        lambda: other.configure_queue("Q2", "二号队列", "C", [], "admin-2"),
    )
    with pytest.raises(QueuePrefixTakenError) as raised:
        mine.configure_queue("Q1", "一号队列", "C", [], "admin-1")
    assert raised.value.code == "CONFLICT"
    fresh = process()
    assert fresh.get_or_none(Queue.create_id(hall, "Q1")) is None
    assert fresh.get_queue("Q2").prefix == "C"


def test_queues_configured_at_once_with_one_prefix_one_gets_it(hall, process):
    apps = [process() for _ in range(PROCESSES)]
    outcomes = _all_at_once(
        lambda i: apps[i].configure_queue(f"Q{i}", f"队列{i}", "C", [], "admin")
    )
    configured = [o for o in outcomes if isinstance(o, Queue)]
    refusals = [o for o in outcomes if not isinstance(o, Queue)]
    assert len(configured) == 1, outcomes
    assert all(isinstance(e, QueuePrefixTakenError | ConcurrentChangeError) for e in refusals)
    fresh = process()
    holder = fresh.repository.get(QueuePrefix.create_id(hall, "C"))
    assert holder.queue_code == configured[0].code
    others = [i for i in range(PROCESSES) if f"Q{i}" != configured[0].code]
    assert all(fresh.get_or_none(Queue.create_id(hall, f"Q{i}")) is None for i in others)


def test_a_prefix_of_a_queue_configured_before_prefix_claims_is_not_given_again(
    hall, process, app_pool
):
    """The legacy queue is found in the hall's own log (by topic), not in another hall's."""
    mine = process()
    other_hall = EventStore(app_pool).application(QueueService, f"{hall}-other")
    other_hall.hall_id = f"{hall}-other"
    for app, code, prefix in ((mine, "OLD", "L"), (other_hall, "ELSE", "M")):
        app.save(  # as recorded before QueuePrefix existed: no claim
            Queue(
                hall_id=app.hall_id,
                code=code,
                name="旧队列",
                prefix=prefix,
                item_codes=[],
                actor="admin",
                timestamp=NOW,
            )
        )
    before = mine.recorder.max_notification_id()
    with pytest.raises(QueuePrefixTakenError):
        process().configure_queue("NEW", "新队列", "L", [], "admin")
    assert mine.recorder.max_notification_id() == before
    assert process().configure_queue("NEW", "新队列", "M", [], "admin").prefix == "M"


def test_a_close_racing_a_call_leaves_no_ticket_called_to_the_closed_window(
    hall, process, places_process
):
    mine, closer = process(), places_process()
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    # right after this call read W1's day, the window (open) and the ZH day, W1 closes
    _meanwhile(
        mine,
        QueueDay.create_id(hall, "ZH", "2026-03-02"),
        lambda: closer.close_window("W1", "admin"),
    )
    with pytest.raises(WindowNotOpenError) as raised:
        mine.call_next("W1", "S1", "S1")
    assert raised.value.code == "CONFLICT"
    assert places_process().get_window("W1").status is WindowStatus.CLOSED
    assert _called_at_w1(process()) == []


def test_a_call_racing_a_close_makes_the_close_conflict(hall, process, places_process):
    caller, mine = process(), places_process()
    caller.issue_ticket("ZH", "KIOSK", "kiosk-1")
    _meanwhile(
        mine,
        QueueDay.create_id(hall, "ZH", "2026-03-02"),
        lambda: caller.call_next("W1", "S1", "S1"),
    )
    with pytest.raises(ConflictError) as raised:
        mine.close_window("W1", "admin")
    assert raised.value.code == "CONFLICT"
    assert places_process().get_window("W1").status is WindowStatus.OPEN
    assert _called_at_w1(process()) == ["A001"]


def test_calls_and_closes_at_once_never_leave_a_ticket_at_a_closed_window(
    hall, process, places_process
):
    setup = process()
    for code in ("ZH", "BD"):
        setup.issue_ticket(code, "KIOSK", "kiosk-1")
    callers = [process() for _ in range(PROCESSES // 2)]
    closers = [places_process() for _ in range(PROCESSES - len(callers))]

    def command(i: int) -> Any:
        if i % 2:
            return closers[i // 2].close_window("W1", "admin")
        return callers[i // 2].call_next("W1", "S1", "S1")

    outcomes = _all_at_once(command)
    expected = (WindowBusyError, WindowNotOpenError, WindowInUseError, ConflictError)
    assert all(isinstance(o, expected) for o in outcomes if isinstance(o, Exception)), outcomes
    closed = places_process().get_window("W1").status is WindowStatus.CLOSED
    called = _called_at_w1(process())
    assert len(called) <= 1, outcomes
    assert not (closed and called), outcomes


def test_a_suspension_racing_a_call_leaves_no_ticket_called_to_the_suspended_window(
    hall, process, places_process
):
    mine, suspender = process(), places_process()
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    # right after this call read W1's day, the window (open) and the ZH day, W1 is suspended
    _meanwhile(
        mine,
        QueueDay.create_id(hall, "ZH", "2026-03-02"),
        lambda: suspender.suspend_window("W1", "系统故障", "admin"),
    )
    with pytest.raises(WindowNotOpenError) as raised:
        mine.call_next("W1", "S1", "S1")
    assert raised.value.code == "CONFLICT"
    assert places_process().get_window("W1").status is WindowStatus.SUSPENDED
    assert _called_at_w1(process()) == []


def test_calls_and_suspensions_at_once_never_call_a_ticket_to_a_suspended_window(
    hall, process, places_process
):
    """Every call the window's day records comes before its suspension: none after it."""
    setup = process()
    for code in ("ZH", "BD"):
        setup.issue_ticket(code, "KIOSK", "kiosk-1")
    callers = [process() for _ in range(PROCESSES // 2)]
    suspenders = [places_process() for _ in range(PROCESSES - len(callers))]

    def command(i: int) -> Any:
        if i % 2:
            return suspenders[i // 2].suspend_window("W1", "系统故障", "admin")
        return callers[i // 2].call_next("W1", "S1", "S1")

    outcomes = _all_at_once(command)
    expected = (WindowBusyError, WindowNotOpenError, WindowChangedError, ConcurrentChangeError)
    assert all(isinstance(o, expected) for o in outcomes if isinstance(o, Exception)), outcomes
    assert places_process().get_window("W1").status is WindowStatus.SUSPENDED, outcomes
    fresh = process()
    day = WindowDay.create_id(hall, "W1", "2026-03-02")
    recorded = [type(e).__name__ for e in fresh.repository.event_store.get(day)]
    assert recorded.count("SuspensionRecorded") == 1, recorded
    after = recorded[recorded.index("SuspensionRecorded") :]
    assert "CallRecorded" not in after, recorded
    assert len(_called_at_w1(fresh)) == recorded.count("CallRecorded") <= 1, outcomes


def _reserved_for_w1(app: QueueService) -> list[str]:
    days = [app.get_day(code) for code in ("ZH", "BD")]
    return [t.display_number for day in days if day is not None for t in day.reserved_for("W1")]


def test_a_close_racing_a_transfer_leaves_no_ticket_reserved_for_the_closed_window(
    hall, process, places_process
):
    mine, closer = process(), places_process()
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    # right after this transfer read W1's day, the window (open) and the ZH day, W1 closes
    _meanwhile(
        mine,
        QueueDay.create_id(hall, "ZH", "2026-03-02"),
        lambda: closer.close_window("W1", "admin"),
    )
    with pytest.raises(WindowNotOpenError) as raised:
        mine.transfer_ticket("ZH", 1, "admin", to_window_code="W1")
    assert raised.value.code == "CONFLICT"
    assert places_process().get_window("W1").status is WindowStatus.CLOSED
    assert _reserved_for_w1(process()) == []


def test_a_transfer_racing_a_close_makes_the_close_conflict(hall, process, places_process):
    transferrer, mine = process(), places_process()
    transferrer.issue_ticket("ZH", "KIOSK", "kiosk-1")
    _meanwhile(
        mine,
        QueueDay.create_id(hall, "ZH", "2026-03-02"),
        lambda: transferrer.transfer_ticket("ZH", 1, "admin", to_window_code="W1"),
    )
    with pytest.raises(ConflictError) as raised:
        mine.close_window("W1", "admin")
    assert raised.value.code == "CONFLICT"
    assert places_process().get_window("W1").status is WindowStatus.OPEN
    assert _reserved_for_w1(process()) == ["A001"]


def test_a_close_and_a_transfer_at_once_one_wins_and_no_ticket_waits_for_a_closed_window(
    hall, process, places_process
):
    """Released together, round after round: the transfer or the close, never both."""
    setup = process()
    for number in range(1, 6):
        setup.issue_ticket("ZH", "KIOSK", "kiosk-1")
        transfer = partial(process().transfer_ticket, "ZH", number, "admin", to_window_code="W1")
        close = partial(places_process().close_window, "W1", "admin")
        outcomes = at_once(lambda i, t=transfer, c=close: c() if i else t(), 2)
        won = [o for o in outcomes if not isinstance(o, Exception)]
        expected = (WindowNotOpenError, WindowInUseError, ConflictError)
        assert len(won) == 1, outcomes
        assert all(isinstance(o, expected) for o in outcomes if o not in won), outcomes
        closed = places_process().get_window("W1").status is WindowStatus.CLOSED
        reserved = _reserved_for_w1(process())
        assert closed != bool(reserved), outcomes
        if closed:
            places_process().open_window("W1", "admin")
        else:
            process().remove_ticket("ZH", number, "下一轮", "admin")


def _serve_bd_only(places: PlacesService) -> Window:
    return places.reconfigure_window("W1", "窗口一", "COMPREHENSIVE", [], ["BD"], "admin")


def test_a_reconfiguration_racing_a_transfer_leaves_no_ticket_reserved_for_the_window(
    hall, process, places_process
):
    mine, admin = process(), places_process()
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    # right after this transfer read W1's day, the window (serving ZH) and the ZH day, W1
    # stops serving ZH
    _meanwhile(mine, QueueDay.create_id(hall, "ZH", "2026-03-02"), lambda: _serve_bd_only(admin))
    with pytest.raises(QueueNotServedError) as raised:
        mine.transfer_ticket("ZH", 1, "admin", to_window_code="W1")
    assert raised.value.code == "VALIDATION"
    assert places_process().get_window("W1").queue_codes == ["BD"]
    assert _reserved_for_w1(process()) == []


def test_a_transfer_racing_a_reconfiguration_makes_it_conflict_and_be_refused(
    hall, process, places_process
):
    transferrer, mine = process(), places_process()
    transferrer.issue_ticket("ZH", "KIOSK", "kiosk-1")
    _meanwhile(
        mine,
        QueueDay.create_id(hall, "ZH", "2026-03-02"),
        lambda: transferrer.transfer_ticket("ZH", 1, "admin", to_window_code="W1"),
    )
    with pytest.raises(WindowInUseError) as raised:
        _serve_bd_only(mine)
    assert raised.value.code == "CONFLICT"
    assert places_process().get_window("W1").queue_codes == ["ZH", "BD"]
    assert _reserved_for_w1(process()) == ["A001"]


def _after_reading_ahead(app: QueueService, command: Callable[[], Any]) -> None:
    """Right after ``app`` reads ahead (the first time), ``command`` runs in another thread
    (another request of the process, or another process)."""
    original = app.recorder._select_many  # type: ignore[attr-defined]
    remaining = [1]

    def select_many(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        finally:
            if remaining[0]:
                remaining[0] -= 1
                thread = threading.Thread(target=command)
                thread.start()
                thread.join()

    app.recorder._select_many = select_many  # type: ignore[attr-defined]


def test_a_close_seen_in_the_cached_window_day_is_seen_in_the_window_too(
    hall, process, places_process
):
    """A call reads the window's day before the window: when the process's cached day
    already shows the close (another request read it after this call read ahead), the
    window must not come from the older read ahead (open): the ticket would be called to
    the closed window, and the save would not conflict."""
    mine, closer = process(), places_process()
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    mine.call_next("W1", "S1", "S1")  # W1's day and the window now cached
    mine.start_service("ZH", 1, "S1", "S1")
    mine.end_service("ZH", 1, "S1", "COMPLETED", "S1")
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    calls = WindowDay.create_id(hall, "W1", "2026-03-02")

    def meanwhile() -> None:
        closer.close_window("W1", "admin")
        mine.repository.get(calls)  # another request of mine's process reads W1's day

    _after_reading_ahead(mine, meanwhile)
    with pytest.raises(WindowNotOpenError):
        mine.call_next("W1", "S1", "S1")
    assert places_process().get_window("W1").status is WindowStatus.CLOSED
    assert _called_at_w1(process()) == []


def test_a_close_seen_in_the_cached_window_day_refuses_a_transfer_to_the_window(
    hall, process, places_process
):
    """The same for a transfer to the window (转窗口): never a ticket waiting reserved for
    a window closed before the transfer was saved."""
    mine, closer = process(), places_process()
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    mine.call_next("W1", "S1", "S1")
    mine.start_service("ZH", 1, "S1", "S1")
    mine.end_service("ZH", 1, "S1", "COMPLETED", "S1")
    mine.issue_ticket("ZH", "KIOSK", "kiosk-1")
    calls = WindowDay.create_id(hall, "W1", "2026-03-02")
    mine.repository.get(Window.create_id(hall, "W1"))  # cached

    def meanwhile() -> None:
        closer.close_window("W1", "admin")
        mine.repository.get(calls)

    _after_reading_ahead(mine, meanwhile)
    with pytest.raises(WindowNotOpenError):
        mine.transfer_ticket("ZH", 2, "admin", to_window_code="W1")
    assert places_process().get_window("W1").status is WindowStatus.CLOSED
    assert _reserved_for_w1(process()) == []
