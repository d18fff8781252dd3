"""Deadline source of the complaints: the reply's due date, found in the ``deadlines`` read
model, recorded by :class:`ComplaintService`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg

from projections.platform import COMPLAINTS, due_deadlines
from services.complaints import ComplaintService
from services.rectifications.values import SYSTEM_ACTOR
from services.scheduler.registry import DeadlineSource, DueRecord, HallApps
from services.shared.errors import ConflictError
from services.shared.working_days import local_date

__all__ = ["COMPLAINT_DEADLINES"]


def _find_due(conn: psycopg.Connection[Any], now: datetime) -> Iterable[DueRecord]:
    """Complaints whose reply is due before today (in China) and not given yet."""
    return [
        DueRecord(d.tenant_id, d.record_id, d.due_on, d.deadline)
        for d in due_deadlines(conn, COMPLAINTS, local_date(now))
    ]


def _mark_overdue(hall_apps: HallApps, record: DueRecord, now: datetime) -> bool:
    """超期: the complaint decides whether its due date passed before the reply."""
    app = hall_apps(ComplaintService, record.hall_id)
    complaint = app.get_complaint(record.record_id)
    if not complaint.mark_overdue(now=now, actor=SYSTEM_ACTOR):
        return False
    conflict = ConflictError(f"complaint {record.record_id} changed concurrently")
    app.save_or_conflict(complaint, conflict=conflict)
    return True


COMPLAINT_DEADLINES = DeadlineSource(
    name=COMPLAINTS, find_due=_find_due, mark_overdue=_mark_overdue
)
"""Complaint reply due dates: ``ComplaintOverdue`` once per missed due date."""
