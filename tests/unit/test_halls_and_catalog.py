"""The hall and catalog contexts, in memory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.catalog import (
    CatalogService,
    ServiceItemExistsError,
    ServiceItemNotFoundError,
    ServiceItemWithdrawnError,
)
from services.catalog.application import ItemTerms
from services.halls import HallAlreadyRegisteredError, HallNotRegisteredError, HallRegistry
from services.places import PlacesService, WindowExistsError
from services.shared import ValidationError
from services.staff import StaffExistsError, StaffService
from tests.unit.queue.support import Clock

TERMS = ItemTerms(
    name="帮办代办", category="ASSISTANCE", materials=["身份证"], promised_working_days=5
)


@pytest.fixture
def hall(hall_apps):
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    return "h1"


def test_catalog_event_timestamps_come_from_the_injected_clock(hall_apps, hall):
    """Every event is stamped with the service's clock, not the wall clock: the catalog's
    ``published_at`` and ``updated_at`` follow the timestamps."""
    catalog = hall_apps(CatalogService, hall)
    catalog.clock = clock = Clock()
    moments = [clock.now]
    item = catalog.publish_service_item("BDB-001", TERMS, "admin")
    moments.append(clock.advance(days=1))
    catalog.revise_service_item("BDB-001", replace(TERMS, promised_working_days=3), "admin")
    moments.append(clock.advance(days=1))
    catalog.withdraw_service_item("BDB-001", "停办", "admin")
    assert [e.timestamp for e in catalog.repository.event_store.get(item.id)] == moments


def test_registers_a_hall_once(hall_apps):
    registry = hall_apps(HallRegistry, "h1")
    assert registry.register_hall("一号大厅", "苏州", "op") == 1
    assert registry.get_hall().name == "一号大厅"
    with pytest.raises(HallAlreadyRegisteredError):
        registry.register_hall("again", "", "op")


@pytest.mark.parametrize("bad", ["", "UPPER", "-x", "x-", "a" * 64, "under_score", "空", "h1\n"])
def test_refuses_invalid_hall_ids(hall_apps, bad):
    with pytest.raises(ValidationError):
        hall_apps(HallRegistry, bad).register_hall("n", "", "op")


def test_refuses_a_hall_without_a_name(hall_apps):
    with pytest.raises(ValidationError):
        hall_apps(HallRegistry, "h1").register_hall("  ", "", "op")


def test_publishing_needs_a_registered_hall(hall_apps):
    with pytest.raises(HallNotRegisteredError):
        hall_apps(CatalogService, "nohall").publish_service_item("X1", TERMS, "admin")


def test_publishes_revises_and_withdraws_an_item(hall_apps, hall):
    catalog = hall_apps(CatalogService, hall)
    item = catalog.publish_service_item("BDB-001", TERMS, "admin")
    assert (item.code, item.revision, item.category.value) == ("BDB-001", 1, "ASSISTANCE")
    revised = catalog.revise_service_item(
        "BDB-001", ItemTerms(name="帮办代办（全程）", category="ASSISTANCE"), "admin"
    )
    assert (revised.revision, revised.name) == (2, "帮办代办（全程）")
    withdrawn = catalog.withdraw_service_item("BDB-001", "merged into BDB-002", "admin")
    assert withdrawn.withdrawn
    with pytest.raises(ServiceItemWithdrawnError):
        catalog.revise_service_item("BDB-001", TERMS, "admin")
    with pytest.raises(ServiceItemWithdrawnError):
        catalog.withdraw_service_item("BDB-001", "again", "admin")


def test_an_item_code_is_published_once_per_hall(hall_apps, hall):
    catalog = hall_apps(CatalogService, hall)
    catalog.publish_service_item("X1", TERMS, "admin")
    with pytest.raises(ServiceItemExistsError):
        catalog.publish_service_item("X1", TERMS, "admin")


def test_the_same_code_in_two_halls_is_two_items(hall_apps, hall):
    hall_apps(HallRegistry, "h2").register_hall("二号大厅", "", "op")
    a = hall_apps(CatalogService, hall).publish_service_item("X1", TERMS, "admin")
    b = hall_apps(CatalogService, "h2").publish_service_item("X1", TERMS, "admin")
    assert a.id != b.id


@pytest.mark.parametrize(
    ("code", "terms"),
    [
        ("bad code", TERMS),
        ("X1", ItemTerms(name="", category="ASSISTANCE")),
        ("X1", ItemTerms(name="n", category="NOT_A_CATEGORY")),
        ("X1", ItemTerms(name="n", category="OTHER", promised_working_days=-1)),
        ("X1", ItemTerms(name="n", category="OTHER", fee_cents=-5)),
        ("X1", ItemTerms(name="n", category="OTHER", materials=[""])),
        ("X1", ItemTerms(name="n", category="OTHER", legal_basis="x" * 2001)),
    ],
)
def test_refuses_invalid_items_and_records_nothing(hall_apps, hall, code, terms):
    catalog = hall_apps(CatalogService, hall)
    before = catalog.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        catalog.publish_service_item(code, terms, "admin")
    assert catalog.recorder.max_notification_id() == before


def test_revising_an_unknown_item_is_not_found(hall_apps, hall):
    with pytest.raises(ServiceItemNotFoundError):
        hall_apps(CatalogService, hall).revise_service_item("NOPE", TERMS, "admin")


def test_windows_serve_only_items_of_the_catalog(hall_apps, hall):
    hall_apps(CatalogService, hall).publish_service_item("X1", TERMS, "admin")
    places = hall_apps(PlacesService, hall)
    with pytest.raises(ValidationError, match="NOPE"):
        places.configure_window("W01", "综合窗口", "COMPREHENSIVE", ["X1", "NOPE"], "admin")
    window = places.configure_window("W01", "综合窗口", "COMPREHENSIVE", ["X1"], "admin")
    assert window.item_codes == ["X1"]
    with pytest.raises(WindowExistsError):
        places.configure_window("W01", "again", "COMPLAINT", [], "admin")
    with pytest.raises(ValidationError):
        places.configure_window("W02", "x", "NOT_A_TYPE", [], "admin")


def test_onboards_staff_once_per_badge(hall_apps, hall):
    staff = hall_apps(StaffService, hall)
    member = staff.onboard_staff("S001", "王芳", "WINDOW_STAFF", ["综合受理"], "admin")
    assert member.role.value == "WINDOW_STAFF"
    with pytest.raises(StaffExistsError):
        staff.onboard_staff("S001", "王芳", "WINDOW_STAFF", [], "admin")
    with pytest.raises(ValidationError):
        staff.onboard_staff("S002", "x", "KING", [], "admin")


def test_a_hall_starts_with_default_policies_and_changes_them(hall_apps, hall):
    from services.halls import HallPolicies, MissedNumberPolicy

    registry = hall_apps(HallRegistry, hall)
    assert registry.get_hall().policies == HallPolicies()
    wanted = HallPolicies(
        rectification_working_days=15, missed_number_policy=MissedNumberPolicy.DEFER
    )
    registry.change_policies(wanted, "admin")
    assert registry.get_hall().policies == wanted


@pytest.mark.parametrize(
    "values",
    [
        {"rectification_working_days": 0},
        {"waiting_target_minutes": 999},
        {"missed_number_policy": "SHOUT"},
        {"no_such_policy": 1},
    ],
)
def test_invalid_policies_are_refused(values):
    from services.halls import HallPolicies

    with pytest.raises(ValidationError):
        HallPolicies.from_dict(values)
