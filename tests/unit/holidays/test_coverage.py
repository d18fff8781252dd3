"""Which years have an official schedule, and the warning before one that has none."""

from __future__ import annotations

from datetime import date

from services.holidays import coverage, uncovered_next_year
from services.shared.working_days import ScheduleSource, WorkingDayCalendar, YearSchedule

LIBRARIES = WorkingDayCalendar()
RECORDED_2027 = WorkingDayCalendar([YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset())])


def test_each_year_is_recorded_in_the_library_or_a_fallback():
    found = coverage(RECORDED_2027, range(2026, 2029))
    assert [c.source for c in found] == [
        ScheduleSource.LIBRARY,
        ScheduleSource.RECORDED,
        ScheduleSource.FALLBACK,
    ]


def test_warns_within_sixty_days_of_a_year_without_a_schedule():
    assert uncovered_next_year(LIBRARIES, date(2026, 11, 1)) is None  # 61 days before
    warning = uncovered_next_year(LIBRARIES, date(2026, 11, 2))
    assert warning is not None
    assert "2027" in warning
    assert uncovered_next_year(RECORDED_2027, date(2026, 12, 31)) is None


def test_warns_all_year_when_the_year_itself_has_none():
    assert "2027" in (uncovered_next_year(LIBRARIES, date(2027, 3, 1)) or "")
    assert uncovered_next_year(RECORDED_2027, date(2027, 3, 1)) is None
