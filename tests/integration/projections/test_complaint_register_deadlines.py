"""The complaint register's deadlines, end to end with a fixed clock and the real scheduler:
a miss the scheduler recorded survives a later extension (in the register and in the
platform's ``deadlines`` read model, which the operators' counts and the scheduler read), and
a reopening sets the limit and the due dates of the new round. Rebuilt event by event and in
one batch, the read models are the same. (March 2026: Mon 03-02 … Fri 03-06, Mon 03-09 …;
no holidays.)"""

from __future__ import annotations

from datetime import date

import pytest

from deploy.bootstrap import all_projections
from projections.complaints import ComplaintRegisterProjection
from projections.complaints.view import ComplaintFilter, complaints_by_id, list_complaints
from projections.platform import COMPLAINTS, DeadlinesProjection, deadline_counts, due_deadlines
from projections.runtime import ProjectionWorker
from services.complaints import Complaint, ComplaintDetails, ComplaintService
from services.halls import HallPolicies, HallRegistry
from services.scheduler import DeadlineScheduler, default_sources
from tests.integration.projections.support import Clock, assert_hall_rebuilds_identically


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _project(platform) -> None:
    worker = ProjectionWorker(platform.worker_pool, all_projections())
    worker.run_once()
    worker.close()


def _complaints(platform, hall: str, clock: Clock) -> ComplaintService:
    platform.hall_app(HallRegistry, hall).register_hall(f"大厅 {hall}", "苏州", "op")
    app = platform.hall_app(ComplaintService, hall)
    app.clock = clock
    return app


def _received(app: ComplaintService) -> object:
    details = ComplaintDetails(channel="IN_PERSON", facts="窗口人员态度生硬", anonymous=True)
    return app.receive_complaint(details, "s").id


def _handled_and_replied(app: ComplaintService, complaint) -> None:
    app.investigate_complaint(complaint, "NOT_SUBSTANTIATED", "误会", "S002")
    app.dispose_complaint(complaint, ["当场解释"], "S002")
    app.reply_to_complaint(complaint, "已解释", "S002")


def _reply_deadlines(platform, hall: str) -> tuple[int, int, int]:
    """The hall's complaint deadlines on the platform overview: (open, overdue, closed late)."""
    [counts] = [
        (c.open, c.overdue, c.closed_late)
        for c in deadline_counts(platform.worker_pool)
        if (c.tenant_id, c.context) == (hall, COMPLAINTS)
    ]
    return counts


def _due(platform, hall: str, today: date) -> list[tuple[object, date]]:
    """The hall's complaints the scheduler's query lists ``today``, with their due dates."""
    with platform.worker_pool.connection() as conn:
        due = due_deadlines(conn, COMPLAINTS, today)
    return [(d.record_id, d.due_on) for d in due if d.tenant_id == hall]


def test_an_extension_after_a_recorded_miss_keeps_the_miss(own_platform, clock):
    hall = "reg-missed"
    app = _complaints(own_platform, hall, clock)
    complaint = _received(app)
    assert app.accept_complaint(complaint, "INTERVENTION", "admin").due_on == date(2026, 3, 9)
    _project(own_platform)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )
    clock.set(3, 12)
    assert scheduler.run_once().by_source["complaints"] == 1
    [overdue] = [
        e for e in app.repository.event_store.get(complaint) if isinstance(e, Complaint.Overdue)
    ]
    assert (overdue.due_on, overdue.detected_on) == ("2026-03-09", "2026-03-12")

    clock.set(3, 13)
    extended = app.extend_complaint_deadline(complaint, 5, "需协调部门", "admin")
    assert extended.due_on == date(2026, 3, 16)
    _project(own_platform)
    pool = own_platform.app_pool
    row = complaints_by_id(pool, hall, [complaint])[complaint]
    assert (row.due_on, row.overdue, row.extension_count) == (date(2026, 3, 16), True, 1)
    assert _reply_deadlines(own_platform, hall) == (1, 1, 0)  # open and overdue, as recorded
    assert _due(own_platform, hall, date(2026, 3, 13)) == []  # 03-09's miss is recorded
    assert scheduler.run_once().by_source["complaints"] == 0

    clock.set(3, 16)
    _handled_and_replied(app, complaint)
    replied = list(app.repository.event_store.get(complaint))[-1]
    assert isinstance(replied, Complaint.Replied)
    assert replied.on_time  # by the extended due date, as the event records
    _project(own_platform)
    row = complaints_by_id(pool, hall, [complaint])[complaint]
    assert (row.status, row.overdue, row.replied_on_time) == ("REPLIED", True, False)
    missed = list_complaints(pool, hall, ComplaintFilter(overdue=True), before=None, limit=10)
    assert [r.complaint_id for r in missed] == [complaint]
    assert _reply_deadlines(own_platform, hall) == (0, 0, 1)  # closed late, as in the register
    assert_hall_rebuilds_identically(
        own_platform, hall, [ComplaintRegisterProjection(), DeadlinesProjection()]
    )


def test_an_extended_due_date_that_passes_too_is_recorded_once_and_the_first_miss_stays(
    own_platform, clock
):
    """Extended after its due date with no miss recorded yet: the extension records it first
    (03-09, detected 03-11); the new due date (03-11) passes unanswered too and the scheduler
    records that once (03-12); the round was overdue all along and closes late."""
    hall = "reg-missed-twice"
    app = _complaints(own_platform, hall, clock)
    complaint = _received(app)
    assert app.accept_complaint(complaint, "INTERVENTION", "admin").due_on == date(2026, 3, 9)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )
    clock.set(3, 11)
    assert app.extend_complaint_deadline(complaint, 2, "需协调部门", "admin").due_on == date(
        2026, 3, 11
    )
    _project(own_platform)
    assert _reply_deadlines(own_platform, hall) == (1, 1, 0)
    assert _due(own_platform, hall, date(2026, 3, 11)) == []  # the new due day is in time
    assert scheduler.run_once().by_source["complaints"] == 0

    clock.set(3, 12)
    assert _due(own_platform, hall, date(2026, 3, 12)) == [(complaint, date(2026, 3, 11))]
    assert scheduler.run_once().by_source["complaints"] == 1
    assert scheduler.run_once().by_source["complaints"] == 0  # read model behind: not twice
    _project(own_platform)
    assert _due(own_platform, hall, date(2026, 3, 12)) == []
    assert _reply_deadlines(own_platform, hall) == (1, 1, 0)
    history = list(app.repository.event_store.get(complaint))
    assert [(e.due_on, e.detected_on) for e in history if isinstance(e, Complaint.Overdue)] == [
        ("2026-03-09", "2026-03-11"),
        ("2026-03-11", "2026-03-12"),
    ]

    clock.set(3, 13)
    _handled_and_replied(app, complaint)
    _project(own_platform)
    assert _reply_deadlines(own_platform, hall) == (0, 0, 1)
    row = complaints_by_id(own_platform.app_pool, hall, [complaint])[complaint]
    assert (row.overdue, row.replied_on_time) == (True, False)
    assert_hall_rebuilds_identically(
        own_platform, hall, [ComplaintRegisterProjection(), DeadlinesProjection()]
    )


def test_a_reopening_sets_the_limit_and_due_dates_of_the_new_round(own_platform, clock):
    hall = "reg-reopened"
    app = _complaints(own_platform, hall, clock)
    complaint = _received(app)
    assert app.accept_complaint(complaint, "ON_THE_SPOT", "admin").due_on == date(2026, 3, 3)
    _handled_and_replied(app, complaint)
    clock.set(3, 4)
    assert app.reopen_complaint(complaint, "复查", "admin").due_on == date(2026, 3, 11)
    _project(own_platform)
    pool = own_platform.app_pool
    row = complaints_by_id(pool, hall, [complaint])[complaint]
    assert (row.handling_round, row.status) == (2, "ACCEPTED")
    assert (row.time_limit_working_days, row.accepted_due_on, row.due_on) == (
        5,
        date(2026, 3, 11),
        date(2026, 3, 11),
    )

    # The limit of a reopening is the hall's complex limit at the time, as its policies say.
    own_platform.hall_app(HallRegistry, hall).change_policies(
        HallPolicies(complaint_complex_working_days=3), "op"
    )
    clock.set(3, 5)
    app.extend_complaint_deadline(complaint, 1, "需复核", "admin")  # due 03-12
    _handled_and_replied(app, complaint)
    clock.set(3, 6)
    assert app.reopen_complaint(complaint, "仍不满意", "admin").due_on == date(2026, 3, 11)
    _project(own_platform)
    row = complaints_by_id(pool, hall, [complaint])[complaint]
    assert (row.handling_round, row.time_limit_working_days) == (3, 3)
    assert (row.accepted_due_on, row.due_on, row.extension_count) == (
        date(2026, 3, 11),
        date(2026, 3, 11),
        1,
    )
    assert_hall_rebuilds_identically(own_platform, hall, [ComplaintRegisterProjection()])
