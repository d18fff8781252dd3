"""超期: ``Case.mark_overdue`` records ``CaseOverdue`` once per missed due date, only while the
case is open and its clock runs (pure domain, fixed clock; National Day 2026 as in
``test_deadlines``: accepted Tue 2026-09-29 with 5 working days is due Mon 10-12)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from services.cases import Applicant, Case
from services.shared.working_days import CHINA_TZ, WorkingDayCalendar

CAL = WorkingDayCalendar()


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CHINA_TZ)


def _accepted() -> Case:
    applicant = Applicant("a-1", "张三", "110101199003070011", "13800000000")
    case = Case.request(
        UUID(int=7),
        "demo",
        "FULL_AGENCY",
        "BDB-001",
        "企业设立登记",
        "HALL",
        applicant,
        "u1",
        _at(9, 29, 9),
    )
    case.accept("S001", 1, 5, ["身份证", "营业执照"], 5, "u2", _at(9, 29, 9), CAL)
    assert case.due_date == date(2026, 10, 12)
    return case


def _overdue_events(case: Case) -> list[Case.Overdue]:
    return [e for e in case.collect_events() if isinstance(e, Case.Overdue)]


def test_the_day_after_the_due_date_records_it_once():
    case = _accepted()
    assert case.mark_overdue(now=_at(10, 12, 23), actor="system") is False  # the due day is in time
    assert case.mark_overdue(now=_at(10, 13, 0), actor="system") is True  # 00:00 in China
    assert case.mark_overdue(now=_at(10, 14), actor="system") is False  # recorded already
    [event] = _overdue_events(case)
    assert (event.due_on, event.detected_on, event.actor) == ("2026-10-12", "2026-10-13", "system")
    assert event.timestamp == _at(10, 13, 0)
    assert case.overdue_due_dates == {"2026-10-12"}


def test_china_local_date_decides_not_utc():
    case = _accepted()
    # 2026-10-12 20:00 UTC is already 10-13 04:00 in China.
    assert case.mark_overdue(now=datetime(2026, 10, 12, 20, tzinfo=UTC), actor="system") is True
    assert _overdue_events(case)[0].detected_on == "2026-10-13"


def test_nothing_while_suspended_and_the_moved_due_date_is_a_new_deadline():
    case = _accepted()
    case.suspend("等待不动产登记", "u2", _at(10, 9))
    assert case.mark_overdue(now=_at(10, 20), actor="system") is False
    case.resume("续办", "u2", _at(10, 13), CAL)
    # Stopped Fri 10-09, restarted Tue 10-13: Sat 10-10 (调休), Mon 10-12 and Tue 10-13 count,
    # so the due date moves by 3 working days, to Thu 10-15.
    assert case.due_date == date(2026, 10, 15)
    assert case.mark_overdue(now=_at(10, 15, 23), actor="system") is False
    assert case.mark_overdue(now=_at(10, 16), actor="system") is True
    assert [e.due_on for e in _overdue_events(case)] == ["2026-10-15"]


def test_nothing_while_a_one_time_notice_stops_the_clock():
    case = _accepted()
    case.check_materials(["身份证"], "u2", _at(9, 30))
    case.issue_notice(["营业执照"], "请补正", "u2", _at(9, 30))
    assert case.clock_stopped
    assert case.mark_overdue(now=_at(10, 20), actor="system") is False
    assert _overdue_events(case) == []


def test_a_missed_due_date_is_recorded_before_a_stop_and_not_again_after_it():
    case = _accepted()
    assert case.mark_overdue(now=_at(10, 13), actor="system") is True
    case.suspend("中止", "u2", _at(10, 13))
    case.resume("续办", "u2", _at(10, 13), CAL)  # same day: the due date stays
    assert case.due_date == date(2026, 10, 12)
    assert case.mark_overdue(now=_at(10, 14), actor="system") is False
    assert len(_overdue_events(case)) == 1


def test_nothing_before_acceptance_or_after_the_case_ended():
    applicant = Applicant("a-1", "张三", "110101199003070011", "13800000000")
    requested = Case.request(
        UUID(int=8),
        "demo",
        "FULL_AGENCY",
        "BDB-001",
        "企业设立登记",
        "HALL",
        applicant,
        "u1",
        _at(9, 29),
    )
    assert requested.mark_overdue(now=_at(12, 1), actor="system") is False

    terminated = _accepted()
    terminated.terminate("申请人撤回", "u2", _at(10, 9))
    assert terminated.mark_overdue(now=_at(10, 20), actor="system") is False
    assert _overdue_events(terminated) == []
