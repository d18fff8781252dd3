"""Which years the official schedule covers, and the warning before a year that has none.

>>> from services.shared.working_days import WorkingDayCalendar
>>> print(uncovered_next_year(WorkingDayCalendar(), date(2026, 11, 26)))
no official holiday schedule for 2027 yet (neither recorded nor in chinese-calendar): from 2027-01-01 time limits count weekends and statutory holidays only. Record the State Council's notice: yanshen calendar record FILE (docs/working-days.md)
>>> print(uncovered_next_year(WorkingDayCalendar(), date(2026, 6, 1)))
None
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.shared.working_days import ScheduleSource, WorkingDayCalendar

__all__ = ["WARN_DAYS", "YearCoverage", "coverage", "uncovered_next_year", "uncovered_year"]

WARN_DAYS = 60
"""How many days before the end of a year operators are warned that the next has no
official schedule."""


@dataclass(frozen=True)
class YearCoverage:
    year: int
    source: ScheduleSource


def coverage(calendar: WorkingDayCalendar, years: range) -> list[YearCoverage]:
    """What decides each of ``years``: a recorded schedule, the library or the fallback."""
    return [YearCoverage(year, calendar.source(year)) for year in years]


def uncovered_year(
    calendar: WorkingDayCalendar, today: date, warn_days: int = WARN_DAYS
) -> int | None:
    """The first year operators must record a schedule for now: today's year if it has
    none, or the next one within ``warn_days`` of today's year's end; None otherwise.

    >>> from services.shared.working_days import WorkingDayCalendar
    >>> uncovered_year(WorkingDayCalendar(), date(2026, 11, 26))
    2027
    """
    next_year = today.year + 1
    years = [today.year]
    if (date(next_year, 1, 1) - today).days <= warn_days:
        years.append(next_year)
    return next((y for y in years if calendar.source(y) is ScheduleSource.FALLBACK), None)


def uncovered_next_year(
    calendar: WorkingDayCalendar, today: date, warn_days: int = WARN_DAYS
) -> str | None:
    """The warning when ``today`` is within ``warn_days`` of the year's end (or the year
    itself is uncovered) and a year from today's on has no official schedule."""
    year = uncovered_year(calendar, today, warn_days)
    if year is None:
        return None
    return (
        f"no official holiday schedule for {year} yet (neither recorded nor in "
        f"chinese-calendar): from {date(year, 1, 1)} time limits count weekends and statutory "
        "holidays only. Record the State Council's notice: yanshen calendar record FILE "
        "(docs/working-days.md)"
    )
