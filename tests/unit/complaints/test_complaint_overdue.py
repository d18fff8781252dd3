"""超期: ``Complaint.mark_overdue`` records ``ComplaintOverdue`` once per missed due date, only
before the reply (pure domain, fixed clock; a referred complaint accepted Tue 2026-09-29 has
5 working days across National Day: due Mon 10-12)."""

from __future__ import annotations

from datetime import date, datetime

from services.complaints.domain import Complaint
from services.halls.policies import HallPolicies
from services.shared.working_days import CHINA_TZ, WorkingDayCalendar

CAL = WorkingDayCalendar()


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CHINA_TZ)


def _received() -> Complaint:
    return Complaint(
        hall_id="demo",
        channel="IN_PERSON",
        anonymous=False,
        applicant_id="a-1",
        complainant_name="张三",
        complainant_phone="13800000000",
        respondent_window="W01",
        respondent_badge="",
        facts="窗口人员态度生硬",
        evidence=[],
        actor="a-1",
        timestamp=_at(9, 28),
    )


def _accepted() -> Complaint:
    c = _received()
    c.accept("INTERVENTION", now=_at(9, 29), calendar=CAL, policies=HallPolicies(), actor="s")
    assert c.due_on == date(2026, 10, 12)
    return c


def _overdue(c: Complaint) -> list[Complaint.Overdue]:
    return [e for e in c.collect_events() if isinstance(e, Complaint.Overdue)]


def test_the_day_after_the_due_date_records_it_once():
    c = _accepted()
    assert c.mark_overdue(now=_at(10, 12, 23), actor="system") is False
    assert c.mark_overdue(now=_at(10, 13), actor="system") is True
    assert c.mark_overdue(now=_at(10, 14), actor="system") is False
    [event] = _overdue(c)
    assert (event.due_on, event.detected_on, event.actor) == ("2026-10-12", "2026-10-13", "system")
    assert event.timestamp == _at(10, 13)  # the scheduler's now, not the wall clock
    assert c.overdue == {"2026-10-12"}


def test_an_extended_due_date_is_a_new_deadline():
    c = _accepted()
    assert c.mark_overdue(now=_at(10, 13), actor="system") is True
    c.extend_deadline(2, "需要调取监控", now=_at(10, 13), calendar=CAL, actor="s")
    assert c.due_on == date(2026, 10, 14)
    assert c.mark_overdue(now=_at(10, 14), actor="system") is False
    assert c.mark_overdue(now=_at(10, 15), actor="system") is True
    assert [e.due_on for e in _overdue(c)] == ["2026-10-12", "2026-10-14"]


def test_nothing_before_acceptance_after_the_reply_or_a_withdrawal():
    assert _received().mark_overdue(now=_at(12, 1), actor="system") is False

    replied = _accepted()
    replied.investigate("NOT_SUBSTANTIATED", "无", now=_at(10, 8), actor="s")
    replied.dispose(["解释"], now=_at(10, 8), actor="s")
    replied.reply("答复", now=_at(10, 9), actor="s")
    assert replied.mark_overdue(now=_at(10, 20), actor="system") is False

    withdrawn = _accepted()
    withdrawn.withdraw("不再投诉", now=_at(10, 8), actor="a-1")
    assert withdrawn.mark_overdue(now=_at(10, 20), actor="system") is False
    assert _overdue(replied) == _overdue(withdrawn) == []


def test_a_reopened_complaint_has_a_new_due_date_to_miss():
    c = _accepted()
    c.investigate("NOT_SUBSTANTIATED", "无", now=_at(10, 8), actor="s")
    c.dispose(["解释"], now=_at(10, 8), actor="s")
    c.reply("答复", now=_at(10, 9), actor="s")
    c.reopen("不满意", now=_at(10, 9), calendar=CAL, policies=HallPolicies(), actor="s")
    assert c.due_on == date(2026, 10, 15)  # 10-10 (调休), 10-12, 10-13, 10-14, 10-15
    assert c.mark_overdue(now=_at(10, 15, 23), actor="system") is False
    assert c.mark_overdue(now=_at(10, 16), actor="system") is True
    assert [e.due_on for e in _overdue(c)] == ["2026-10-15"]


def test_an_extension_after_the_due_date_records_the_miss_first():
    """The scheduler had not recorded the miss yet: the extension records it before it moves
    the due date, so the history says the complaint was overdue (once per due date)."""
    c = _accepted()
    c.extend_deadline(2, "需要调取监控", now=_at(10, 14), calendar=CAL, actor="s")
    events = [
        e
        for e in c.collect_events()
        if isinstance(e, Complaint.Overdue | Complaint.DeadlineExtended)
    ]
    assert [type(e).__name__ for e in events] == ["Overdue", "DeadlineExtended"]
    assert [e.timestamp for e in events] == [_at(10, 14), _at(10, 14)]
    assert (events[0].due_on, events[0].detected_on, events[0].actor) == (
        "2026-10-12",
        "2026-10-14",
        "system",
    )
    assert c.due_on == date(2026, 10, 14)
    assert c.mark_overdue(now=_at(10, 14), actor="system") is False


def test_an_extension_on_or_before_the_due_date_records_no_miss():
    c = _accepted()
    assert c.mark_overdue(now=_at(10, 13), actor="system") is True  # recorded by the scheduler
    c.extend_deadline(2, "需要调取监控", now=_at(10, 13), calendar=CAL, actor="s")
    assert [e.due_on for e in _overdue(c)] == ["2026-10-12"]  # not twice

    on_the_day = _accepted()
    on_the_day.extend_deadline(2, "需要调取监控", now=_at(10, 12, 23), calendar=CAL, actor="s")
    assert _overdue(on_the_day) == []
