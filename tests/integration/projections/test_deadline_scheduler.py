"""The deadline scheduler, end to end with a fixed clock: a rectification's missed deadlines
are found in the ``deadlines`` read model and recorded as ``RectificationOverdue`` events by
the rectification service, once each, so the history says when it became overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from deploy.bootstrap import all_projections
from deploy.cli import app
from projections.platform import RECTIFICATIONS, deadline_counts, due_deadlines
from projections.runtime import ProjectionWorker
from services.evaluations import EvaluationService, Invitation
from services.halls import HallRegistry
from services.rectifications import Rectification, RectificationService
from services.scheduler import DeadlineScheduler, default_sources
from services.scheduler.registry import DeadlineSource
from services.shared.working_days import CHINA_TZ, local_date
from tests.integration.projections.support import BAD, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ))  # Wednesday before National Day


def _project(platform) -> None:
    worker = ProjectionWorker(platform.worker_pool, all_projections())
    worker.run_once()
    worker.close()


def _open_rectification(platform, hall: str, clock: Clock):
    """A bad rating on 2026-09-30 opens a rectification: verification call due 10-08."""
    platform.hall_app(HallRegistry, hall).register_hall(f"大厅 {hall}", "苏州", "op")
    evaluations = platform.hall_app(EvaluationService, hall)
    rectifications = platform.hall_app(RectificationService, hall)
    evaluations.clock = rectifications.clock = clock
    invitation = Invitation(subject_kind="MATTER", subject_ref="M-1", channel="ONLINE")
    invited = evaluations.invite_evaluation(invitation, "S001")
    evaluation = invited.evaluation
    evaluations.submit_rating(evaluation.id, BAD, "applicant", rating_code=invited.rating_code)
    from services.evaluations.policies import rectification_id_for

    return rectifications, rectification_id_for(evaluation)


def _history(rectifications, rid):
    return list(rectifications.repository.event_store.get(rid))


def test_missed_deadlines_are_recorded_once_each_when_the_clock_passes_them(own_platform, clock):
    rectifications, rid = _open_rectification(own_platform, "sched-a", clock)
    _project(own_platform)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )

    clock.set(10, 8, 23)  # the due date itself is in time
    assert scheduler.run_once().found == 0

    clock.set(10, 9)
    report = scheduler.run_once()
    assert (report.found, report.recorded, report.by_source["rectifications"]) == (1, 1, 1)
    overdue = _history(rectifications, rid)[-1]
    assert isinstance(overdue, Rectification.Overdue)
    assert (overdue.deadline, overdue.due_on, overdue.detected_on, overdue.actor) == (
        "VERIFICATION",
        "2026-10-08",
        "2026-10-09",
        "system",
    )
    assert overdue.timestamp == clock.now  # the scheduler's now, not the wall clock

    # Before the read model caught up, it still lists the record: nothing is recorded twice.
    report = scheduler.run_once()
    assert (report.found, report.recorded, report.unchanged) == (1, 0, 1)
    _project(own_platform)
    assert scheduler.run_once().found == 0
    counts = {c.tenant_id: c for c in deadline_counts(own_platform.worker_pool)}
    assert (counts["sched-a"].open, counts["sched-a"].overdue) == (1, 1)

    # The ledger's own deadline: five working days after 10-09 (Saturday 10-10 is 调休).
    rectifications.record_verification_call(rid, True, "核实", "S002")
    assert rectifications.enter_ledger(rid, ["整改"], "S002").due_on == date(2026, 10, 15)
    _project(own_platform)
    clock.set(10, 15, 23)
    assert scheduler.run_once().found == 0
    clock.set(10, 16)
    assert scheduler.run_once().recorded == 1
    assert _history(rectifications, rid)[-1].deadline == "RECTIFICATION"
    rectifications.complete(rid, ["完成"], "S002")
    _project(own_platform)
    counts = {c.tenant_id: c for c in deadline_counts(own_platform.worker_pool)}
    assert (counts["sched-a"].open, counts["sched-a"].closed_late) == (0, 2)


def test_each_overdue_event_is_stamped_when_it_is_recorded_not_when_the_round_began(
    own_platform, clock
):
    """A round over many records takes time; a user command in between is stamped later
    than the round's start, so the scheduler's events read the clock again."""
    opened = [_open_rectification(own_platform, f"sched-t{n}", clock) for n in range(3)]
    _project(own_platform)
    clock.set(10, 9)
    start = clock.now

    def ticking() -> datetime:
        clock.now += timedelta(seconds=1)
        return clock.now

    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=ticking
    )
    report = scheduler.run_once()
    assert report.now == start + timedelta(seconds=1)
    stamps = sorted(_history(rectifications, rid)[-1].timestamp for rectifications, rid in opened)
    assert len(set(stamps)) == 3
    assert report.now < stamps[0]
    assert stamps[-1] <= clock.now


def test_a_record_met_after_the_read_model_listed_it_is_not_marked(own_platform, clock):
    rectifications, rid = _open_rectification(own_platform, "sched-b", clock)
    _project(own_platform)
    clock.set(10, 12)
    rectifications.record_verification_call(rid, True, "核实", "S002")  # late, not projected
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )
    report = scheduler.run_once()
    assert report.recorded == 0
    assert report.unchanged >= 1
    assert not any(isinstance(e, Rectification.Overdue) for e in _history(rectifications, rid))


def test_the_schedule_command_runs_one_round(monkeypatch, db_url, own_platform, clock):
    rectifications, rid = _open_rectification(own_platform, "sched-c", clock)
    _project(own_platform)
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["schedule", "--once"])  # today is long after 10-08
    assert result.exit_code == 0, result.output
    assert "overdue recorded" in result.output
    assert isinstance(_history(rectifications, rid)[-1], Rectification.Overdue)


def test_every_due_deadline_is_found_however_many_there_are(own_platform, clock):
    opened = {_open_rectification(own_platform, f"sched-p{n}", clock)[1] for n in range(3)}
    _project(own_platform)
    with own_platform.worker_pool.connection() as conn:
        due = due_deadlines(conn, RECTIFICATIONS, date(2026, 10, 9), page=2)
    ids = [d.record_id for d in due]
    assert opened <= set(ids)  # three of them, in two pages and more
    assert len(ids) == len(set(ids))
    assert due == sorted(due, key=lambda d: (d.due_on, d.tenant_id, str(d.record_id)))


def test_a_record_that_cannot_be_marked_does_not_stop_the_others(own_platform, clock):
    broken_rectifications, broken = _open_rectification(own_platform, "sched-x", clock)
    rectifications, rid = _open_rectification(own_platform, "sched-y", clock)
    _project(own_platform)
    source = next(s for s in default_sources() if s.name == "rectifications")

    def mark_overdue(hall_apps: Any, record: Any, now: datetime) -> bool:
        if record.record_id == broken:
            raise KeyError("the aggregate cannot be loaded")
        return source.mark_overdue(hall_apps, record, now)

    scheduler = DeadlineScheduler(
        own_platform.worker_pool,
        own_platform.hall_app,
        [DeadlineSource(source.name, source.find_due, mark_overdue)],
        clock=clock,
    )
    clock.set(10, 9)
    report = scheduler.run_once()
    assert report.failed >= 1
    assert isinstance(_history(rectifications, rid)[-1], Rectification.Overdue)
    assert not isinstance(_history(broken_rectifications, broken)[-1], Rectification.Overdue)


def _exclude_rating(platform, hall: str, rid, clock: Clock) -> None:
    """The appeal against the rating behind ``rid`` is upheld (甄别剔除) at the clock's now:
    the rectification is withdrawn in the same save."""
    evaluations = platform.hall_app(EvaluationService, hall)
    evaluations.clock = clock
    evaluation_id = UUID(
        platform.hall_app(RectificationService, hall).get_rectification(rid).source_id
    )
    evaluations.appeal_rating(evaluation_id, "MALICIOUS", "与服务无关", "S001")
    evaluations.exclude_rating(evaluation_id, "恶意差评", "sup-1")


def _due_ids(platform, clock: Clock) -> set[UUID]:
    """The rectifications the scheduler's query lists at the clock's now."""
    with platform.worker_pool.connection() as conn:
        due = due_deadlines(conn, RECTIFICATIONS, local_date(clock.now))
    return {d.record_id for d in due}


def _deadline_rows(platform, hall: str, rid) -> list[tuple[Any, ...]]:
    with platform.worker_pool.connection() as conn:
        return conn.execute(
            "SELECT deadline, closed_at IS NOT NULL, met, overdue_on, missed_on, withdrawn"
            " FROM platform_deadlines WHERE tenant_id = %s AND record_id = %s ORDER BY deadline",
            (hall, rid),
        ).fetchall()


def test_a_withdrawn_rectification_is_neither_listed_nor_marked_overdue(own_platform, clock):
    """Its bad rating is excluded on appeal on 10-08, before the call's due date passed: the
    deadlines read model closes the call's deadline, so the scheduler never lists it; and
    while the read model still lags behind the withdrawal, the aggregate records nothing."""
    rectifications, rid = _open_rectification(own_platform, "sched-w", clock)
    _project(own_platform)
    clock.set(10, 8)
    _exclude_rating(own_platform, "sched-w", rid, clock)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )
    clock.set(10, 9)
    assert rid in _due_ids(own_platform, clock)  # the read model lags behind the withdrawal
    assert scheduler.run_once().unchanged >= 1
    _project(own_platform)
    clock.set(12, 31)
    assert rid not in _due_ids(own_platform, clock)
    scheduler.run_once()
    assert not any(isinstance(e, Rectification.Overdue) for e in _history(rectifications, rid))
    assert isinstance(_history(rectifications, rid)[-1], Rectification.Withdrawn)
    assert _deadline_rows(own_platform, "sched-w", rid) == [
        ("VERIFICATION", True, None, None, None, True)
    ]
    counts = {c.tenant_id: c for c in deadline_counts(own_platform.worker_pool)}
    assert (counts["sched-w"].open, counts["sched-w"].overdue, counts["sched-w"].closed_late) == (
        0,
        0,
        0,
    )


def test_a_miss_recorded_before_the_withdrawal_counts_no_more(own_platform, clock):
    """The scheduler recorded the missed call (10-09) and the rectification went on the ledger
    late; the rating is excluded on appeal while the ledger entry is open: both deadlines
    leave the counts (neither open, overdue nor closed late); the rows keep their facts."""
    rectifications, rid = _open_rectification(own_platform, "sched-m", clock)
    _project(own_platform)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )
    clock.set(10, 9)
    assert scheduler.run_once().recorded == 1
    clock.set(10, 12)
    rectifications.record_verification_call(rid, True, "核实", "S002")  # late
    rectifications.enter_ledger(rid, ["整改"], "S002")  # due 10-16
    _project(own_platform)
    counts = {c.tenant_id: c for c in deadline_counts(own_platform.worker_pool)}
    assert (counts["sched-m"].open, counts["sched-m"].closed_late) == (1, 1)

    clock.set(10, 13)
    _exclude_rating(own_platform, "sched-m", rid, clock)
    _project(own_platform)
    counts = {c.tenant_id: c for c in deadline_counts(own_platform.worker_pool)}
    assert (counts["sched-m"].open, counts["sched-m"].overdue, counts["sched-m"].closed_late) == (
        0,
        0,
        0,
    )
    missed = date(2026, 10, 9)
    assert _deadline_rows(own_platform, "sched-m", rid) == [
        ("RECTIFICATION", True, None, None, None, True),
        ("VERIFICATION", True, False, missed, missed, True),
    ]
    clock.set(10, 20)
    assert rid not in _due_ids(own_platform, clock)
    scheduler.run_once()
    assert rectifications.mark_overdue(clock.now) == 0
    overdue = [e for e in _history(rectifications, rid) if isinstance(e, Rectification.Overdue)]
    assert [e.deadline for e in overdue] == ["VERIFICATION"]
