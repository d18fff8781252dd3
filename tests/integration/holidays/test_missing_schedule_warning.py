"""The always-running scheduler tells operators, every day, that a year has no official
holiday schedule (a log line and a gauge to alert on), until one is recorded; it used to
say so only when the process started."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from prometheus_client import REGISTRY

from services.holidays.recorded import RecordedCalendars
from services.scheduler import DeadlineScheduler
from tests.integration.holidays.conftest import national_day_week

YEAR = 2098
"""No other test records this year or the next (the platform log is shared)."""


def _missing_year() -> float | None:
    return REGISTRY.get_sample_value("yanshen_holiday_schedule_missing_year")


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_each_round_warns_once_a_day_until_the_schedules_are_recorded(platform, schedules, caplog):
    now = [datetime.fromisoformat(f"{YEAR}-11-20T09:00:00+08:00")]
    calendars = RecordedCalendars(platform.app_pool, clock=lambda: now[0])
    scheduler = DeadlineScheduler(
        platform.worker_pool, platform.hall_app, [], clock=lambda: now[0], calendars=calendars
    )
    caplog.set_level(logging.WARNING, logger="services.holidays.recorded")

    def round_warns() -> list[str]:
        caplog.clear()
        scheduler.run_once()
        return _warnings(caplog)

    assert [w for w in round_warns() if f"schedule for {YEAR} yet" in w] == _warnings(caplog)
    assert len(_warnings(caplog)) == 1
    assert _missing_year() == YEAR
    assert round_warns() == []  # the same day: said once

    now[0] += timedelta(days=1)
    assert len(round_warns()) == 1  # and again the next day

    for year, then_missing in ((YEAR, YEAR + 1), (YEAR + 1, 0)):
        rest, work = national_day_week(year)
        schedules.record_schedule(year, rest, work, f"{year}年部分节假日安排的通知", "op-1")
        warned = round_warns()  # a recorded schedule counts from the next round
        assert _missing_year() == then_missing
        expected = [] if not then_missing else [f"for {then_missing} yet"]
        assert [w[w.index("for ") : w.index(" yet") + 4] for w in warned] == expected
