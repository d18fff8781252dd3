"""The ``hall_setup`` read model against the aggregates it copies and against a rebuild from
position 0: every staff, place, queue and window event (an erasure of a member's record
included), applied one event per batch and all in one batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date

import pytest

from deploy.bootstrap import Platform
from projections.hall_setup import (
    HallSetupProjection,
    StaffFilter,
    list_places,
    list_queues,
    list_staff,
    list_windows,
)
from projections.runtime import ProjectionWorker
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry
from services.places import PlacesService
from services.privacy import ERASED, PrivacyService
from services.queue import QueueService
from services.staff import StaffMember, StaffService
from tests.integration.projections.support import assert_hall_rebuilds_identically

HALL = "setup-a"


@pytest.fixture(scope="module")
def hall(own_platform: Platform) -> str:
    """A hall whose staff, places, queues and windows went through every event type."""
    app = own_platform.hall_app
    app(HallRegistry, HALL).register_hall("大厅 setup-a", "苏州", "op")
    catalog = app(CatalogService, HALL)
    for code in ("RX-001", "RX-002"):
        catalog.publish_service_item(code, ItemTerms(name=code, category="ASSISTANCE"), "admin")
    places, queues, staff = (
        app(PlacesService, HALL),
        app(QueueService, HALL),
        app(StaffService, HALL),
    )
    places.register_place("ZX", "镇便民服务中心", "GRASSROOTS_STATION", "某镇某路1号", "admin")
    queues.configure_queue("Q1", "综合受理", "A", ["RX-001"], "admin")
    queues.configure_queue("Q2", "帮办代办", "B", [], "admin")
    queues.reconfigure_queue("Q2", "帮办代办窗口", "C", ["RX-002"], "admin")
    places.configure_window("W01", "一号窗口", "COMPREHENSIVE", ["RX-001"], "admin", "", ["Q1"])
    places.configure_window("W02", "二号窗口", "ASSISTANCE", [], "admin", "ZX", ["Q2"])
    places.reconfigure_window("W02", "帮办窗口", "ASSISTANCE", ["RX-002"], ["Q1", "Q2"], "admin")
    places.open_window("W01", "admin")
    places.suspend_window("W01", "系统故障", "admin")
    places.open_window("W02", "admin")
    places.close_window("W02", "admin")
    for badge, name, role in (("S001", "李娜", "WINDOW_STAFF"), ("S002", "王芳", "AGENT")):
        staff.onboard_staff(badge, name, role, ["综合受理"], "admin")
    staff.assign_to_window("S001", "W01", "A", "admin")
    staff.assign_to_window("S001", "W02", "B", "admin")
    staff.assign_to_window("S001", "W02", "A", "admin")
    staff.assign_to_window("S002", "W01", "B", "admin")
    staff.unassign_from_window("S001", "W01", "admin")
    staff.sign_in("S001", "W02", "S001")
    staff.sign_in("S002", "W01", "S002")
    staff.sign_out("S002", "S002")
    staff.record_training("S001", "政务礼仪", 4.5, date(2025, 1, 10), "C-17", "admin")
    staff.record_training("S001", "业务培训", 2, date(2025, 2, 1), "", "admin")
    staff.offboard_staff("S002", "调离", "admin")
    return HALL


@pytest.fixture(scope="module")
def project(own_platform: Platform) -> Iterator[Callable[[], int]]:
    """One worker for the module (a second one would wait for the first one's lease)."""
    worker = ProjectionWorker(own_platform.worker_pool, [HallSetupProjection()])
    yield worker.run_once
    worker.close()


def test_the_rows_are_what_the_aggregates_hold(
    own_platform: Platform, hall: str, project: Callable[[], int]
) -> None:
    project()
    pool = own_platform.app_pool
    staff = own_platform.hall_app(StaffService, hall)
    rows = list_staff(pool, hall, limit=10)
    assert [r.badge_number for r in rows] == ["S001", "S002"]
    for row in rows:
        member = staff.get_staff(row.badge_number)
        assert row.staff_id == member.id
        assert (row.name, row.role, row.skills) == (member.name, member.role.value, member.skills)
        assert row.posts == {w: p.value for w, p in member.posts.items()}
        assert row.on_duty_window == member.on_duty_window
        assert row.trainings == [asdict(t) for t in member.trainings]
        assert (row.offboarded_at is not None) is member.offboarded
        assert row.updated_at == member.modified_on
    assert rows[0].posts == {"W02": "A"}
    assert rows[1].offboarded_at is not None
    assert [r.badge_number for r in list_staff(pool, hall, StaffFilter(on_duty=True), limit=9)] == [
        "S001"
    ]

    places = own_platform.hall_app(PlacesService, hall)
    for window in list_windows(pool, hall, limit=10):
        held = places.get_window(window.code)
        assert (window.name, window.window_type, window.place_code) == (
            held.name,
            held.window_type.value,
            held.place_code,
        )
        assert (window.item_codes, window.queue_codes) == (held.item_codes, held.queue_codes)
        assert (window.status, window.suspension_reason) == (
            held.status.value,
            held.suspension_reason,
        )
        assert window.updated_at == held.modified_on
    queues = own_platform.hall_app(QueueService, hall)
    for queue in list_queues(pool, hall, limit=10):
        held_queue = queues.get_queue(queue.code)
        assert (queue.name, queue.prefix, queue.item_codes) == (
            held_queue.name,
            held_queue.prefix,
            held_queue.item_codes,
        )
    (place,) = list_places(pool, hall, limit=10)
    assert (place.code, place.place_type, place.address) == (
        "ZX",
        "GRASSROOTS_STATION",
        "某镇某路1号",
    )

    assert_hall_rebuilds_identically(own_platform, hall, [HallSetupProjection()])


def test_an_erasure_blanks_the_members_name_live_and_in_a_rebuild(
    own_platform: Platform, hall: str, project: Callable[[], int]
) -> None:
    staff_id = StaffMember.create_id(hall, "S002")
    privacy = own_platform.hall_app(PrivacyService, hall)
    privacy.erase_personal_data(f"record:{staff_id}", "本人申请删除", "admin")
    project()
    rows = list_staff(own_platform.app_pool, hall, limit=10)
    assert [(r.badge_number, r.name) for r in rows] == [("S001", "李娜"), ("S002", ERASED)]
    assert own_platform.hall_app(StaffService, hall).get_staff("S002").name == ERASED
    assert_hall_rebuilds_identically(own_platform, hall, [HallSetupProjection()])
