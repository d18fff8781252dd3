"""Reading the recorded schedules back from the platform log, and the calendar every hall
application computes deadlines with.

No read model: the schedules are a handful of events in the small platform log.
:class:`RecordedCalendars` keeps them in memory and, each time a deadline is computed, asks
the database only for the platform log's head position (one indexed row, one round trip):
when the head moved (a schedule, or a partner, was recorded by any process), it reads the
schedules again. So every process — gateway workers, ``yanshen run``, the scheduler, the
CLI — computes with a schedule from the first command after it was committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from prometheus_client import Gauge

from services.holidays.coverage import uncovered_next_year, uncovered_year
from services.holidays.domain import HolidaySchedule
from services.shared.ids import PLATFORM_LOG
from services.shared.working_days import (
    CalendarSource,
    WorkingDayCalendar,
    YearSchedule,
    local_date,
)
from services.store import decode
from services.store.pool import Pool
from services.store.session import TenantSession

__all__ = ["RecordedCalendars", "ScheduleRecord", "recorded_schedules"]

log = logging.getLogger(__name__)

SCHEDULE_MISSING = Gauge(
    "yanshen_holiday_schedule_missing_year",
    "The year operators must record an official holiday schedule for (today's, or the next"
    " within 60 days of the year's end), 0 when none is missing; checked once a day",
)

_HEAD = "SELECT position FROM tenant_heads WHERE tenant_id = %s"
_SCHEDULES = """
SELECT h.position, e.position, e.originator_id, e.originator_version, e.topic, e.state
FROM tenant_heads h LEFT JOIN events e ON e.tenant_id = h.tenant_id AND e.topic = ANY(%s)
WHERE h.tenant_id = %s ORDER BY e.position
"""
_TOPICS = [get_topic(HolidaySchedule.Recorded), get_topic(HolidaySchedule.Replaced)]


@dataclass(frozen=True)
class ScheduleRecord:
    """A year's schedule in force: its latest event."""

    year: int
    rest_days: tuple[date, ...]
    working_days: tuple[date, ...]
    notice: str
    actor: str
    recorded_at: datetime
    position: int
    """Position of the event in the platform log."""
    revision: int
    """1 for the first recording, 2 after the first replacement …"""

    def schedule(self) -> YearSchedule:
        return YearSchedule(self.year, frozenset(self.rest_days), frozenset(self.working_days))


def _head(session: TenantSession) -> int:
    rows = session.fetch(_HEAD, (PLATFORM_LOG,))
    return int(rows[0][0]) if rows else 0


def recorded_schedules(pool: Pool) -> tuple[int, dict[int, ScheduleRecord]]:
    """The platform log's head and the schedule in force per year (any pool role)."""
    # One statement, one snapshot: the head and the events it covers.
    rows = TenantSession(pool, PLATFORM_LOG).fetch(_SCHEDULES, (_TOPICS, PLATFORM_LOG))
    head = int(rows[0][0]) if rows else 0
    found: dict[Any, int] = {}
    records: dict[int, ScheduleRecord] = {}
    for _, position, originator_id, version, topic, state in rows:
        if position is None:  # the platform log holds no schedule
            continue
        event: Any = decode(StoredEvent(originator_id, version, topic, bytes(state)))
        year = event.year if isinstance(event, HolidaySchedule.Recorded) else found[originator_id]
        found[originator_id] = year
        records[year] = ScheduleRecord(
            year=year,
            rest_days=tuple(map(date.fromisoformat, event.rest_days)),
            working_days=tuple(map(date.fromisoformat, event.working_days)),
            notice=event.notice,
            actor=event.actor,
            recorded_at=event.timestamp,
            position=int(position),
            revision=int(version),
        )
    return head, records


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RecordedCalendars(CalendarSource):
    """The calendar with the platform's recorded schedules, for every hall application of a
    process (the composition root builds one per pool). Thread-safe."""

    def __init__(self, pool: Pool, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.pool = pool
        self.clock = clock
        """Today, for the warning about next year (see :meth:`warning`)."""
        self._head = -1
        self._calendar = WorkingDayCalendar()
        self._records: dict[int, ScheduleRecord] = {}
        self._checked_on: date | None = None
        self._lock = threading.Lock()

    def current(self) -> WorkingDayCalendar:
        """The calendar as of the platform log's head now (one round trip; reads the
        schedules again only when the head moved). Logs :meth:`warning`, if any, once a
        day and after each change."""
        calendar = self._as_of_head()
        today = local_date(self.clock())
        if today != self._checked_on:
            self._checked_on = today
            SCHEDULE_MISSING.set(uncovered_year(calendar, today) or 0)
            if warning := self.warning(calendar):
                log.warning(warning)
        return calendar

    def _as_of_head(self) -> WorkingDayCalendar:
        head = _head(TenantSession(self.pool, PLATFORM_LOG))
        with self._lock:
            calendar = self._calendar if head == self._head else None
        return self.reload() if calendar is None else calendar

    def reload(self) -> WorkingDayCalendar:
        """Read every recorded schedule again."""
        head, records = recorded_schedules(self.pool)
        calendar = WorkingDayCalendar(r.schedule() for r in records.values())
        with self._lock:
            if head < self._head:  # a concurrent reload saw a newer head: keep it
                return self._calendar
            self._head, self._calendar, self._records = head, calendar, records
            self._checked_on = None  # warn again (or not) with the new schedules
        return calendar

    def snapshot(self) -> tuple[WorkingDayCalendar, dict[int, ScheduleRecord]]:
        """The calendar and the recorded schedules by year it was made of, as of now (logs
        no warning: the caller shows :meth:`warning` itself)."""
        self._as_of_head()
        with self._lock:
            return self._calendar, dict(self._records)

    def warning(self, calendar: WorkingDayCalendar | None = None) -> str | None:
        """Why operators must act (next year has no official schedule soon), or None."""
        return uncovered_next_year(calendar or self.current(), local_date(self.clock()))
