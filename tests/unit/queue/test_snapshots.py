"""A busy queue day is loaded from its latest snapshot, and reads the same as from its events."""

from __future__ import annotations

from dataclasses import asdict

from services.halls import MissedNumberPolicy
from services.places import PlacesService
from services.queue import QueueDay, QueueService


def test_a_snapshotted_day_equals_the_day_replayed_from_its_events(hall, hall_apps, monkeypatch):
    monkeypatch.setattr(QueueService, "snapshotting_intervals", {QueueDay: 5})
    queue = hall_apps(QueueService, "h1")
    queue.clock = hall.clock
    hall.queue = queue
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=1)
    for group in ["NONE", "SENIOR", "NONE", "NONE", "NONE"]:
        hall.issue("ZH", priority_group=group, channel="MOBILE", phone="13800000000")
    hall.call("W3")
    queue.mark_no_show("ZH", 2, "S3", "S3")
    assert hall.call("W3").number == 1  # the missed senior waits a place behind A001
    queue.start_service("ZH", 1, "S3", "S3")
    queue.end_service("ZH", 1, "S3", "COMPLETED", "S3")
    queue.transfer_ticket("ZH", 5, "admin", to_queue_code="BD", to_window_code="W2")
    queue.remove_ticket("ZH", 4, "离开", "admin")
    day_id = QueueDay.create_id("h1", "ZH", "2026-03-02")
    assert list(queue.snapshots.get(day_id)), "no snapshot was taken"
    from_snapshot = queue.repository.get(day_id)
    replayed = hall_apps(PlacesService, "h1").repository.get(day_id)  # no snapshots there
    assert [asdict(t) for t in from_snapshot.tickets] == [asdict(t) for t in replayed.tickets]
    assert (from_snapshot.line, from_snapshot.version) == (replayed.line, replayed.version)
    snapshot = list(queue.snapshots.get(day_id))[-1]
    assert "13800000000" not in repr(vars(snapshot))  # no personal data in snapshots
    assert hall.issue("ZH").display_number == "A006"  # and the day goes on from it
