"""Fixtures of the holiday schedule tests: a hall with the 帮办代办 item and agents (as the
read-model tests have it), and a National Day week schedule for a year of its own.

Every test records a different far-future year: the platform log is shared by the
session's tests, and no other test counts days in those years.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from deploy.bootstrap import Platform
from services.holidays import HolidaySchedules
from services.shared.ids import PLATFORM_LOG
from services.shared.working_days import WorkingDayCalendar, YearSchedule
from services.store import open_pool
from tests.conftest import TEST_SETTINGS
from tests.integration.read_models.conftest import app_at, hall

__all__ = ["app_at", "hall", "national_day_week", "schedules", "second_process"]


def national_day_week(year: int) -> tuple[list[date], list[date]]:
    """Rest days 10-01 to 10-07 (bridging days in them), the first weekend day after them
    a make-up working day."""
    rest = [date(year, 10, d) for d in range(1, 8)]
    make_up = next(date(year, 10, d) for d in range(8, 15) if date(year, 10, d).weekday() >= 5)
    return rest, [make_up]


def calendar_of(year: int) -> WorkingDayCalendar:
    """The calendar the recorded :func:`national_day_week` of ``year`` makes."""
    rest, work = national_day_week(year)
    return WorkingDayCalendar([YearSchedule(year, frozenset(rest), frozenset(work))])


def due(calendar: WorkingDayCalendar, day: str, working_days: int) -> date:
    return calendar.add_working_days(date.fromisoformat(day), working_days)


@pytest.fixture
def schedules(platform: Platform) -> HolidaySchedules:
    return platform.hall_app(HolidaySchedules, PLATFORM_LOG)


@pytest.fixture
def second_process(database_url: str) -> Iterator[Platform]:
    """Another process's composition root: its own pools, store and calendars."""
    app_pool = open_pool(database_url, "app", min_size=1, max_size=2)
    worker_pool = open_pool(database_url, "worker", min_size=1, max_size=1)
    yield Platform(
        settings=TEST_SETTINGS,
        database_url=database_url,
        app_pool=app_pool,
        worker_pool=worker_pool,
    )
    app_pool.close()
    worker_pool.close()
