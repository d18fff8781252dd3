"""Places and windows: registration, configuration, and the window's day (open … close)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from services.catalog import CatalogService
from services.halls import HallNotRegisteredError
from services.places import (
    PlacesService,
    PlaceType,
    ServicePlaceExistsError,
    ServicePlaceNotFoundError,
    Window,
    WindowAlreadyClosedError,
    WindowAlreadyOpenError,
    WindowExistsError,
    WindowNotFoundError,
    WindowNotOpenError,
    WindowNotSuspendedError,
    WindowStatus,
)
from services.shared import ValidationError
from tests.unit.queue.support import refused


def test_event_timestamps_come_from_the_injected_clock(places, clock):
    """Every event is stamped with the service's clock at its command, not the wall clock."""
    moments = []

    def a_minute_later(command, *args, **kwargs):
        moments.append(clock.advance(minutes=1))
        return command(*args, **kwargs)

    place = a_minute_later(places.register_place, "ZX-1", "某镇便民服务中心", "HALL", "", "a")
    window = a_minute_later(
        places.configure_window, "W1", "综合窗口一", "COMPREHENSIVE", ["X1"], "a", "ZX-1", ["ZH"]
    )
    a_minute_later(places.reconfigure_window, "W1", "综合窗口", "COMPREHENSIVE", [], [], "a")
    a_minute_later(places.open_window, "W1", "a")
    a_minute_later(places.suspend_window, "W1", "系统故障", "a")
    a_minute_later(places.resume_window, "W1", "a")
    a_minute_later(places.close_window, "W1", "a")
    stamps = [e.timestamp for e in places.repository.event_store.get(window.id)]
    assert stamps == moments[1:]
    assert [e.timestamp for e in places.repository.event_store.get(place.id)] == moments[:1]


def test_registers_a_grassroots_station_once(places):
    place = places.register_place("ZX-1", "某镇便民服务中心", "GRASSROOTS_STATION", "某路1号", "a")
    assert (place.place_type, place.name) == (PlaceType.GRASSROOTS_STATION, "某镇便民服务中心")
    assert places.get_place("ZX-1").address == "某路1号"
    refused(
        places, ServicePlaceExistsError, lambda: places.register_place("ZX-1", "x", "HALL", "", "a")
    )


@pytest.mark.parametrize(
    ("code", "name", "kind", "address"),
    [
        ("bad code", "n", "HALL", ""),
        ("P1", " ", "HALL", ""),
        ("P1", "n", "CASTLE", ""),
        ("P1", "n", "ONLINE_PLATFORM", "x" * 201),
    ],
)
def test_refuses_invalid_places_and_records_nothing(places, code, name, kind, address):
    refused(places, ValidationError, lambda: places.register_place(code, name, kind, address, "a"))


def test_places_need_a_registered_hall(hall_apps):
    app = hall_apps(PlacesService, "nohall")
    refused(app, HallNotRegisteredError, lambda: app.register_place("P", "n", "HALL", "", "a"))


def test_configures_a_window_at_a_place_serving_items_and_queues(places):
    places.register_place("NET", "网上办事大厅", "ONLINE_PLATFORM", "https://example.gov.cn", "a")
    window = places.configure_window(
        "W09",
        "网上综合窗口",
        "COMPREHENSIVE",
        ["X1"],
        "admin",
        place_code="NET",
        queue_codes=["ZH"],
    )
    assert (window.place_code, window.queue_codes, window.status) == (
        "NET",
        ["ZH"],
        WindowStatus.CLOSED,
    )
    same = places.get_window("W09")
    assert (same.place_code, same.queue_codes, same.item_codes) == ("NET", ["ZH"], ["X1"])


def test_a_window_needs_known_places_queues_and_a_new_code(places):
    refused(
        places,
        ServicePlaceNotFoundError,
        lambda: places.configure_window("W1", "n", "COMPLAINT", [], "a", place_code="NOPE"),
    )
    code = refused(
        places,
        ValidationError,
        lambda: places.configure_window("W1", "n", "COMPLAINT", [], "a", queue_codes=["NOPE"]),
    )
    assert code == "VALIDATION"
    refused(
        places,
        ValidationError,
        lambda: places.configure_window("W1", "n", "COMPLAINT", [], "a", queue_codes=["ZH", "ZH"]),
    )
    places.configure_window("W1", "投诉窗口", "COMPLAINT", [], "a")
    refused(
        places, WindowExistsError, lambda: places.configure_window("W1", "n", "COMPLAINT", [], "a")
    )


def test_reconfigures_name_type_items_and_queues_keeping_the_state(places):
    places.configure_window("W1", "综合窗口", "COMPREHENSIVE", [], "admin")
    places.open_window("W1", "admin")
    window = places.reconfigure_window("W1", "帮办代办窗口", "ASSISTANCE", ["X1"], ["ZH"], "admin")
    assert (window.name, window.window_type.value, window.item_codes, window.queue_codes) == (
        "帮办代办窗口",
        "ASSISTANCE",
        ["X1"],
        ["ZH"],
    )
    assert places.get_window("W1").status is WindowStatus.OPEN
    refused(
        places,
        ValidationError,
        lambda: places.reconfigure_window("W1", "x", "NOT_A_TYPE", [], [], "admin"),
    )
    refused(
        places,
        ValidationError,
        lambda: places.reconfigure_window("W1", "x", "ASSISTANCE", ["NOPE"], [], "admin"),
    )


def test_a_withdrawn_item_is_configured_onto_no_window(places, hall_apps):
    places.configure_window("W1", "综合窗口", "COMPREHENSIVE", ["X1"], "admin")
    hall_apps(CatalogService, "h1").withdraw_service_item("X1", "事项取消", "admin")
    code = refused(
        places,
        ValidationError,
        lambda: places.configure_window("W2", "综合窗口二", "COMPREHENSIVE", ["X1"], "admin"),
    )
    assert code == "VALIDATION"
    with pytest.raises(ValidationError, match="withdrawn"):
        places.reconfigure_window("W1", "综合窗口", "COMPREHENSIVE", ["X1"], [], "admin")
    places.reconfigure_window("W1", "综合窗口", "COMPREHENSIVE", [], [], "admin")  # dropped


@pytest.mark.parametrize(
    "codes", [["X1", "X1"], [f"X{n}" for n in range(101)]], ids=["twice", "over-100"]
)
def test_a_windows_item_list_is_distinct_and_bounded(places, codes):
    command = lambda: places.configure_window("W1", "综合窗口", "COMPREHENSIVE", codes, "admin")  # noqa: E731
    assert refused(places, ValidationError, command) == "VALIDATION"
    places.configure_window("W1", "综合窗口", "COMPREHENSIVE", ["X1"], "admin")
    with pytest.raises(ValidationError, match="at most 100 distinct item codes"):
        places.reconfigure_window("W1", "综合窗口", "COMPREHENSIVE", codes, [], "admin")


def test_long_item_and_queue_lists_are_refused_before_any_code_is_looked_up(places, monkeypatch):
    """Each code costs a read of the store: a 20,000-code list (a 1 MB body holds 110,000)
    must not cost 20,000 reads before the 100-code limit refuses it."""
    looked_up = []
    get_or_none = places.get_or_none

    def counting(*args):
        looked_up.append(args)
        return get_or_none(*args)

    monkeypatch.setattr(places, "get_or_none", counting)
    many = ["X1"] * 20_000
    for items, queues in ((many, []), ([], many)):
        with pytest.raises(ValidationError, match="at most 100 distinct"):
            places.configure_window("W1", "综合窗口", "COMPREHENSIVE", items, "admin", "", queues)
    assert len(looked_up) <= 2  # the hall's registration, once per command


def test_a_window_opens_suspends_resumes_and_closes_at_the_clocks_times(places, clock):
    places.configure_window("W1", "综合窗口", "COMPREHENSIVE", [], "admin")
    opened_at = clock()
    assert places.open_window("W1", "S001").status is WindowStatus.OPEN
    clock.advance(minutes=90)
    suspended = places.suspend_window("W1", "系统故障", "S001")
    assert (suspended.status, suspended.suspension_reason) == (WindowStatus.SUSPENDED, "系统故障")
    clock.advance(minutes=10)
    assert places.resume_window("W1", "S001").status is WindowStatus.OPEN
    clock.advance(hours=6)
    closed = places.close_window("W1", "S001")
    assert (closed.status, closed.suspension_reason) == (WindowStatus.CLOSED, "")
    events = list(places.events.get(Window.create_id("h1", "W1")))
    times = [
        getattr(e, f)
        for e in events
        for f in ("opened_at", "suspended_at", "resumed_at", "closed_at")
        if hasattr(e, f)
    ]
    assert times[0] == opened_at
    assert [round((t - opened_at).total_seconds() / 60) for t in times] == [0, 90, 100, 460]
    assert places.open_window("W1", "S001").status is WindowStatus.OPEN  # the next day


@pytest.mark.parametrize(
    ("steps", "command", "error"),
    [
        ([], "resume", WindowNotSuspendedError),
        ([], "suspend", WindowNotOpenError),
        ([], "close", WindowAlreadyClosedError),
        (["open"], "open", WindowAlreadyOpenError),
        (["open"], "resume", WindowNotSuspendedError),
        (["open", "suspend"], "open", WindowAlreadyOpenError),
        (["open", "suspend"], "suspend", WindowNotOpenError),
        (["open", "close"], "close", WindowAlreadyClosedError),
        (["open", "close"], "resume", WindowNotSuspendedError),
    ],
)
def test_illegal_window_transitions_are_conflicts_and_record_nothing(places, steps, command, error):
    places.configure_window("W1", "综合窗口", "COMPREHENSIVE", [], "admin")
    run = {
        "open": lambda: places.open_window("W1", "a"),
        "suspend": lambda: places.suspend_window("W1", "午休", "a"),
        "resume": lambda: places.resume_window("W1", "a"),
        "close": lambda: places.close_window("W1", "a"),
    }
    for step in steps:
        run[step]()
    assert refused(places, error, run[command]) == "CONFLICT"


def test_suspending_needs_a_reason(places):
    places.configure_window("W1", "综合窗口", "COMPREHENSIVE", [], "admin")
    places.open_window("W1", "a")
    refused(places, ValidationError, lambda: places.suspend_window("W1", "  ", "a"))


def test_commands_on_an_unknown_window_are_not_found(places):
    assert (
        refused(places, WindowNotFoundError, lambda: places.open_window("W7", "a")) == "NOT_FOUND"
    )


def test_a_version_1_window_configured_event_reads_as_version_2(places):
    """Windows stored before places and queues existed read with no place and no queues."""
    v2 = Window(
        hall_id="h1",
        code="OLD",
        name="老窗口",
        window_type="COMPREHENSIVE",
        item_codes=["X1"],
        place_code="",
        queue_codes=[],
        actor="seed",
        timestamp=places.clock(),
    ).collect_events()[0]
    stored = places.mapper.to_stored_event(v2)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["place_code"], state["queue_codes"]
    v1 = replace(stored, state=json.dumps(state).encode())
    places.recorder.insert_events([v1])
    old = places.get_window("OLD")
    assert (old.name, old.place_code, old.queue_codes, old.status) == (
        "老窗口",
        "",
        [],
        WindowStatus.CLOSED,
    )
    assert places.open_window("OLD", "a").status is WindowStatus.OPEN


def test_a_staff_member_operates_only_the_window_they_are_signed_in_at(places, hall_apps):
    from services.staff import StaffNotOnDutyError, StaffService

    places.configure_window("W1", "综合窗口一", "COMPREHENSIVE", [], "admin")
    places.configure_window("W2", "综合窗口二", "COMPREHENSIVE", [], "admin")
    staff = hall_apps(StaffService, "h1")
    staff.onboard_staff("S001", "王芳", "WINDOW_STAFF", [], "admin")
    staff.assign_to_window("S001", "W1", "A", "admin")
    for badge in ("S001", "S404", ""):
        code = refused(places, StaffNotOnDutyError, lambda b=badge: places.open_window("W1", b, b))
        assert code == "FORBIDDEN"
    staff.sign_in("S001", "W1", "S001")
    assert places.open_window("W1", "S001", badge="S001").status is WindowStatus.OPEN
    places.suspend_window("W1", "午休", "S001", badge="S001")
    places.resume_window("W1", "S001", badge="S001")
    places.open_window("W2", "admin")  # admins act without a badge
    refused(places, StaffNotOnDutyError, lambda: places.close_window("W2", "S001", badge="S001"))
    assert places.close_window("W1", "S001", badge="S001").status is WindowStatus.CLOSED
