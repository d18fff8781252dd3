"""Recording a year's holiday schedule (节假日安排) in memory: the rules of the notice, replacing
a year with a corrected notice, refusals that record nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.holidays import (
    HolidaySchedule,
    HolidayScheduleInvalidError,
    HolidayScheduleNotFoundError,
    HolidaySchedules,
    HolidayScheduleUnchangedError,
)
from services.shared.errors import ValidationError
from services.shared.ids import PLATFORM_LOG

YEAR = 2031  # 2031-10-01 is a Wednesday; 10-11 a Saturday
NATIONAL_DAY = [f"2031-10-0{d}" for d in range(1, 8)]
NOTICE = "国办发明电〔2030〕7号"
NOW = datetime(2030, 11, 20, 2, tzinfo=UTC)


def _days(first: date, count: int, step: int = 1) -> list[str]:
    return [(first + timedelta(days=n * step)).isoformat() for n in range(count)]


@pytest.fixture
def schedules(hall_apps) -> HolidaySchedules:
    app = hall_apps(HolidaySchedules, PLATFORM_LOG)
    app.clock = lambda: NOW
    return app


def _head(app: HolidaySchedules) -> int:
    return app.recorder.max_notification_id() or 0


def test_records_a_year_with_its_days_sorted_and_without_repeats(schedules):
    days = ["2031-10-07", *NATIONAL_DAY]
    schedule, position = schedules.record_schedule(YEAR, days, ["2031-10-11"], NOTICE, "op-1")
    assert position == 1
    assert schedule.rest_days == tuple(NATIONAL_DAY)
    assert schedule.working_days == ("2031-10-11",)
    assert schedule.modified_on == NOW
    assert schedules.get_schedule(YEAR).notice == NOTICE
    year = schedule.schedule()
    assert not year.is_working_day(date(2031, 10, 6))  # a Monday off
    assert year.is_working_day(date(2031, 10, 11))  # a make-up Saturday
    assert not year.is_working_day(date(2031, 10, 12))  # a plain Sunday
    assert year.is_working_day(date(2031, 10, 13))


def test_takes_dates_as_well_as_iso_text(schedules):
    schedule, _ = schedules.record_schedule(YEAR, [date(2031, 1, 1)], [], NOTICE, "op-1")
    assert schedule.rest_days == ("2031-01-01",)


def test_recording_a_year_again_replaces_it_and_keeps_the_history(schedules):
    schedules.record_schedule(YEAR, NATIONAL_DAY, ["2031-10-11"], NOTICE, "op-1")
    corrected, position = schedules.record_schedule(
        YEAR, NATIONAL_DAY[:-1], [], "国办发明电〔2030〕8号（更正）", "op-2"
    )
    assert (position, corrected.version) == (2, 2)
    assert corrected.working_days == ()
    events = list(schedules.events.get(HolidaySchedule.create_id(YEAR)))
    assert [type(e) for e in events] == [HolidaySchedule.Recorded, HolidaySchedule.Replaced]


def test_a_changed_notice_alone_is_a_replacement(schedules):
    schedules.record_schedule(YEAR, NATIONAL_DAY, [], NOTICE, "op-1")
    schedule, _ = schedules.record_schedule(YEAR, NATIONAL_DAY, [], f"{NOTICE} 全文", "op-1")
    assert schedule.version == 2


@pytest.mark.parametrize(
    ("rest", "work", "notice", "message"),
    [
        (["2030-12-31"], [], NOTICE, "not in 2031"),
        (NATIONAL_DAY, ["2032-01-03"], NOTICE, "not in 2031"),
        (["2031-02-30"], [], NOTICE, "no date"),
        (["20311001"], [], NOTICE, "written YYYY-MM-DD"),  # date.fromisoformat reads both:
        (NATIONAL_DAY, ["2031-W41-6"], NOTICE, "written YYYY-MM-DD"),  # 10-11, a week date
        ([" 2031-10-01"], [], NOTICE, "written YYYY-MM-DD"),
        (NATIONAL_DAY, ["2031-10-07"], NOTICE, "both a rest day and a make-up working day"),
        (NATIONAL_DAY, ["2031-10-13"], NOTICE, "is a Monday"),
        ([], [], NOTICE, "1 to 60 rest days"),
        (_days(date(2031, 1, 1), 61), [], NOTICE, "1 to 60 rest days"),
        (NATIONAL_DAY, _days(date(2031, 1, 4), 21, step=7), NOTICE, "at most 20"),
        (NATIONAL_DAY, [], "  ", "name the notice"),
        (NATIONAL_DAY, [], "通" * 201, "name the notice"),
    ],
)
def test_refuses_what_no_notice_says_and_records_nothing(schedules, rest, work, notice, message):
    with pytest.raises(HolidayScheduleInvalidError, match=message) as refused:
        schedules.record_schedule(YEAR, rest, work, notice, "op-1")
    assert isinstance(refused.value, ValidationError)
    assert refused.value.code == "VALIDATION"
    assert _head(schedules) == 0


@pytest.mark.parametrize("year", [1999, 2101, True])
def test_refuses_a_year_out_of_range(schedules, year):
    with pytest.raises(HolidayScheduleInvalidError, match="year"):
        schedules.record_schedule(year, [f"{year}-01-01"], [], NOTICE, "op-1")
    assert _head(schedules) == 0


def test_refuses_recording_the_same_schedule_again(schedules):
    schedules.record_schedule(YEAR, NATIONAL_DAY, ["2031-10-11"], NOTICE, "op-1")
    with pytest.raises(HolidayScheduleUnchangedError) as refused:
        schedules.record_schedule(YEAR, reversed(NATIONAL_DAY), ["2031-10-11"], NOTICE, "op-2")
    assert refused.value.code == "VALIDATION"
    assert _head(schedules) == 1


def test_a_refused_replacement_keeps_the_recorded_schedule(schedules):
    schedules.record_schedule(YEAR, NATIONAL_DAY, ["2031-10-11"], NOTICE, "op-1")
    with pytest.raises(HolidayScheduleInvalidError):
        schedules.record_schedule(YEAR, NATIONAL_DAY, ["2031-10-01"], NOTICE, "op-1")
    assert _head(schedules) == 1
    assert schedules.get_schedule(YEAR).working_days == ("2031-10-11",)


def test_a_year_never_recorded_is_not_found(schedules):
    with pytest.raises(HolidayScheduleNotFoundError) as missing:
        schedules.get_schedule(YEAR)
    assert missing.value.code == "NOT_FOUND"


def test_the_schedules_belong_to_the_platform_log(hall_apps):
    with pytest.raises(RuntimeError, match="platform"):
        hall_apps(HolidaySchedules, "demo").record_schedule(YEAR, NATIONAL_DAY, [], NOTICE, "op")
