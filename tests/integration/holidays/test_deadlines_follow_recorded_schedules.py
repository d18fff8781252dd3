"""Hall deadlines follow the holiday schedules operators record, in every process, through
the real store: cases, complaints and rectifications; a corrected notice applies from then
on; deadlines recorded earlier stay as recorded, also when the events are read back."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.holidays import HolidayScheduleInvalidError, HolidaySchedules
from services.holidays.recorded import recorded_schedules
from services.rectifications import Rectification, RectificationService
from services.shared.ids import PLATFORM_LOG
from services.shared.working_days import ScheduleSource, WorkingDayCalendar, YearSchedule
from tests.integration.holidays.conftest import calendar_of, due, national_day_week
from tests.integration.read_models.conftest import ITEM, moment

NOTICE = "国务院办公厅关于{}年部分节假日安排的通知"
LIBRARIES = WorkingDayCalendar()


def _record(schedules: HolidaySchedules, year: int) -> int:
    rest, work = national_day_week(year)
    _, position = schedules.record_schedule(year, rest, work, NOTICE.format(year), "op-1")
    return position


def _accept_case(app_at, hall: str, day: str) -> tuple[UUID, date]:
    """A case requested and accepted on ``day``: its id and due date."""
    app = app_at(CaseService, hall, moment(day))
    person = Applicant("citizen-1", "张三", "110101199003070011", "13800000000")
    case = app.request_case(CaseRequest("FULL_AGENCY", ITEM, "企业设立登记", "HALL", person), "a")
    accepted = app.accept_case(case.id, "S001", "agent-1")
    assert accepted.due_date is not None
    return case.id, accepted.due_date


def test_a_case_accepted_in_a_recorded_year_is_due_by_the_recorded_schedule(
    schedules, app_at, hall
):
    _record(schedules, 2091)
    day = "2091-09-28"  # a Friday; 5 promised working days
    assert _accept_case(app_at, hall, day)[1] == due(calendar_of(2091), day, 5)
    assert due(calendar_of(2091), day, 5) != due(LIBRARIES, day, 5)


def test_complaint_and_rectification_deadlines_follow_the_recorded_schedule(
    schedules, app_at, hall
):
    _record(schedules, 2092)
    day = "2092-09-30"  # a Tuesday before the National Day week
    complaints = app_at(ComplaintService, hall, moment(day))
    details = ComplaintDetails(
        channel="PHONE", facts="推诿", applicant_id="a-2", complainant_name="某某"
    )
    complaint = complaints.receive_complaint(details, "a-2")
    accepted = complaints.accept_complaint(complaint.id, "INTERVENTION", "admin-1")
    complaints.investigate_complaint(complaint.id, "SUBSTANTIATED", "属实", "sup-1")
    rectification = app_at(RectificationService, hall, moment(day)).get_rectification(
        Rectification.create_id(hall, "COMPLAINT", f"{complaint.id}#1")
    )
    cal = calendar_of(2092)
    assert accepted.due_on == due(cal, day, 5)  # INTERVENTION: the complex limit
    assert rectification.verification_due_on == due(cal, day, 1)
    assert due(cal, day, 1) != due(LIBRARIES, day, 1)
    assert due(cal, day, 5) != due(LIBRARIES, day, 5)


def test_another_process_computes_with_a_schedule_as_soon_as_it_is_recorded(
    platform, second_process, app_at, hall
):
    day = "2094-09-28"
    assert platform.calendars.current().source(2094) is ScheduleSource.FALLBACK  # cached
    _record(second_process.hall_app(HolidaySchedules, PLATFORM_LOG), 2094)
    assert platform.calendars.current().source(2094) is ScheduleSource.RECORDED
    assert _accept_case(app_at, hall, day)[1] == due(calendar_of(2094), day, 5)


def test_a_corrected_notice_applies_from_then_on_and_recorded_deadlines_stay(
    schedules, platform, second_process, app_at, hall
):
    day = "2095-09-28"
    _record(schedules, 2095)
    first, first_due = _accept_case(app_at, hall, day)
    rest, _ = national_day_week(2095)
    _, position = schedules.record_schedule(2095, rest[:3], [], "更正通知", "op-2")
    second, second_due = _accept_case(app_at, hall, day)
    corrected = WorkingDayCalendar([YearSchedule(2095, frozenset(rest[:3]), frozenset())])
    assert first_due == due(calendar_of(2095), day, 5)
    assert second_due == due(corrected, day, 5) != first_due
    # Read back by another process (its aggregates replayed from the events): as recorded.
    cases = second_process.hall_app(CaseService, hall)
    assert cases.get_case(first).due_date == first_due
    assert cases.get_case(second).due_date == second_due
    head, records = recorded_schedules(second_process.app_pool)
    assert records[2095].revision == 2
    assert records[2095].position == position <= head
    assert records[2095].notice == "更正通知"


def test_refused_schedules_record_nothing(schedules, platform):
    head, _ = recorded_schedules(platform.app_pool)
    rest, work = national_day_week(2093)
    for bad_rest, bad_work in [(rest, [rest[0]]), ([date(2092, 12, 31)], work), ([], work)]:
        with pytest.raises(HolidayScheduleInvalidError):
            schedules.record_schedule(2093, bad_rest, bad_work, "n", "op-1")
    assert recorded_schedules(platform.app_pool)[0] == head
    assert platform.calendars.current().source(2093) is ScheduleSource.FALLBACK
