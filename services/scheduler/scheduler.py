"""The deadline scheduler (``yanshen schedule``): records missed deadlines as events.

Each round takes ``now`` from the injected clock, asks every registered source for records
past their due date at ``now`` (a read-model query), and calls the owning application's
command for each, which records the ``…Overdue`` event, so the history says when something
became overdue. Each command reads the clock again: in a long round, an event stamped with
the round's start could follow a later user command in the same record's history.

One scheduler runs a round at a time (a database advisory lock); running rounds again, or
several schedulers, records each missed deadline once: the aggregates decide.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from prometheus_client import Counter

from services.scheduler.registry import DeadlineSource, HallApps
from services.shared.errors import DomainError
from services.shared.working_days import CalendarSource
from services.store.consumer import connection_lost
from services.store.pool import Pool

__all__ = ["DeadlineScheduler", "ScheduleReport"]

log = logging.getLogger(__name__)

OVERDUE_RECORDED = Counter(
    "yanshen_overdue_recorded_total", "Overdue events recorded by the scheduler", ["source"]
)
_LOCK = 0x59530001
"""Advisory lock key: one scheduler round at a time per database."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ScheduleReport:
    """What one round did."""

    now: datetime
    found: int = 0
    """Records the read models listed as past due."""
    recorded: int = 0
    """``…Overdue`` events recorded."""
    unchanged: int = 0
    """Records the command found not overdue (any more): the read model was behind."""
    failed: int = 0
    """Records whose command was refused (logged)."""
    skipped: bool = False
    """Another scheduler held the round's lock; nothing was done."""
    by_source: dict[str, int] = field(default_factory=dict)
    """Events recorded per source."""


class DeadlineScheduler:
    """Runs the registered deadline sources against the halls' read models."""

    def __init__(
        self,
        pool: Pool,
        hall_apps: HallApps,
        sources: Iterable[DeadlineSource],
        *,
        clock: Callable[[], datetime] = _utc_now,
        interval: float = 60.0,
        calendars: CalendarSource | None = None,
    ) -> None:
        if not interval > 0:  # 0 would run rounds back to back (NaN is refused too)
            raise ValueError(f"the scheduler's interval must be above 0 seconds, not {interval}")
        self.pool = pool
        """A worker pool: the sources' queries see every hall."""
        self.hall_apps = hall_apps
        self.sources = list(sources)
        self.clock = clock
        self.interval = interval
        self.calendars = calendars or CalendarSource()
        """Asked for the calendar every round: the process that always runs is where
        operators learn, daily, that next year has no official schedule (the recorded
        calendars warn once a day when asked), even on days no command counts days."""
        self._stop = threading.Event()

    def run_once(self) -> ScheduleReport:
        """One round at the clock's ``now``; returns what it did."""
        report = ScheduleReport(now=self.clock())
        with self.pool.connection() as lock_conn:
            row = lock_conn.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK,)).fetchone()
            if not (row and row[0]):
                report.skipped = True
                return report
            try:
                self.calendars.current()
                for source in self.sources:
                    self._run_source(source, report)
            finally:
                lock_conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))
        return report

    def _run_source(self, source: DeadlineSource, report: ScheduleReport) -> None:
        with self.pool.connection() as conn:
            due = list(source.find_due(conn, report.now))
        report.found += len(due)
        recorded = 0
        for record in due:
            try:
                changed = source.mark_overdue(self.hall_apps, record, self.clock())
            except DomainError as error:
                report.failed += 1
                log.warning(
                    "%s: %s in hall %s: %s", source.name, record.record_id, record.hall_id, error
                )
                continue
            except Exception as error:  # one record that cannot be loaded or saved
                if connection_lost(error):
                    raise  # the database is gone: the round ends, the next one retries
                report.failed += 1
                log.exception("%s: %s in hall %s", source.name, record.record_id, record.hall_id)
                continue
            if changed:
                recorded += 1
            else:
                report.unchanged += 1
        report.recorded += recorded
        report.by_source[source.name] = recorded
        OVERDUE_RECORDED.labels(source.name).inc(recorded)
        if recorded:
            log.info("%s: %d overdue recorded", source.name, recorded)

    def run_forever(self) -> None:
        """A round every :attr:`interval` seconds until :meth:`stop`; survives a database
        restart (the round is retried at the next tick)."""
        while not self._stop.is_set():
            try:
                self.run_once()
            except psycopg.OperationalError as error:
                log.warning("database unavailable (%s); next round in %.0fs", error, self.interval)
            except Exception:  # the scheduler keeps running; the next round tries again
                log.exception("deadline round failed; next round in %.0fs", self.interval)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
