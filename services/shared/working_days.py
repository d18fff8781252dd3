"""Chinese working days (工作日): public holidays and make-up working days (调休).

Time limits of the standards are counted in working days. The official schedule comes from
the ``chinese-calendar`` library (the State Council's yearly notices, 2004 onwards); for a
year the library does not cover yet, weekends and the statutory holidays from the
``holidays`` library apply, and the platform can add overrides (extra holidays or make-up
working days) until the library catches up.

>>> cal = WorkingDayCalendar()
>>> cal.is_working_day(date(2026, 10, 1))          # National Day
False
>>> cal.add_working_days(date(2026, 9, 30), 1)     # the next working day after the holiday
datetime.date(2026, 10, 8)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

__all__ = ["CHINA_TZ", "WorkingDayCalendar", "local_date"]

CHINA_TZ = ZoneInfo("Asia/Shanghai")
SATURDAY = 5


def local_date(moment: datetime) -> date:
    """The date in China (UTC+8) of an aware ``moment``: days change at midnight in Beijing."""
    return moment.astimezone(CHINA_TZ).date()


@cache
def _statutory_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("CN", years=[year]).keys())


class WorkingDayCalendar:
    """Which days are working days, with optional overrides.

    ``extra_holidays`` and ``extra_working_days`` take precedence over the libraries.
    """

    def __init__(
        self, extra_holidays: Iterable[date] = (), extra_working_days: Iterable[date] = ()
    ) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_working_days = frozenset(extra_working_days)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_holidays:
            return False
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
