"""The deadline scheduler for 帮办代办 cases and complaints, end to end with a fixed clock: the
``deadlines`` read model lists the due dates the events set and moved, the scheduler records
``CaseOverdue`` / ``ComplaintOverdue`` through the services once each, and the case and
complaint registers show the open case and complaint as overdue."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from deploy.bootstrap import all_projections
from projections.cases.view import case_histories, cases_by_id
from projections.complaints.view import complaints_by_id
from projections.platform import DeadlinesProjection, deadline_counts
from projections.runtime import ProjectionWorker
from services.cases import Applicant, Case, CaseRequest, CaseService
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.complaints import Complaint, ComplaintDetails, ComplaintService
from services.halls import HallRegistry
from services.scheduler import DeadlineScheduler, default_sources
from services.shared.working_days import CHINA_TZ
from services.staff import StaffService
from tests.integration.projections.support import Clock, assert_hall_rebuilds_identically


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 9, 29, 10, tzinfo=CHINA_TZ))  # Tuesday before National Day


def _project(platform) -> None:
    worker = ProjectionWorker(platform.worker_pool, all_projections())
    worker.run_once()
    worker.close()


def _hall(platform, hall: str, clock: Clock) -> tuple[CaseService, ComplaintService]:
    platform.hall_app(HallRegistry, hall).register_hall(f"大厅 {hall}", "苏州", "op")
    terms = ItemTerms(
        name="帮办代办（全程代办）",
        category="ASSISTANCE",
        materials=["身份证"],
        promised_working_days=5,
    )
    platform.hall_app(CatalogService, hall).publish_service_item("BDB-001", terms, "admin-1")
    platform.hall_app(StaffService, hall).onboard_staff(
        "S001", "代办员甲", "AGENT", ["帮办代办"], "admin-1"
    )
    cases = platform.hall_app(CaseService, hall)
    complaints = platform.hall_app(ComplaintService, hall)
    cases.clock = complaints.clock = clock
    return cases, complaints


def _events(app, record_id) -> list:
    return list(app.repository.event_store.get(record_id))


def _open_records(platform, hall: str, clock: Clock):
    """Two cases and a complaint, all due Mon 10-12; the second case is suspended on 10-09."""
    cases, complaints = _hall(platform, hall, clock)
    applicant = Applicant("a-1", "张三", "110101199003070011", "13800000000")
    request = CaseRequest("FULL_AGENCY", "BDB-001", "企业设立登记", "HALL", applicant)
    late = cases.request_case(request, "a-1").id
    assert cases.accept_case(late, "S001", "s").due_date == date(2026, 10, 12)
    stopped = cases.request_case(request, "a-1").id
    cases.accept_case(stopped, "S001", "s")
    details = ComplaintDetails(channel="IN_PERSON", facts="窗口人员态度生硬", anonymous=True)
    complaint = complaints.receive_complaint(details, "s").id
    assert complaints.accept_complaint(complaint, "REFERRED", "s").due_on == date(2026, 10, 12)
    clock.set(10, 9)
    cases.suspend_case(stopped, "等待不动产登记", "s")  # its clock stops before the due date
    return cases, complaints, late, stopped, complaint


def test_open_cases_and_complaints_past_their_due_dates_are_recorded_and_shown_overdue(
    own_platform, clock
):
    hall = "sched-cases"
    cases, complaints, late, stopped, complaint = _open_records(own_platform, hall, clock)
    _project(own_platform)
    scheduler = DeadlineScheduler(
        own_platform.worker_pool, own_platform.hall_app, default_sources(), clock=clock
    )

    clock.set(10, 12, 23)  # the due day itself is in time
    assert scheduler.run_once().recorded == 0

    clock.set(10, 13)
    report = scheduler.run_once()
    assert (report.by_source["cases"], report.by_source["complaints"]) == (1, 1)
    case_overdue = _events(cases, late)[-1]
    assert isinstance(case_overdue, Case.Overdue)
    assert (case_overdue.due_on, case_overdue.detected_on, case_overdue.actor) == (
        "2026-10-12",
        "2026-10-13",
        "system",
    )
    complaint_overdue = _events(complaints, complaint)[-1]
    assert isinstance(complaint_overdue, Complaint.Overdue)
    assert (complaint_overdue.due_on, complaint_overdue.detected_on) == ("2026-10-12", "2026-10-13")
    assert case_overdue.timestamp == complaint_overdue.timestamp == clock.now  # the scheduler's
    assert not any(isinstance(e, Case.Overdue) for e in _events(cases, stopped))

    # Before the read model caught up it still lists them: nothing is recorded twice.
    report = scheduler.run_once()
    assert (report.by_source["cases"], report.by_source["complaints"]) == (0, 0)
    _project(own_platform)
    assert scheduler.run_once().found == 0

    pool = own_platform.app_pool
    rows = cases_by_id(pool, hall, [late, stopped])
    assert (rows[late].overdue, rows[stopped].overdue) == (True, False)
    assert case_histories(pool, hall, [late])[late][-1].event == "CaseOverdue"
    assert complaints_by_id(pool, hall, [complaint])[complaint].overdue is True
    counts = {
        c.context: c for c in deadline_counts(own_platform.worker_pool) if c.tenant_id == hall
    }
    assert (counts["cases"].open, counts["cases"].overdue) == (1, 1)  # the suspended one waits
    assert (counts["complaints"].open, counts["complaints"].overdue) == (1, 1)

    # 续办 moves the stopped case's due date (10-09 → 10-13: 3 working days, to 10-15); an
    # extension moves the complaint's to 10-14, a new deadline the scheduler records when it
    # passes too, but the register keeps the miss of 10-12 (an extension does not undo it).
    cases.resume_case(stopped, "续办", "s")
    complaints.extend_complaint_deadline(complaint, 2, "需要调取监控", "s")
    _project(own_platform)
    assert complaints_by_id(pool, hall, [complaint])[complaint].overdue is True
    clock.set(10, 15)
    assert scheduler.run_once().by_source == {
        "rectifications": 0,
        "cases": 0,
        "complaints": 1,
        "evaluations": 0,
    }
    clock.set(10, 16)
    assert scheduler.run_once().by_source == {
        "rectifications": 0,
        "cases": 1,
        "complaints": 0,
        "evaluations": 0,
    }
    _project(own_platform)
    assert cases_by_id(pool, hall, [stopped])[stopped].overdue is True
    assert complaints_by_id(pool, hall, [complaint])[complaint].overdue is True
    assert [e.due_on for e in _events(cases, stopped) if isinstance(e, Case.Overdue)] == [
        "2026-10-15"
    ]

    # The deadlines after all this, met and missed: the same whether each event is a batch
    # of its own (every change to a row an earlier batch left) or all are one batch.
    counts = {
        c.context: (c.open, c.overdue)
        for c in deadline_counts(own_platform.worker_pool)
        if c.tenant_id == hall
    }
    assert counts == {"cases": (2, 2), "complaints": (1, 1)}
    assert_hall_rebuilds_identically(own_platform, hall, [DeadlinesProjection()])
