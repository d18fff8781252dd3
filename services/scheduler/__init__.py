"""The deadline scheduler: finds records past their deadline in the read models and records
``…Overdue`` events (for evaluations: the default rating, ``RatingDefaulted``) through the
owning applications (``yanshen schedule``).

A context registers its deadlines as a :class:`DeadlineSource` in :func:`default_sources`.
"""

from __future__ import annotations

from services.scheduler.cases import CASE_DEADLINES
from services.scheduler.complaints import COMPLAINT_DEADLINES
from services.scheduler.evaluations import EVALUATION_DEADLINES
from services.scheduler.rectifications import RECTIFICATION_DEADLINES
from services.scheduler.registry import DeadlineRegistry, DeadlineSource, DueRecord, HallApps
from services.scheduler.scheduler import DeadlineScheduler, ScheduleReport

__all__ = [
    "CASE_DEADLINES",
    "COMPLAINT_DEADLINES",
    "EVALUATION_DEADLINES",
    "RECTIFICATION_DEADLINES",
    "DeadlineRegistry",
    "DeadlineScheduler",
    "DeadlineSource",
    "DueRecord",
    "HallApps",
    "ScheduleReport",
    "default_sources",
]


def default_sources() -> DeadlineRegistry:
    """Every context's deadline sources (add yours here)."""
    return DeadlineRegistry(
        [RECTIFICATION_DEADLINES, CASE_DEADLINES, COMPLAINT_DEADLINES, EVALUATION_DEADLINES]
    )
