"""Chinese working days (工作日): public holidays and make-up working days (调休).

Time limits of the standards are counted in working days. Which schedule decides a day,
in order:

1. a :class:`YearSchedule` the platform's operators recorded for the day's year (the State
   Council's yearly notice, 国务院办公厅关于部分节假日安排的通知, see
   ``services.holidays`` and ``docs/working-days.md``): authoritative for the whole year —
   its rest days and make-up working days as listed, otherwise weekends off;
2. the ``chinese-calendar`` library (the notices from 2004 up to its release);
3. for a year neither covers, weekends and the statutory holidays of the ``holidays``
   library, which knows neither bridging days nor make-up working days: a *fallback* the
   platform warns about before the year starts.

The calendar is a value: applications pass one in (``HallApplication.calendar``) and the
domain functions stay pure.

>>> cal = WorkingDayCalendar()
>>> cal.is_working_day(date(2026, 10, 1))          # National Day
False
>>> cal.add_working_days(date(2026, 9, 30), 1)     # the next working day after the holiday
datetime.date(2026, 10, 8)
>>> recorded = YearSchedule(2031, frozenset({date(2031, 1, 1)}), frozenset({date(2031, 1, 4)}))
>>> cal = WorkingDayCalendar([recorded])
>>> cal.is_working_day(date(2031, 1, 4)), cal.source(2031).value   # a make-up Saturday
(True, 'RECORDED')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

__all__ = [
    "CHINA_TZ",
    "CalendarSource",
    "ScheduleSource",
    "WorkingDayCalendar",
    "YearSchedule",
    "library_covers",
    "local_date",
]

CHINA_TZ = ZoneInfo("Asia/Shanghai")
SATURDAY = 5


def local_date(moment: datetime) -> date:
    """The date in China (UTC+8) of an aware ``moment``: days change at midnight in Beijing."""
    return moment.astimezone(CHINA_TZ).date()


@cache
def _statutory_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("CN", years=[year]).keys())


@cache
def library_covers(year: int) -> bool:
    """Whether ``chinese-calendar`` holds the official schedule of ``year``.

    >>> library_covers(2026), library_covers(1999)
    (True, False)
    """
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


class ScheduleSource(StrEnum):
    """What decides the days of a year."""

    RECORDED = "RECORDED"
    """A schedule the platform's operators recorded from the year's notice."""
    LIBRARY = "LIBRARY"
    """The ``chinese-calendar`` library's copy of the notice."""
    FALLBACK = "FALLBACK"
    """Weekends and statutory holidays only: no bridging days, no make-up working days."""


@dataclass(frozen=True)
class YearSchedule:
    """放假安排: one year's rest days (holidays with their bridging days) and make-up working
    days (调休上班). Every other day of the year: weekends off, weekdays on."""

    year: int
    rest_days: frozenset[date]
    working_days: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < SATURDAY and day not in self.rest_days


class WorkingDayCalendar:
    """Which days are working days: recorded schedules, then the libraries.

    ``extra_holidays`` and ``extra_working_days`` (single-day overrides, for tests and
    experiments) take precedence over everything.
    """

    def __init__(
        self,
        schedules: Iterable[YearSchedule] = (),
        *,
        extra_holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self.schedules = {s.year: s for s in schedules}
        """The recorded schedules by year."""
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_working_days = frozenset(extra_working_days)

    def source(self, year: int) -> ScheduleSource:
        """What decides the days of ``year``."""
        if year in self.schedules:
            return ScheduleSource.RECORDED
        return ScheduleSource.LIBRARY if library_covers(year) else ScheduleSource.FALLBACK

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_holidays:
            return False
        recorded = self.schedules.get(day.year)
        if recorded is not None:
            return recorded.is_working_day(day)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year the official schedule does not cover yet
            return day.weekday() < SATURDAY and day not in _statutory_holidays(day.year)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted).

        ``days == 0`` gives ``start`` itself when it is a working day, else the next one.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        if days == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        while days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``: how many a deadline moves when a clock stops."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


class CalendarSource:
    """Where an application takes its calendar from, each time it computes a deadline.

    This one always gives the libraries' calendar; the composition root gives hall
    applications one that also reads the recorded schedules
    (``services.holidays.RecordedCalendars``).
    """

    def current(self) -> WorkingDayCalendar:
        return _LIBRARY


_LIBRARY = WorkingDayCalendar()
