"""Queries over the queue board: the only way the gateway reads the ``queue_board_*`` tables.

A board is one hall's service day: its queues with their statistics, its windows with the
number each called last that day (or still serves from an earlier one: a service running
past midnight), the hall's totals. The caller gives ``now`` from its
injected clock (the gateway: the hall's queue application's ``clock``): the board's default
day is the hall's current date in China (``local_date(now)``, the date a ticket issued now
would belong to), never the latest day some queue started (a day reset in advance, or
yesterday before the morning's first ticket). ``now`` also decides which tickets still
waiting are over the waiting-time target; every other statistic follows from the events
alone. The target is the day's: the hall's ``waiting_target_minutes`` when the first of its
queues started the day (a change of the policy applies from the next day started; the days
started before keep theirs), or the hall's current one for a day not started yet. The
definitions are in :mod:`projections.queue_board.stats`.

:func:`public_board` is the part of today's board that the screens in the waiting area show
to anyone: per window its name, status and the number it called last; per queue how many
wait and since when the longest-waiting of them waits. It is taken from :func:`queue_board`,
so its figures are the staff board's, and keeps nothing else: no badges, no suspension
reasons, no statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from projections.queue_board.stats import QueueStats
from projections.runtime.db import tenant_connection
from services.shared.working_days import local_date

__all__ = [
    "CalledTicket",
    "PublicBoard",
    "PublicBoardQueue",
    "PublicBoardWindow",
    "PublicCall",
    "QueueBoard",
    "QueueBoardQueue",
    "QueueBoardWindow",
    "public_board",
    "queue_board",
]


@dataclass(frozen=True)
class QueueBoardQueue:
    """A queue on the board, with its statistics of the board's day."""

    code: str
    name: str
    prefix: str
    reset_at: datetime | None
    """When the day was closed (``QueueReset``), if it was."""
    stats: QueueStats


@dataclass(frozen=True)
class CalledTicket:
    """The number a window called last on the board's day, and where that ticket is now; or
    the ticket of an earlier day it still serves (a service running past midnight)."""

    queue_code: str
    number: int
    display_number: str
    status: str
    called_at: datetime
    recalls: int


@dataclass(frozen=True)
class QueueBoardWindow:
    """A window on the board."""

    code: str
    name: str
    window_type: str
    status: str
    suspension_reason: str
    queue_codes: tuple[str, ...]
    staff_on_duty: tuple[str, ...]
    """Badges (工号) of the staff signed in at the window."""
    called: CalledTicket | None


@dataclass(frozen=True)
class QueueBoard:
    """One hall's board for one service day."""

    hall_id: str
    service_day: date
    """The day asked for, else the hall's current date in China."""
    waiting_target_minutes: int
    """The waiting-time target of ``service_day`` (the hall's when the day started; its
    current one for a day not started), which ``within_target`` and ``over_target`` are
    measured against."""
    totals: QueueStats
    queues: tuple[QueueBoardQueue, ...]
    windows: tuple[QueueBoardWindow, ...]


@dataclass(frozen=True)
class PublicCall:
    """The number a window called last today (or still serves from before midnight), as the
    hall announces it."""

    queue_code: str
    display_number: str
    called_at: datetime


@dataclass(frozen=True)
class PublicBoardWindow:
    """A window on the public board."""

    code: str
    name: str
    status: str
    called: PublicCall | None


@dataclass(frozen=True)
class PublicBoardQueue:
    """A queue on the public board: its line now."""

    code: str
    name: str
    prefix: str
    waiting: int
    oldest_waiting_since: datetime | None
    """Since when the longest-waiting ticket still waiting waits (the board's
    ``oldest_waiting_since``)."""


@dataclass(frozen=True)
class PublicBoard:
    """What the screens of a hall's waiting area show: today's line, nothing personal."""

    hall_id: str
    service_day: date
    queues: tuple[PublicBoardQueue, ...]
    windows: tuple[PublicBoardWindow, ...]


_HALL = """
SELECT COALESCE(d.waiting_target_minutes, h.waiting_target_minutes)
FROM queue_board_halls h
LEFT JOIN queue_board_day_targets d ON d.tenant_id = h.tenant_id AND d.service_day = %(day)s
WHERE h.tenant_id = %(t)s
"""
"""The target of the board's day (``None``: the hall is not on the board)."""
_QUEUES = """
SELECT q.code, q.name, q.prefix, d.reset_at
FROM queue_board_queues q
LEFT JOIN queue_board_days d
  ON d.tenant_id = q.tenant_id AND d.queue_code = q.code AND d.service_day = %(day)s
WHERE q.tenant_id = %(t)s
ORDER BY q.code
"""
_WAIT = "EXTRACT(EPOCH FROM first_called_at - wait_started_at)::numeric"
_SERVICE = "EXTRACT(EPOCH FROM ended_at - started_at)::numeric"
_TARGET = "make_interval(mins => %(target)s)"
_MEASURED = "first_called_at IS NOT NULL"
"""Tickets whose waiting time counts: called. A ticket transferred on after its call keeps
its wait (the one that goes on waits again from the transfer); one transferred on uncalled
is measured on the ticket that goes on, from its wait start."""
_UNCALLED_OVER = f"""first_called_at IS NULL AND status IN ('WAITING', 'REMOVED')
             AND COALESCE(ended_at, %(now)s) - wait_started_at > {_TARGET}"""
"""Never called, and waited longer than the target: until removed (cancelled, by staff, by
the reset), or until now for a ticket still waiting."""
_STATS = f"""
SELECT queue_code,
       count(*) AS issued,
       count(*) FILTER (WHERE channel = 'TRANSFER') AS transferred_in,
       count(*) FILTER (WHERE status = 'WAITING') AS waiting,
       count(*) FILTER (WHERE status IN ('CALLED', 'SERVING')) AS at_windows,
       count(*) FILTER (WHERE status = 'ENDED') AS served,
       COALESCE(sum(misses), 0) AS no_show,
       count(*) FILTER (WHERE misses > 0) AS no_show_tickets,
       count(*) FILTER (WHERE status = 'NO_SHOW') AS ended_no_show,
       count(*) FILTER (WHERE status = 'REMOVED') AS removed,
       count(*) FILTER (WHERE status = 'TRANSFERRED') AS transferred_out,
       count(first_called_at) AS called,
       count(*) FILTER (WHERE {_MEASURED}) AS waits_measured,
       COALESCE(sum({_WAIT}) FILTER (WHERE {_MEASURED}), 0) AS waiting_seconds_total,
       max({_WAIT}) FILTER (WHERE {_MEASURED}) AS max_waiting_seconds,
       COALESCE(sum({_SERVICE}) FILTER (WHERE status = 'ENDED'), 0) AS service_seconds_total,
       max({_SERVICE}) FILTER (WHERE status = 'ENDED') AS max_service_seconds,
       count(*) FILTER (
           WHERE status = 'ENDED' AND first_called_at - wait_started_at <= {_TARGET}
       ) AS served_within_target,
       count(*) FILTER (
           WHERE {_MEASURED} AND first_called_at - wait_started_at <= {_TARGET}
       ) AS within_target,
       count(*) FILTER (
           WHERE ({_MEASURED} AND first_called_at - wait_started_at > {_TARGET})
              OR ({_UNCALLED_OVER})
       ) AS over_target,
       min(waiting_since) FILTER (WHERE status = 'WAITING') AS oldest_waiting_since
FROM queue_board_tickets
WHERE tenant_id = %(t)s AND service_day = %(day)s
GROUP BY queue_code
"""
_WINDOWS = """
SELECT w.code, w.name, w.window_type, w.status, w.suspension_reason, w.queue_codes,
       ARRAY(SELECT s.badge_number FROM queue_board_staff s
             WHERE s.tenant_id = w.tenant_id AND s.on_duty_window = w.code
             ORDER BY s.badge_number) AS staff_on_duty,
       t.queue_code, t.number, t.display_number, t.status AS ticket_status, w.called_at,
       t.recalls
FROM queue_board_windows w
LEFT JOIN queue_board_tickets t
  ON t.tenant_id = w.tenant_id AND t.day_id = w.called_day_id AND t.number = w.called_number
 AND (t.service_day = %(day)s OR (t.service_day < %(day)s AND t.status = 'SERVING'))
WHERE w.tenant_id = %(t)s
ORDER BY w.code
"""
"""Per window, its last call of the board's day; or the ticket of an earlier day it still
serves (a service started before midnight and not ended): the board shows what the window
does. A ticket only called then (the visitor never came) is not carried into the new day."""


def _window(row: dict[str, Any]) -> QueueBoardWindow:
    called = None
    if row["number"] is not None:
        called = CalledTicket(
            queue_code=row["queue_code"],
            number=row["number"],
            display_number=row["display_number"],
            status=row["ticket_status"],
            called_at=row["called_at"],
            recalls=row["recalls"],
        )
    return QueueBoardWindow(
        code=row["code"],
        name=row["name"],
        window_type=row["window_type"],
        status=row["status"],
        suspension_reason=row["suspension_reason"],
        queue_codes=tuple(row["queue_codes"]),
        staff_on_duty=tuple(row["staff_on_duty"]),
        called=called,
    )


def queue_board(
    pool: ConnectionPool,
    tenant_id: str,
    service_day: date | None = None,
    *,
    now: datetime,
) -> QueueBoard | None:
    """The board of ``tenant_id`` for ``service_day`` (default: the hall's current date in
    China at ``now``); ``None`` when the hall is not on the board (not registered, or not
    visible). ``now`` (aware) comes from the caller's clock."""
    day = service_day or local_date(now)
    with tenant_connection(pool, tenant_id) as conn:
        hall = conn.execute(_HALL, {"t": tenant_id, "day": day}).fetchone()
        if hall is None:
            return None
        target = int(hall[0])
        params = {"t": tenant_id, "day": day, "target": target, "now": now}
        queues = conn.execute(_QUEUES, params).fetchall()
        stats_cur = conn.cursor(row_factory=dict_row)
        by_queue = {
            row.pop("queue_code"): QueueStats(**row)
            for row in stats_cur.execute(_STATS, params).fetchall()
        }
        windows = conn.cursor(row_factory=dict_row).execute(_WINDOWS, params).fetchall()
    return QueueBoard(
        hall_id=tenant_id,
        service_day=day,
        waiting_target_minutes=target,
        totals=QueueStats.combine(by_queue.values()),
        queues=tuple(
            QueueBoardQueue(code, name, prefix, reset_at, by_queue.get(code, QueueStats()))
            for code, name, prefix, reset_at in queues
        ),
        windows=tuple(_window(row) for row in windows),
    )


def public_board(pool: ConnectionPool, tenant_id: str, *, now: datetime) -> PublicBoard | None:
    """The public part of ``tenant_id``'s board of its current date in China at ``now``
    (``None`` when the hall is not on the board)."""
    board = queue_board(pool, tenant_id, now=now)
    if board is None:
        return None
    return PublicBoard(
        hall_id=board.hall_id,
        service_day=board.service_day,
        queues=tuple(
            PublicBoardQueue(
                code=q.code,
                name=q.name,
                prefix=q.prefix,
                waiting=q.stats.waiting,
                oldest_waiting_since=q.stats.oldest_waiting_since,
            )
            for q in board.queues
        ),
        windows=tuple(
            PublicBoardWindow(
                code=w.code,
                name=w.name,
                status=w.status,
                called=PublicCall(w.called.queue_code, w.called.display_number, w.called.called_at)
                if w.called
                else None,
            )
            for w in board.windows
        ),
    )
