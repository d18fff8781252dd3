"""Deadlines missed without a scheduler round in between: closed late, or a case clock
restarted with a due date already past.

The deadline scheduler records ``…Overdue`` once per missed due date at its rounds; a record
can also be closed late (a complaint replied, a case completed, a rectification's call or
ledger entry done after the due date) before any round saw the miss, and a case that missed
its due date can be suspended and resumed with a moved due date that is already past. The
events say so (``on_time`` false; ``CaseResumed.due_date`` before ``resumed_on``): the
platform overview counts such a deadline as closed late or overdue, as the registers show
it, and the read models rebuilt from the log are the live ones.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import pytest

from deploy.bootstrap import all_projections
from projections.cases import CaseRegisterProjection
from projections.cases.view import cases_by_id
from projections.complaints.view import complaints_by_id
from projections.platform import CASES, DeadlinesProjection, deadline_counts, due_deadlines
from projections.runtime import ProjectionWorker
from services.cases import Applicant, Case, CaseRequest, CaseService
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.complaints import ComplaintDetails, ComplaintService
from services.evaluations import EvaluationService, Invitation
from services.evaluations.policies import rectification_id_for
from services.halls import HallRegistry
from services.rectifications import RectificationService
from services.scheduler import DeadlineScheduler, default_sources
from services.shared.working_days import CHINA_TZ
from services.staff import StaffService
from tests.integration.projections.support import BAD, Clock, assert_hall_rebuilds_identically

APPLICANT = Applicant("a-1", "张三", "110101199003070011", "13800000000")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 9, 29, 10, tzinfo=CHINA_TZ))  # Tuesday before National Day


def _project(platform) -> None:
    worker = ProjectionWorker(platform.worker_pool, all_projections())
    worker.run_once()
    worker.close()


def _register(platform, hall: str, clock: Clock) -> None:
    registry = platform.hall_app(HallRegistry, hall)
    registry.clock = clock
    registry.register_hall(f"大厅 {hall}", "苏州", "op")
    terms = ItemTerms(
        name="帮办代办（全程代办）",
        category="ASSISTANCE",
        materials=["身份证"],
        promised_working_days=5,
    )
    catalog = platform.hall_app(CatalogService, hall)
    catalog.clock = clock
    catalog.publish_service_item("BDB-001", terms, "admin-1")
    staff = platform.hall_app(StaffService, hall)
    staff.clock = clock
    staff.onboard_staff("S001", "代办员甲", "AGENT", ["帮办代办"], "admin-1")


def _app(platform, cls, hall: str, clock: Clock):
    app = platform.hall_app(cls, hall)
    app.clock = clock
    return app


def _case(cases: CaseService, mode: str = "FULL_AGENCY") -> UUID:
    case_id = cases.request_case(
        CaseRequest(mode, "BDB-001", "企业设立登记", "HALL", APPLICANT), "a-1"
    ).id
    assert cases.accept_case(case_id, "S001", "s").due_date == date(2026, 10, 12)
    return case_id


def _deadline(platform, hall: str, record_id: UUID) -> list[tuple[object, ...]]:
    with platform.worker_pool.connection() as conn:
        return conn.execute(
            "SELECT deadline, due_on, closed_at IS NOT NULL, met, overdue_on, missed_on"
            " FROM platform_deadlines WHERE tenant_id = %s AND record_id = %s ORDER BY deadline",
            (hall, record_id),
        ).fetchall()


def _counts(platform, hall: str) -> dict[str, tuple[int, int, int]]:
    return {
        c.context: (c.open, c.overdue, c.closed_late)
        for c in deadline_counts(platform.worker_pool)
        if c.tenant_id == hall
    }


def test_a_deadline_closed_late_before_any_scheduler_round_counts_as_closed_late(
    own_platform, clock
):
    """A complaint replied, a case completed, a rectification's verification call and ledger
    entry done after their due dates, with no scheduler round in between: each deadline is
    not met, its miss is the day it closed, and the overview counts it closed late — as the
    complaint and case registers show them overdue and not on time."""
    hall = "late-close"
    _register(own_platform, hall, clock)
    complaints = _app(own_platform, ComplaintService, hall, clock)
    cases = _app(own_platform, CaseService, hall, clock)
    evaluations = _app(own_platform, EvaluationService, hall, clock)
    rectifications = _app(own_platform, RectificationService, hall, clock)

    details = ComplaintDetails(
        channel="PHONE", facts="慢", applicant_id="a-1", complainant_name="某"
    )
    complaint = complaints.receive_complaint(details, "a-1").id
    assert complaints.accept_complaint(complaint, "ON_THE_SPOT", "admin-1").due_on == date(
        2026, 9, 30
    )
    complaints.assign_complaint(complaint, "S001", "admin-1")
    complaints.investigate_complaint(complaint, "NOT_SUBSTANTIATED", "不属实", "sup-1")
    complaints.dispose_complaint(complaint, ["解释"], "sup-1")
    case = _case(cases, "ONSITE_GUIDANCE")
    invitation = Invitation(subject_kind="MATTER", subject_ref="M-1", channel="ONLINE")
    invited = evaluations.invite_evaluation(invitation, "S001")
    evaluations.submit_rating(
        invited.evaluation.id, BAD, "applicant", rating_code=invited.rating_code
    )
    rectification = rectification_id_for(invited.evaluation)  # verification call due 09-30
    _project(own_platform)

    clock.set(10, 9)
    rectifications.record_verification_call(rectification, True, "核实", "S002")  # late
    due = rectifications.enter_ledger(rectification, ["整改"], "S002").due_on
    assert due == date(2026, 10, 15)
    complaints.reply_to_complaint(complaint, "答复", "sup-1")  # 9 days late
    clock.set(10, 13)
    cases.complete_case(case, "", "S001")  # a day late
    clock.set(10, 19)
    rectifications.complete(rectification, ["完成"], "S002")  # late
    _project(own_platform)

    row = complaints_by_id(own_platform.app_pool, hall, [complaint])[complaint]
    assert (row.overdue, row.replied_on_time) == (True, False)
    case_row = cases_by_id(own_platform.app_pool, hall, [case])[case]
    assert (case_row.overdue, case_row.on_time) == (True, False)
    assert _deadline(own_platform, hall, complaint) == [
        ("REPLY", date(2026, 9, 30), True, False, None, date(2026, 10, 9))
    ]
    assert _deadline(own_platform, hall, case) == [
        ("COMPLETION", date(2026, 10, 12), True, False, None, date(2026, 10, 13))
    ]
    assert _deadline(own_platform, hall, rectification) == [
        ("RECTIFICATION", date(2026, 10, 15), True, False, None, date(2026, 10, 19)),
        ("VERIFICATION", date(2026, 9, 30), True, False, None, date(2026, 10, 9)),
    ]
    assert _counts(own_platform, hall) == {
        "cases": (0, 0, 1),
        "complaints": (0, 0, 1),
        "rectifications": (0, 0, 2),
    }
    assert_hall_rebuilds_identically(own_platform, hall, [DeadlinesProjection()])


def test_a_case_resumed_with_its_due_date_already_past_stays_overdue(own_platform, clock):
    """Both cases are due 10-12. R's miss is recorded on 10-13; R is suspended on 10-14 and
    resumed on 10-15, its due date moved by the one working day to 10-13: already past. U
    is suspended on 10-13 before the round saw its miss and resumed on 10-15, its due date
    moved by two working days to 10-14: past too. Both stay overdue in the case register
    and the overview until the next round, which records the miss of each moved due date
    once (they were not fresh deadlines in time)."""
    hall = "late-resume"
    _register(own_platform, hall, clock)
    cases = _app(own_platform, CaseService, hall, clock)
    recorded, unrecorded = _case(cases), _case(cases)
    _project(own_platform)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )
    clock.set(10, 13)
    cases.suspend_case(unrecorded, "等待补充证明", "s")  # before the round: no miss recorded
    _project(own_platform)
    assert scheduler.run_once().by_source["cases"] == 1
    clock.set(10, 14)
    cases.suspend_case(recorded, "等待不动产登记", "s")
    clock.set(10, 15)
    assert cases.resume_case(recorded, "续办", "s").due_date == date(2026, 10, 13)
    assert cases.resume_case(unrecorded, "续办", "s").due_date == date(2026, 10, 14)
    _project(own_platform)

    rows = cases_by_id(own_platform.app_pool, hall, [recorded, unrecorded])
    assert (rows[recorded].overdue, rows[unrecorded].overdue) == (True, True)
    assert _deadline(own_platform, hall, recorded) == [
        ("COMPLETION", date(2026, 10, 13), False, None, None, date(2026, 10, 13))
    ]
    assert _deadline(own_platform, hall, unrecorded) == [
        ("COMPLETION", date(2026, 10, 14), False, None, None, date(2026, 10, 15))
    ]
    assert _counts(own_platform, hall) == {"cases": (2, 2, 0)}

    # The moved due dates' misses are not recorded yet: the next round records each once.
    with own_platform.worker_pool.connection() as conn:
        due = due_deadlines(conn, CASES, date(2026, 10, 15))
    assert {d.record_id for d in due if d.tenant_id == hall} == {recorded, unrecorded}
    assert scheduler.run_once().by_source["cases"] == 2
    _project(own_platform)
    assert scheduler.run_once().by_source["cases"] == 0
    overdue = [
        e.due_on
        for case in (recorded, unrecorded)
        for e in cases.repository.event_store.get(case)
        if isinstance(e, Case.Overdue)
    ]
    assert overdue == ["2026-10-12", "2026-10-13", "2026-10-14"]
    rows = cases_by_id(own_platform.app_pool, hall, [recorded, unrecorded])
    assert (rows[recorded].overdue, rows[unrecorded].overdue) == (True, True)
    assert _counts(own_platform, hall) == {"cases": (2, 2, 0)}
    assert_hall_rebuilds_identically(
        own_platform, hall, [DeadlinesProjection(), CaseRegisterProjection()]
    )


def test_a_case_resumed_in_time_starts_a_fresh_deadline(own_platform, clock):
    """Suspended on 10-09, before its due date 10-12, and resumed on 10-13: the due date
    moves to 10-15 and the case is not overdue (nothing was missed)."""
    hall = "late-resume-in-time"
    _register(own_platform, hall, clock)
    cases = _app(own_platform, CaseService, hall, clock)
    case = _case(cases)
    clock.set(10, 9)
    cases.suspend_case(case, "等待不动产登记", "s")
    clock.set(10, 13)
    assert cases.resume_case(case, "续办", "s").due_date == date(2026, 10, 15)
    _project(own_platform)
    assert cases_by_id(own_platform.app_pool, hall, [case])[case].overdue is False
    assert _deadline(own_platform, hall, case) == [
        ("COMPLETION", date(2026, 10, 15), False, None, None, None)
    ]
    assert _counts(own_platform, hall) == {"cases": (1, 0, 0)}
