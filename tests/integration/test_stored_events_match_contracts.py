"""Every event the platform stores validates against its published JSON Schema."""

from __future__ import annotations

from contracts import to_payload, validate_payload
from deploy.demo import seed_demo_hall
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.store import decode


def test_every_stored_event_validates_against_its_contract(platform, tenant_id):
    assert seed_demo_hall(platform, tenant_id) == 9  # hall, 3 items, 2 windows, 3 staff
    catalog = platform.hall_app(CatalogService, tenant_id)
    catalog.revise_service_item(
        "RX-001", ItemTerms(name="免费热线咨询（12345）", category="HOTLINE_CONSULTATION"), "admin"
    )
    catalog.withdraw_service_item("QY-001", "改由线上办理", "admin")
    notifications = platform.store.recorder(tenant_id).select_notifications(start=1, limit=1000)
    assert [n.id for n in notifications] == list(range(1, 12))
    seen = set()
    for notification in notifications:
        event_type, payload = to_payload(decode(notification))
        validate_payload(event_type, payload)
        seen.add(event_type.name)
    assert seen == {
        "halls.HallRegistered",
        "catalog.ServiceItemPublished",
        "catalog.ServiceItemRevised",
        "catalog.ServiceItemWithdrawn",
        "places.WindowConfigured",
        "staff.StaffOnboarded",
    }


def test_seeding_twice_creates_nothing_new(platform, tenant_id):
    assert seed_demo_hall(platform, tenant_id) == 9
    assert seed_demo_hall(platform, tenant_id) == 0
    assert platform.store.recorder(tenant_id).max_notification_id() == 9
