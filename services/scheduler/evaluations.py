"""Deadline source of the evaluations (好差评): an invitation still unrated when its rating
period is over counts as 基本满意 (系统默认评价), found in the ``evaluation_ratings`` read
model, recorded as ``RatingDefaulted`` by :class:`EvaluationService`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg

from projections.evaluations import due_default_ratings
from services.evaluations import (
    EvaluationService,
    RatingAlreadySubmittedError,
    RatingNotDueError,
)
from services.rectifications.values import SYSTEM_ACTOR
from services.scheduler.registry import DeadlineSource, DueRecord, HallApps
from services.shared.working_days import local_date

__all__ = ["EVALUATIONS", "EVALUATION_DEADLINES"]

EVALUATIONS = "evaluations"
"""The source's name."""


def _find_due(conn: psycopg.Connection[Any], now: datetime) -> Iterable[DueRecord]:
    """Invitations still unrated whose default day (the day after the period's last) is
    today (in China) or earlier."""
    return [
        DueRecord(d.tenant_id, d.evaluation_id, d.default_on)
        for d in due_default_ratings(conn, local_date(now))
    ]


def _mark_overdue(hall_apps: HallApps, record: DueRecord, now: datetime) -> bool:
    """系统默认评价 at the scheduler's ``now``: the evaluation decides whether it is still
    unrated and its period over; rated or defaulted already, nothing is recorded."""
    app = hall_apps(EvaluationService, record.hall_id)
    try:
        app.apply_default_rating(record.record_id, SYSTEM_ACTOR, now=now)
    except (RatingAlreadySubmittedError, RatingNotDueError):
        return False
    return True


EVALUATION_DEADLINES = DeadlineSource(
    name=EVALUATIONS, find_due=_find_due, mark_overdue=_mark_overdue
)
"""Unrated invitations: ``RatingDefaulted`` (基本满意, by ``system``) once each, from the
first day after the hall's rating period (``unrated_default_days``, 7 natural days)."""
