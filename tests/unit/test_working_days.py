"""Working days with Chinese public holidays and make-up working days (调休)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.shared.working_days import (
    ScheduleSource,
    WorkingDayCalendar,
    YearSchedule,
    library_covers,
    local_date,
)

CAL = WorkingDayCalendar()


def test_weekdays_weekends_holidays_and_make_up_days():
    assert CAL.is_working_day(date(2026, 11, 26))  # a Thursday
    assert not CAL.is_working_day(date(2026, 11, 28))  # a Saturday
    assert not CAL.is_working_day(date(2026, 1, 1))  # New Year's Day
    assert not CAL.is_working_day(date(2026, 10, 5))  # National Day week
    # 2026 Spring Festival: Saturday 14 February is a make-up working day (调休).
    assert CAL.is_working_day(date(2026, 2, 14))


def test_adding_working_days_skips_the_national_day_week():
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 8, 9, 10 (Saturday, a make-up working day), 12, 13 October
    assert CAL.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_zero_days_is_the_same_or_next_working_day():
    assert CAL.add_working_days(date(2026, 11, 26), 0) == date(2026, 11, 26)
    assert CAL.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2026, 11, 26), -1)


def test_years_beyond_the_official_schedule_fall_back_to_weekends_and_holidays():
    assert not CAL.is_working_day(date(2027, 1, 1))
    assert not CAL.is_working_day(date(2027, 1, 2))  # Saturday
    assert CAL.is_working_day(date(2027, 1, 4))


def test_overrides_win():
    cal = WorkingDayCalendar(
        extra_holidays=[date(2026, 11, 26)], extra_working_days=[date(2026, 11, 28)]
    )
    assert not cal.is_working_day(date(2026, 11, 26))
    assert cal.is_working_day(date(2026, 11, 28))


def test_days_change_at_midnight_in_beijing():
    assert local_date(datetime(2026, 11, 26, 16, 30, tzinfo=UTC)) == date(2026, 11, 27)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 1)),
    st.integers(min_value=1, max_value=40),
)
def test_add_then_count_round_trips(start, days):
    due = CAL.add_working_days(start, days)
    assert CAL.is_working_day(due)
    assert CAL.working_days_between(start, due) == days


RECORDED = YearSchedule(
    2031,
    rest_days=frozenset(date(2031, 10, d) for d in range(1, 8)),  # Wednesday to Tuesday
    working_days=frozenset({date(2031, 10, 11)}),  # a Saturday
)


def test_a_recorded_year_follows_its_schedule_alone():
    cal = WorkingDayCalendar([RECORDED])
    assert cal.source(2031) is ScheduleSource.RECORDED
    assert not cal.is_working_day(date(2031, 10, 6))  # a bridging Monday
    assert cal.is_working_day(date(2031, 10, 11))  # the make-up Saturday
    # Not listed: weekdays work, weekends rest, whatever the holidays library says.
    assert cal.is_working_day(date(2031, 5, 1))  # Labour Day, not in this schedule
    assert not cal.is_working_day(date(2031, 10, 12))
    assert cal.add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 8)
    assert WorkingDayCalendar().add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 6)


def test_a_recorded_year_overrides_the_library_and_leaves_other_years_alone():
    recorded_2026 = YearSchedule(2026, frozenset({date(2026, 11, 26)}), frozenset())
    cal = WorkingDayCalendar([recorded_2026])
    assert not cal.is_working_day(date(2026, 11, 26))
    # The recorded year decides every day: the library's Spring Festival is not in it.
    assert not CAL.is_working_day(date(2026, 2, 16))
    assert cal.is_working_day(date(2026, 2, 16))
    assert CAL.is_working_day(date(2026, 2, 14))
    assert not cal.is_working_day(date(2026, 2, 14))
    assert cal.is_working_day(date(2025, 10, 1)) is CAL.is_working_day(date(2025, 10, 1))


def test_what_decides_each_year():
    assert CAL.source(2026) is ScheduleSource.LIBRARY
    assert CAL.source(2027) is ScheduleSource.FALLBACK
    assert library_covers(2004)
    assert not library_covers(2003)


@given(
    st.dates(min_value=date(2031, 1, 1), max_value=date(2031, 12, 31)),
    st.sets(st.dates(min_value=date(2031, 1, 1), max_value=date(2031, 12, 31)), max_size=40),
    st.sets(st.dates(min_value=date(2031, 1, 1), max_value=date(2031, 12, 31)), max_size=20),
)
def test_in_a_recorded_year_a_day_works_if_listed_to_or_a_weekday_not_listed_off(day, off, on):
    cal = WorkingDayCalendar([YearSchedule(2031, frozenset(off - on), frozenset(on))])
    expected = day in on or (day.weekday() < 5 and day not in off)
    assert cal.is_working_day(day) is expected


@given(
    st.dates(min_value=date(2030, 12, 1), max_value=date(2031, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
def test_with_a_recorded_year_adding_then_counting_round_trips(start, days):
    cal = WorkingDayCalendar([RECORDED])
    due = cal.add_working_days(start, days)
    assert cal.is_working_day(due)
    assert cal.working_days_between(start, due) == days or days == 0
