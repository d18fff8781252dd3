"""限时办结 across National Day 2026 (1-7 October off, Saturday 10 October a make-up working day).

2026-09-29 Tue  working      2026-10-08 Thu  working
2026-09-30 Wed  working      2026-10-09 Fri  working
2026-10-01..07  holidays     2026-10-10 Sat  working (调休)
                             2026-10-11 Sun  off; 10-12 Mon .. 10-16 Fri working
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.cases import CaseStateError, NoticeOutstandingError
from services.catalog.application import ItemTerms
from services.halls import HallPolicies
from tests.unit.cases.support import Hall


def _accepted(hall: Hall, mode: str = "FULL_AGENCY", item: str = "BDB-001"):
    case_id = hall.request(mode, item)
    hall.cases.accept_case(case_id, "S001", "s")
    return case_id


def _last(hall: Hall, case_id):
    return hall.events(case_id)[-1]


def test_the_due_date_counts_promised_working_days_across_the_holiday_and_make_up_day(hall):
    case_id = _accepted(hall)  # Tuesday 29 September
    accepted = _last(hall, case_id)
    # 9-30 (1), 10-08 (2), 10-09 (3), 10-10 make-up Saturday (4), 10-12 (5)
    assert (accepted.accepted_on, accepted.due_date) == ("2026-09-29", "2026-10-12")
    assert accepted.promised_working_days == 5
    assert accepted.notice_due_date == "2026-10-12"  # the hall's 5-working-day notice limit
    assert hall.cases.get_case(case_id).due_date == date(2026, 10, 12)


def test_the_stopped_clock_of_a_notice_moves_the_due_date_by_the_working_days_stopped(hall):
    case_id = _accepted(hall)
    hall.cases.check_materials(case_id, ["身份证", "委托书"], "s")
    hall.clock.set(2026, 9, 30)
    hall.cases.issue_notice(case_id, ["营业执照"], "", "s")
    assert _last(hall, case_id).clock_stopped is True
    hall.clock.set(2026, 10, 10, 9)  # supplied on the make-up Saturday
    hall.cases.supplement_materials(case_id, ["营业执照"], "s")
    supplemented = _last(hall, case_id)
    # stopped: 10-08, 10-09, 10-10 -> 3 working days; 10-12 + 3 = 10-15
    assert supplemented.clock_stopped_working_days == 3
    assert supplemented.due_date == "2026-10-15"
    assert hall.cases.get_case(case_id).due_date == date(2026, 10, 15)


def test_a_clock_stopped_only_over_holidays_does_not_move_the_due_date(hall):
    case_id = _accepted(hall)
    hall.cases.check_materials(case_id, ["身份证"], "s")
    hall.clock.set(2026, 9, 30, 16)
    hall.cases.issue_notice(case_id, ["委托书", "营业执照"], "", "s")
    hall.clock.set(2026, 10, 7)  # the last day of the holiday
    hall.cases.supplement_materials(case_id, ["委托书", "营业执照"], "s")
    supplemented = _last(hall, case_id)
    assert (supplemented.clock_stopped_working_days, supplemented.due_date) == (0, "2026-10-12")


def test_a_suspension_moves_the_due_date_by_the_working_days_suspended(hall):
    case_id = _accepted(hall)
    hall.clock.set(2026, 10, 9)
    hall.cases.suspend_case(case_id, "等待不动产登记结果", "s")
    hall.clock.set(2026, 10, 12)
    hall.cases.resume_case(case_id, "已取得结果", "s")
    resumed = _last(hall, case_id)
    # suspended: 10-10 (make-up), 10-12 -> 2; 10-12 + 2 = 10-14
    assert (resumed.suspended_working_days, resumed.due_date) == (2, "2026-10-14")


def test_a_suspension_resumed_the_same_day_leaves_the_due_date(hall):
    case_id = _accepted(hall)
    hall.cases.suspend_case(case_id, "等待", "s")
    hall.clock.advance(hours=3)
    hall.cases.resume_case(case_id, "", "s")
    assert (_last(hall, case_id).suspended_working_days, _last(hall, case_id).due_date) == (
        0,
        "2026-10-12",
    )


def test_notice_and_suspension_stops_add_up(hall):
    case_id = _accepted(hall)
    hall.cases.check_materials(case_id, ["身份证", "委托书"], "s")
    hall.cases.issue_notice(case_id, ["营业执照"], "", "s")  # 9-29
    hall.clock.set(2026, 9, 30)
    hall.cases.supplement_materials(case_id, ["营业执照"], "s")  # 1 day: due 10-13
    hall.clock.set(2026, 10, 13)
    hall.cases.suspend_case(case_id, "部门系统故障", "s")
    hall.clock.set(2026, 10, 16)
    hall.cases.resume_case(case_id, "", "s")  # 10-14, 15, 16: due 10-16
    assert _last(hall, case_id).due_date == "2026-10-16"


def test_a_late_notice_does_not_stop_the_clock(hall):
    hall.registry.change_policies(HallPolicies(materials_notice_working_days=1), "admin")
    case_id = _accepted(hall)  # notice limit: 9-30
    assert _last(hall, case_id).notice_due_date == "2026-09-30"
    hall.cases.check_materials(case_id, ["身份证", "委托书"], "s")
    hall.clock.set(2026, 10, 8)
    case = hall.cases.issue_notice(case_id, ["营业执照"], "", "s")
    assert _last(hall, case_id).clock_stopped is False
    assert not case.clock_stopped
    hall.clock.set(2026, 10, 12)
    hall.cases.supplement_materials(case_id, ["营业执照"], "s")
    assert (_last(hall, case_id).clock_stopped_working_days, _last(hall, case_id).due_date) == (
        0,
        "2026-10-12",
    )


def test_a_case_is_not_suspended_while_its_notice_already_stops_the_clock(hall):
    case_id = _accepted(hall)
    hall.cases.check_materials(case_id, ["身份证"], "s")
    hall.cases.issue_notice(case_id, ["委托书", "营业执照"], "", "s")
    with pytest.raises(NoticeOutstandingError):
        hall.cases.suspend_case(case_id, "x", "s")


def test_a_case_with_a_late_notice_is_suspended_its_clock_still_running(hall):
    """A late notice stopped no clock, so 中止 is the only way to stop it."""
    hall.registry.change_policies(HallPolicies(materials_notice_working_days=1), "admin")
    case_id = _accepted(hall)  # notice limit: 9-30
    hall.cases.check_materials(case_id, ["身份证", "委托书"], "s")
    hall.clock.set(2026, 10, 8)
    hall.cases.issue_notice(case_id, ["营业执照"], "", "s")
    due = hall.cases.get_case(case_id).due_date
    assert hall.cases.suspend_case(case_id, "等待部门", "s").clock_stopped
    hall.clock.set(2026, 10, 12)
    hall.cases.resume_case(case_id, "部门已答复", "s")
    resumed = _last(hall, case_id)
    assert resumed.suspended_working_days == 3  # 10-09, 10-10 (调休) and 10-12
    assert hall.cases.get_case(case_id).due_date > due


@pytest.mark.parametrize(
    ("moment", "accepted_on", "due"),
    [
        (datetime(2026, 9, 30, 23, 30, tzinfo=UTC), "2026-10-01", "2026-10-13"),
        (datetime(2026, 9, 29, 16, 30, tzinfo=UTC), "2026-09-30", "2026-10-13"),
        (datetime(2026, 9, 29, 15, 59, tzinfo=UTC), "2026-09-29", "2026-10-12"),
    ],
)
def test_days_change_at_midnight_in_beijing(hall, moment, accepted_on, due):
    hall.clock.now = moment
    case_id = _accepted(hall)
    accepted = _last(hall, case_id)
    assert (accepted.accepted_on, accepted.due_date) == (accepted_on, due)


def test_a_same_day_item_accepted_on_a_holiday_is_due_the_next_working_day(hall):
    terms = ItemTerms(name="现场导办", category="ASSISTANCE", promised_working_days=0)
    hall.catalog.publish_service_item("DB-000", terms, "admin")
    hall.clock.set(2026, 10, 3)
    case_id = _accepted(hall, "ONSITE_GUIDANCE", "DB-000")
    assert _last(hall, case_id).due_date == "2026-10-08"


@pytest.mark.parametrize(("day", "on_time"), [(12, True), (13, False)])
def test_completion_records_whether_it_was_on_time(hall, day, on_time):
    case_id = _accepted(hall, "ONSITE_GUIDANCE")
    hall.clock.set(2026, 10, day, 17)
    hall.cases.complete_case(case_id, "", "s")
    completed = _last(hall, case_id)
    assert (completed.completed_on, completed.due_date, completed.on_time) == (
        f"2026-10-{day}",
        "2026-10-12",
        on_time,
    )


def test_a_revised_item_applies_its_terms_from_the_next_acceptance(hall):
    first = _accepted(hall)
    hall.catalog.revise_service_item(
        "BDB-001",
        ItemTerms(
            name="帮办代办", category="ASSISTANCE", materials=["身份证"], promised_working_days=2
        ),
        "admin",
    )
    second = _accepted(hall)
    assert _last(hall, first).due_date == "2026-10-12"
    accepted = _last(hall, second)
    assert (accepted.item_revision, accepted.due_date, accepted.required_materials) == (
        2,
        "2026-10-08",
        ["身份证"],
    )


def test_resuming_a_case_that_is_not_suspended_is_refused(hall):
    case_id = _accepted(hall)
    with pytest.raises(CaseStateError):
        hall.cases.resume_case(case_id, "", "s")
