"""Working days with Chinese public holidays and make-up working days (调休)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.shared.working_days import WorkingDayCalendar, local_date

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
