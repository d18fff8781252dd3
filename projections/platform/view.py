"""Queries of the platform overview (operators): halls, activity, lag, deadlines.

The ``*_overview``/``projection_lag``/``deadline_counts`` functions read every hall, so they
need a pool that sees every hall: the worker pool (``Platform.worker_pool``); the gateway
checks the operator role before calling them. The functions that take a ``tenant_id`` read
through :func:`~projections.runtime.tenant_connection` and work with the app pool as well
(a hall admin's own hall).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import class_row

from projections.runtime.db import every_page, tenant_connection
from services.store.pool import Pool

__all__ = [
    "ContextActivity",
    "DailyActivity",
    "DeadlineCounts",
    "DueDeadline",
    "HallOverview",
    "ProjectionLag",
    "daily_activity",
    "deadline_counts",
    "due_deadlines",
    "hall_activity",
    "hall_overview",
    "hall_overviews",
    "projection_lag",
]


@dataclass(frozen=True)
class HallOverview:
    """One hall as operators see it."""

    tenant_id: str
    name: str | None
    """``None`` until the hall's registration is projected."""
    region: str | None
    registered_at: datetime | None
    events: int
    """Events in the hall's log (its head position)."""
    last_event_at: datetime | None
    max_lag: int
    """The largest lag of any projection in this hall, in events."""


@dataclass(frozen=True)
class ContextActivity:
    """Events of one bounded context in one hall."""

    context: str
    events: int
    first_event_at: datetime
    last_event_at: datetime


@dataclass(frozen=True)
class DailyActivity:
    day: date
    """The day in China (Asia/Shanghai)."""
    events: int


@dataclass(frozen=True)
class ProjectionLag:
    """How far one projection is behind in one hall."""

    projection: str
    tenant_id: str
    head: int
    position: int
    lag: int
    updated_at: datetime | None
    """When the projection last moved in this hall (``None``: never)."""


@dataclass(frozen=True)
class DeadlineCounts:
    """Open and overdue deadlines of one hall and context."""

    tenant_id: str
    context: str
    open: int
    overdue: int
    """Open deadlines whose round was recorded as missed (an extension keeps the miss, and so
    does a case clock restarted with its moved due date already past)."""
    closed_late: int
    """Closed deadlines whose round was missed: recorded by a ``…Overdue`` event, or closed
    late (not on time) before any round recorded it; also when closed by an extended due
    date. Not those of a withdrawn record."""


@dataclass(frozen=True)
class DueDeadline:
    """A deadline past its due date that is not recorded as missed yet."""

    tenant_id: str
    record_id: UUID
    deadline: str
    due_on: date


_OVERVIEW = """
SELECT h.tenant_id, r.name, r.region, r.registered_at, h.position AS events,
       a.last_event_at, COALESCE(l.max_lag, h.position) AS max_lag
FROM tenant_heads h
LEFT JOIN halls r ON r.tenant_id = h.tenant_id
LEFT JOIN (SELECT tenant_id, max(last_event_at) AS last_event_at FROM platform_activity
           GROUP BY tenant_id) a ON a.tenant_id = h.tenant_id
LEFT JOIN LATERAL (
    SELECT max(h.position - COALESCE(c.position, 0)) AS max_lag
    FROM unnest(%(consumers)s::text[]) AS p(consumer)
    LEFT JOIN consumer_positions c ON c.consumer = p.consumer AND c.tenant_id = h.tenant_id
) l ON true
{where}
ORDER BY h.tenant_id
"""
_CONSUMERS = """
SELECT DISTINCT consumer FROM consumer_positions
WHERE consumer LIKE 'projection:%' AND consumer NOT LIKE '%@rebuild' ORDER BY 1
"""
_LAG = """
SELECT substr(p.consumer, 12) AS projection, h.tenant_id, h.position AS head,
       COALESCE(c.position, 0) AS position, h.position - COALESCE(c.position, 0) AS lag,
       c.updated_at
FROM tenant_heads h
CROSS JOIN unnest(%(consumers)s::text[]) AS p(consumer)
LEFT JOIN consumer_positions c ON c.consumer = p.consumer AND c.tenant_id = h.tenant_id
{where}
ORDER BY lag DESC, h.tenant_id, 1
"""


def _consumers(conn: psycopg.Connection[Any], projections: Sequence[str] | None) -> list[str]:
    if projections is not None:
        return [f"projection:{p}" for p in projections]
    return [str(r[0]) for r in conn.execute(_CONSUMERS).fetchall()]


def hall_overviews(pool: Pool, projections: Sequence[str] | None = None) -> list[HallOverview]:
    """Every hall with events, by id (worker pool). ``projections`` are the names whose lag
    counts; default: every projection that has run."""
    with pool.connection() as conn:
        params = {"consumers": _consumers(conn, projections)}
        cur = conn.cursor(row_factory=class_row(HallOverview))
        return cur.execute(_OVERVIEW.format(where=""), params).fetchall()


def hall_overview(
    pool: Pool, tenant_id: str, projections: Sequence[str] | None = None
) -> HallOverview | None:
    """One hall's overview (``None`` when it has no events yet)."""
    with tenant_connection(pool, tenant_id) as conn:
        params = {"consumers": _consumers(conn, projections), "t": tenant_id}
        cur = conn.cursor(row_factory=class_row(HallOverview))
        where = "WHERE h.tenant_id = %(t)s"
        return cur.execute(_OVERVIEW.format(where=where), params).fetchone()


def projection_lag(
    pool: Pool, tenant_id: str | None = None, projections: Sequence[str] | None = None
) -> list[ProjectionLag]:
    """Lag per projection and hall, largest first; one hall's when ``tenant_id`` is given."""
    where = "" if tenant_id is None else "WHERE h.tenant_id = %(t)s"
    with pool.connection() as conn, conn.transaction():
        if tenant_id is not None:
            conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (tenant_id,))
        params = {"consumers": _consumers(conn, projections), "t": tenant_id}
        cur = conn.cursor(row_factory=class_row(ProjectionLag))
        return cur.execute(_LAG.format(where=where), params).fetchall()


def hall_activity(pool: Pool, tenant_id: str) -> list[ContextActivity]:
    """A hall's events per bounded context, busiest first."""
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(ContextActivity))
        return cur.execute(
            "SELECT context, events, first_event_at, last_event_at FROM platform_activity"
            " WHERE tenant_id = %s ORDER BY events DESC, context",
            (tenant_id,),
        ).fetchall()


def daily_activity(pool: Pool, tenant_id: str, since: date) -> list[DailyActivity]:
    """A hall's events per day (China) from ``since`` on, oldest first."""
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(DailyActivity))
        return cur.execute(
            "SELECT day, events FROM platform_daily_activity"
            " WHERE tenant_id = %s AND day >= %s ORDER BY day",
            (tenant_id, since),
        ).fetchall()


def deadline_counts(pool: Pool) -> list[DeadlineCounts]:
    """Open, overdue and late-closed deadlines per hall and context (worker pool).

    Overdue and closed late follow ``missed_on``: a miss recorded for any due date of the
    round (``…Overdue``), or shown by the events themselves: a close not on time (the day it
    closed), a case clock restarted with its moved due date already past (the day it
    restarted). A complaint's extension does not undo it (as in the complaint register).
    The deadlines of a withdrawn record (a rectification whose bad rating was excluded on
    appeal) count in none of the three."""
    with pool.connection() as conn:
        cur = conn.cursor(row_factory=class_row(DeadlineCounts))
        return cur.execute(
            "SELECT tenant_id, context,"
            " count(*) FILTER (WHERE closed_at IS NULL) AS open,"
            " count(*) FILTER (WHERE closed_at IS NULL AND missed_on IS NOT NULL) AS overdue,"
            " count(*) FILTER (WHERE closed_at IS NOT NULL AND missed_on IS NOT NULL"
            " AND NOT withdrawn) AS closed_late"
            " FROM platform_deadlines GROUP BY tenant_id, context ORDER BY tenant_id, context"
        ).fetchall()


_DUE = (
    "SELECT tenant_id, record_id, deadline, due_on FROM platform_deadlines"
    " WHERE context = %s AND closed_at IS NULL AND overdue_on IS NULL AND due_on < %s"
    " AND (due_on, tenant_id, record_id, deadline) > (%s, %s, %s, %s)"
    " ORDER BY due_on, tenant_id, record_id, deadline LIMIT %s"
)


def due_deadlines(
    conn: psycopg.Connection[Any], context: str, today: date, page: int = 1000
) -> list[DueDeadline]:
    """Open deadlines of ``context`` due before ``today`` and not recorded as missed yet,
    oldest first, read ``page`` at a time (every one of them: records the scheduler cannot
    mark this round must not hide the ones after them).

    "Recorded" is per due date (``overdue_on``), as the aggregates record one ``…Overdue``
    per due date: a complaint extended after its miss is not listed again for the old due
    date, but is listed once its new due date has passed unrecorded too (the round's first
    miss, ``missed_on``, which the counts read, stays either way).

    ``conn`` must see every hall (a worker connection): the deadline scheduler's query.
    """
    return every_page(
        conn,
        _DUE,
        (context, today),
        row=DueDeadline,
        key=lambda d: (d.due_on, d.tenant_id, d.record_id, d.deadline),
        first=(date.min, "", UUID(int=0), ""),  # before every key
        page=page,
    )
