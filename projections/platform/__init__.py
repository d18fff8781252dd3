"""The platform overview for operators: halls, activity, projection lag, deadlines.

Two projections: ``platform`` (events per hall and context, per hall and day) and
``deadlines`` (open, met and missed deadlines of the halls' records, read by the deadline
scheduler). The queries are in :mod:`projections.platform.view`.
"""

from projections.platform.activity import PlatformProjection
from projections.platform.deadlines import (
    CASES,
    COMPLAINTS,
    COMPLETION,
    RECTIFICATIONS,
    REPLY,
    DeadlinesProjection,
)
from projections.platform.view import (
    ContextActivity,
    DailyActivity,
    DeadlineCounts,
    DueDeadline,
    HallOverview,
    ProjectionLag,
    daily_activity,
    deadline_counts,
    due_deadlines,
    hall_activity,
    hall_overview,
    hall_overviews,
    projection_lag,
)

__all__ = [
    "CASES",
    "COMPLAINTS",
    "COMPLETION",
    "RECTIFICATIONS",
    "REPLY",
    "ContextActivity",
    "DailyActivity",
    "DeadlineCounts",
    "DeadlinesProjection",
    "DueDeadline",
    "HallOverview",
    "PlatformProjection",
    "ProjectionLag",
    "daily_activity",
    "deadline_counts",
    "due_deadlines",
    "hall_activity",
    "hall_overview",
    "hall_overviews",
    "projection_lag",
]
