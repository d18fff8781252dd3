"""Supervision's process policy: an inspection finding that needs rectifying opens a
rectification (整改), saved in the same atomic commit as the finding."""

from __future__ import annotations

from datetime import datetime

from services.halls.policies import HallPolicies
from services.rectifications.domain import Rectification
from services.rectifications.values import SYSTEM_ACTOR, RectificationSource
from services.shared.working_days import WorkingDayCalendar
from services.supervision.inspections import Inspection

__all__ = ["rectifications_opened_by"]


def rectifications_opened_by(
    inspection: Inspection,
    *,
    now: datetime,
    calendar: WorkingDayCalendar,
    policies: HallPolicies,
) -> list[Rectification]:
    """One rectification per pending finding marked ``rectification_required``; its source
    id is ``<inspection id>#<finding number>``."""
    return [
        Rectification.open(
            hall_id=inspection.hall_id,
            source=RectificationSource.INSPECTION.value,
            source_id=f"{inspection.id}#{pending.finding_no}",
            applicant_id="",
            window_code=pending.window_code,
            staff_badge=pending.staff_badge,
            summary=pending.description,
            now=now,
            calendar=calendar,
            policies=policies,
            actor=SYSTEM_ACTOR,
        )
        for pending in inspection.pending_events
        if isinstance(pending, Inspection.FindingRecorded) and pending.rectification_required
    ]
