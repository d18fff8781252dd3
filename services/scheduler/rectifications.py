"""Deadline source of the rectifications (整改): the verification call and the ledger's due
date, found in the ``deadlines`` read model, recorded by :class:`RectificationService`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg

from projections.platform import RECTIFICATIONS, due_deadlines
from services.rectifications import RectificationService
from services.rectifications.values import SYSTEM_ACTOR
from services.scheduler.registry import DeadlineSource, DueRecord, HallApps
from services.shared.errors import ConflictError
from services.shared.working_days import local_date

__all__ = ["RECTIFICATION_DEADLINES"]


def _find_due(conn: psycopg.Connection[Any], now: datetime) -> Iterable[DueRecord]:
    """Rectifications whose current deadline is before today (in China)."""
    return [
        DueRecord(d.tenant_id, d.record_id, d.due_on, d.deadline)
        for d in due_deadlines(conn, RECTIFICATIONS, local_date(now))
    ]


def _mark_overdue(hall_apps: HallApps, record: DueRecord, now: datetime) -> bool:
    """超期: the aggregate decides whether a deadline of its current step was missed."""
    app = hall_apps(RectificationService, record.hall_id)
    rectification = app.get_rectification(record.record_id)
    if not rectification.mark_overdue(now=now, actor=SYSTEM_ACTOR):
        return False
    conflict = ConflictError(f"rectification {record.record_id} changed concurrently")
    app.save_or_conflict(rectification, conflict=conflict)
    return True


RECTIFICATION_DEADLINES = DeadlineSource(
    name=RECTIFICATIONS, find_due=_find_due, mark_overdue=_mark_overdue
)
"""Rectification deadlines: ``RectificationOverdue`` once per missed deadline."""
