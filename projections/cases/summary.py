"""The case register's figures per month (帮办代办 indicators): requests, completions, the
on-time completion rate (按时办结率) and the days to close, over ``case_register`` rows.

Definitions (months are ``YYYY-MM`` of dates in China, as the events recorded them):

- ``requested``: cases whose ``CaseRequested`` was on a day of the month.
- ``completed``: cases completed (办结, ``CaseCompleted``) on a day of the month
  (``completed_on``, the register's ``ended_on``); archived ones included.
  ``completed_on_time``: those the event records as on time (``on_time``: completed on or
  before the due date in force, Chinese working days, moved by every stopped clock).
  ``terminated``: cases terminated (终止) on a day of the month; they are not completions
  and are in no rate.
- 按时办结率 ``on_time_rate`` = completed_on_time / completed.
- Days to close: natural days from the day of acceptance (受理, ``accepted_on``) to the day of
  completion, over the cases completed in the month (a case completed the day it was accepted
  took 0 days); suspensions and one-time notices are not subtracted.
  ``average_days_to_close`` and ``max_days_to_close``.

A figure is ``None`` when its denominator (``completed``) is 0. Nothing is compared with today.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["CaseMonthSummary", "case_summary"]


@dataclass(frozen=True)
class CaseMonthSummary:
    """The case register's figures of one month."""

    month: str
    """``YYYY-MM`` in China."""
    requested: int
    completed: int
    completed_on_time: int
    terminated: int
    average_days_to_close: float | None
    max_days_to_close: int | None

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率 = completed_on_time / completed."""
        return self.completed_on_time / self.completed if self.completed else None


_SUMMARY = """
SELECT month,
       count(*) FILTER (WHERE kind = 'REQUESTED') AS requested,
       count(*) FILTER (WHERE kind = 'COMPLETED') AS completed,
       count(*) FILTER (WHERE kind = 'COMPLETED' AND on_time) AS completed_on_time,
       count(*) FILTER (WHERE kind = 'TERMINATED') AS terminated,
       avg(days)::float8 AS average_days_to_close,
       max(days) AS max_days_to_close
FROM (
    SELECT to_char(requested_on, 'YYYY-MM') AS month, 'REQUESTED' AS kind,
           NULL::boolean AS on_time, NULL::integer AS days
    FROM case_register WHERE tenant_id = %(t)s
    UNION ALL
    SELECT to_char(ended_on, 'YYYY-MM'),
           CASE WHEN on_time IS NULL THEN 'TERMINATED' ELSE 'COMPLETED' END,
           on_time, CASE WHEN on_time IS NOT NULL THEN ended_on - accepted_on END
    FROM case_register WHERE tenant_id = %(t)s AND ended_on IS NOT NULL
) AS figures
WHERE (%(from)s::text IS NULL OR month >= %(from)s) AND (%(to)s::text IS NULL OR month <= %(to)s)
GROUP BY month
ORDER BY month
"""
"""A completed case has ``on_time`` (set by ``CaseCompleted`` only); an ended case without it
was terminated."""


def case_summary(
    pool: ConnectionPool,
    tenant_id: str,
    *,
    month_from: str | None = None,
    month_to: str | None = None,
) -> list[CaseMonthSummary]:
    """The figures of every month with a request, completion or termination, oldest first;
    ``month_from`` / ``month_to`` (``YYYY-MM``, inclusive) limit the months."""
    params = {"t": tenant_id, "from": month_from, "to": month_to}
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(CaseMonthSummary))
        return cur.execute(_SUMMARY, params).fetchall()
