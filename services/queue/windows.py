"""What a window holds on a service day, read the same way by every hall application.

A window calls one ticket at a time (:class:`~services.queue.domain.WindowDay`): the queue
service checks it before a call, the places service before closing the window. Both read the
window's day first, then the queue days: those of the window's current queues and those it
called from that day (it may serve other queues by now). A close also reads the days its
reservations came from (转窗口): it must leave no ticket waiting for the window either, nor
may a change of the window's queues (it reads the same days).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

from services.queue.domain import QueueDay, Ticket, WindowDay
from services.shared.application import HallApplication
from services.shared.working_days import local_date

__all__ = ["held_at_window", "left_at_window", "queue_days", "stranded_at_window", "window_day"]


def window_day(app: HallApplication, window_code: str, now: datetime, actor: str) -> WindowDay:
    """The window's record of the day of ``now``, or a new one (not saved yet)."""
    service_day = local_date(now).isoformat()
    calls = app.get_or_none(WindowDay.create_id(app.hall_id, window_code, service_day))
    if calls is None:
        return WindowDay(
            hall_id=app.hall_id,
            window_code=window_code,
            service_day=service_day,
            actor=actor,
            timestamp=now,
        )
    assert isinstance(calls, WindowDay)
    return calls


def queue_days(
    app: HallApplication, queue_codes: Iterable[str], service_day: date
) -> dict[str, QueueDay]:
    """The days of ``queue_codes`` on ``service_day`` that have tickets, by queue code."""
    days: dict[str, QueueDay] = {}
    for code in dict.fromkeys(queue_codes):
        day = app.get_or_none(QueueDay.create_id(app.hall_id, code, service_day.isoformat()))
        if day is not None:
            assert isinstance(day, QueueDay)
            days[code] = day
    return days


def held_at_window(
    app: HallApplication, calls: WindowDay, queue_codes: Iterable[str]
) -> tuple[dict[str, QueueDay], list[Ticket]]:
    """The queue days read (``queue_codes`` and those the window called from) and the
    tickets called to or in service at the window on ``calls``' day. Read ``calls`` first."""
    service_day = date.fromisoformat(calls.service_day)
    days = queue_days(app, [*queue_codes, *calls.queues], service_day)
    return days, calls.held(days.values())


def left_at_window(
    app: HallApplication, calls: WindowDay, queue_codes: Iterable[str]
) -> tuple[list[Ticket], list[Ticket]]:
    """What closing the window would leave there on ``calls``' day: the tickets called to or
    in service at it, and those waiting reserved for it (read from ``queue_codes`` and the
    days it called from or had tickets reserved from). Read ``calls`` first."""
    days = _every_day(app, calls, queue_codes)
    return calls.held(days), calls.reserved(days)


def stranded_at_window(
    app: HallApplication, calls: WindowDay, queue_codes: Iterable[str], serving: Collection[str]
) -> list[Ticket]:
    """The tickets reserved for the window on ``calls``' day that it would no longer call if
    it served only ``serving`` (:meth:`WindowDay.stranded`; read as for
    :func:`left_at_window`). Read ``calls`` first."""
    return calls.stranded(_every_day(app, calls, queue_codes), serving)


def _every_day(
    app: HallApplication, calls: WindowDay, queue_codes: Iterable[str]
) -> list[QueueDay]:
    """The days of ``queue_codes`` and of those the window called from or had tickets
    reserved from, on ``calls``' day."""
    service_day = date.fromisoformat(calls.service_day)
    codes = [*queue_codes, *calls.queues, *calls.reserved_from]
    return list(queue_days(app, codes, service_day).values())
