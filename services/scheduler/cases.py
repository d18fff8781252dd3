"""Deadline source of the 帮办代办 cases: the due date (限时办结), found in the ``deadlines``
read model (closed while the case clock is stopped), recorded by :class:`CaseService`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg

from projections.platform import CASES, due_deadlines
from services.cases import CaseService
from services.rectifications.values import SYSTEM_ACTOR
from services.scheduler.registry import DeadlineSource, DueRecord, HallApps
from services.shared.errors import ConflictError
from services.shared.working_days import local_date

__all__ = ["CASE_DEADLINES"]


def _find_due(conn: psycopg.Connection[Any], now: datetime) -> Iterable[DueRecord]:
    """Open cases (clock running) whose due date is before today (in China)."""
    return [
        DueRecord(d.tenant_id, d.record_id, d.due_on, d.deadline)
        for d in due_deadlines(conn, CASES, local_date(now))
    ]


def _mark_overdue(hall_apps: HallApps, record: DueRecord, now: datetime) -> bool:
    """超期: the case decides whether its due date passed while open, its clock running."""
    app = hall_apps(CaseService, record.hall_id)
    case = app.get_case(record.record_id)
    if not case.mark_overdue(now=now, actor=SYSTEM_ACTOR):
        return False
    conflict = ConflictError(f"case {record.record_id} changed concurrently")
    app.save_or_conflict(case, conflict=conflict)
    return True


CASE_DEADLINES = DeadlineSource(name=CASES, find_due=_find_due, mark_overdue=_mark_overdue)
"""Case due dates (限时办结): ``CaseOverdue`` once per missed due date."""
