"""Staff worklists (工作台): each staff member's open cases and complaints, tickets in
service and pending follow-ups (of cases, complaints and rectifications) — projection and
queries."""

from projections.worklist.projection import WorklistProjection
from projections.worklist.view import (
    RectificationStep,
    WorkKind,
    WorklistCounts,
    WorklistItem,
    WorklistKey,
    worklist,
    worklist_counts,
    worklist_position,
)

__all__ = [
    "RectificationStep",
    "WorkKind",
    "WorklistCounts",
    "WorklistItem",
    "WorklistKey",
    "WorklistProjection",
    "worklist",
    "worklist_counts",
    "worklist_position",
]
