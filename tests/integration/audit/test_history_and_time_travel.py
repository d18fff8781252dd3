"""The history stream, records as of a point in time, diffs, and the access log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest

from services.audit import (
    REDACTED,
    Accessor,
    HistoryFilter,
    Point,
    ReasonRequiredError,
    RecordNotFoundError,
    list_access_log,
)
from services.catalog import CatalogService
from services.privacy import ERASED, PrivacyService
from services.shared.errors import ValidationError
from services.staff import StaffService


def _item_id(platform, hall, code):
    return str(platform.hall_app(CatalogService, hall).get_item(code).id)


def test_history_pages_through_the_whole_log_in_order(reader, seeded, auditor):
    first = reader.history(seeded, auditor, HistoryFilter(), first=4)
    assert [e.position for e in first.entries] == [1, 2, 3, 4]
    assert first.next_after == 4
    assert first.entries[0].event_type == "halls.HallRegistered"
    assert first.entries[0].prev_hash == "00" * 32
    assert first.entries[1].prev_hash == first.entries[0].hash
    positions = [e.position for e in first.entries]
    after = first.next_after
    while after is not None:
        page = reader.history(seeded, auditor, HistoryFilter(), after=after, first=4)
        positions += [e.position for e in page.entries]
        after = page.next_after
    # 11 events, plus the access records of the reads themselves (one per page, logged first)
    assert positions[:11] == list(range(1, 12))
    assert positions == list(range(1, len(positions) + 1))


def test_history_filters_by_record_type_actor_and_time(platform, reader, seeded, auditor):
    rx = _item_id(platform, seeded, "RX-001")
    by_record = reader.history(seeded, auditor, HistoryFilter(aggregate_id=rx))
    assert [e.event_type for e in by_record.entries] == [
        "catalog.ServiceItemPublished",
        "catalog.ServiceItemRevised",
    ]
    by_type = reader.history(seeded, auditor, HistoryFilter(event_type="staff.StaffOnboarded"))
    assert len(by_type.entries) == 3
    by_actor = reader.history(seeded, auditor, HistoryFilter(actor="admin-2"))
    assert [e.position for e in by_actor.entries] == [10, 11]
    future = datetime.now(UTC) + timedelta(days=1)
    assert reader.history(seeded, auditor, HistoryFilter(since=future)).entries == []
    past = reader.history(
        seeded, auditor, HistoryFilter(until=future, event_type="halls.HallRegistered")
    )
    assert len(past.entries) == 1


def test_personal_fields_are_redacted_unless_asked_for_and_erased_after_erasure(
    platform, reader, seeded, auditor
):
    onboarded = HistoryFilter(event_type="staff.StaffOnboarded")
    redacted = reader.history(seeded, auditor, onboarded)
    assert {e.payload["name"] for e in redacted.entries} == {REDACTED}
    shown = reader.history(seeded, auditor, onboarded, personal=True)
    assert {e.payload["name"] for e in shown.entries} == {"王芳", "李强", "陈静"}

    wang = next(e.aggregate_id for e in shown.entries if e.payload["name"] == "王芳")
    platform.hall_app(PrivacyService, seeded).erase_personal_data(
        f"record:{wang}", "离职人员请求删除", "admin-1"
    )
    assert platform.hall_app(StaffService, seeded).get_or_none(UUID(wang)).name == ERASED
    after = reader.history(seeded, auditor, onboarded, personal=True)
    assert sorted(e.payload["name"] for e in after.entries) == sorted([ERASED, "李强", "陈静"])


def test_a_record_as_of_a_position_and_a_time(platform, reader, seeded, auditor, database_url):
    rx = _item_id(platform, seeded, "RX-001")
    before = reader.as_of(seeded, auditor, rx, Point(position=9))
    assert (before.version, before.state["name"]) == (1, "免费热线咨询")
    now = reader.as_of(seeded, auditor, rx, Point(position=10))
    assert (now.version, now.position, now.state["name"]) == (2, 10, "免费热线咨询（12345）")

    with psycopg.connect(database_url) as conn:
        (at,) = conn.execute(
            "SELECT recorded_at FROM events WHERE tenant_id = %s AND position = 9", (seeded,)
        ).fetchone()
    assert reader.as_of(seeded, auditor, rx, Point(at=at)).version == 1
    with pytest.raises(RecordNotFoundError, match="did not exist"):
        reader.as_of(seeded, auditor, rx, Point(position=1))
    with pytest.raises(RecordNotFoundError):
        reader.as_of(seeded, auditor, "no-such-record", Point(position=5))


def test_a_diff_lists_the_changed_fields(platform, reader, seeded, auditor):
    rx = _item_id(platform, seeded, "RX-001")
    diff = reader.diff(seeded, auditor, rx, Point(position=9), Point(position=11))
    changed = {c.field: (c.before, c.after) for c in diff.changes}
    assert changed["name"] == ("免费热线咨询", "免费热线咨询（12345）")
    assert changed["version"] == (1, 2)
    assert "code" not in changed
    created = reader.diff(seeded, auditor, rx, Point(position=1), Point(position=9))
    assert created.before is None
    assert {c.kind for c in created.changes} == {"ADDED"}


def test_every_read_is_logged_and_a_read_without_reason_is_refused(
    platform, reader, seeded, auditor
):
    with pytest.raises(ReasonRequiredError):
        Accessor(actor="au-1", role="auditor", reason="  ")
    reader.history(seeded, auditor, HistoryFilter(actor="admin-2"), first=5)
    rx = _item_id(platform, seeded, "RX-001")
    reader.as_of(seeded, auditor, rx, Point(position=10), personal=True)
    reader.diff(seeded, auditor, rx, Point(position=9), Point(position=10))
    entries = list_access_log(platform.app_pool, seeded)
    assert [e.action for e in entries] == ["DIFF", "AS_OF", "HISTORY"]
    newest = entries[0]
    assert (newest.actor, newest.role, newest.reason) == ("au-1", "auditor", "2026 年度审计抽查")
    assert rx in newest.scope
    assert entries[1].personal is True
    assert "actor=admin-2" in entries[2].scope
    assert [e.action for e in list_access_log(platform.app_pool, seeded, first=1)] == ["DIFF"]
    older = list_access_log(platform.app_pool, seeded, before=newest.position)
    assert [e.action for e in older] == ["AS_OF", "HISTORY"]
    assert list_access_log(platform.app_pool, seeded, before=0) == []  # not the newest page
    for bad in ({"first": 0}, {"first": 501}, {"before": -1}):  # refused, not clamped
        with pytest.raises(ValidationError):
            list_access_log(platform.app_pool, seeded, **bad)


@pytest.mark.parametrize(
    ("where", "first"),
    [
        (HistoryFilter(event_type="complaints.ComplaintRecieved"), 10),
        (HistoryFilter(), 0),
        (HistoryFilter(), 501),
    ],
    ids=["misspelt event type", "empty page", "page too large"],
)
def test_a_history_read_that_would_be_refused_is_refused_before_it_is_logged(
    platform, reader, seeded, auditor, where, first
):
    """A typo in a filter reads nothing, so it leaves no access record in the immutable log
    (which it could not remove again)."""
    with pytest.raises(ValidationError):
        reader.history(seeded, auditor, where, first=first)
    assert list_access_log(platform.app_pool, seeded) == []
