"""The complaints' process policy: a substantiated complaint opens a rectification (整改).

The policy reads the complaint's pending (not yet saved) events, so the rectification is
saved in the same atomic commit as the finding that opened it.
"""

from __future__ import annotations

from datetime import datetime

from services.complaints.domain import Complaint
from services.complaints.values import Finding
from services.halls.policies import HallPolicies
from services.rectifications.domain import Rectification
from services.rectifications.values import SYSTEM_ACTOR, RectificationSource
from services.shared.working_days import WorkingDayCalendar

__all__ = ["rectifications_opened_by"]

_SUMMARY = {
    Finding.SUBSTANTIATED: "投诉属实",
    Finding.PARTLY_SUBSTANTIATED: "投诉部分属实",
}


def rectifications_opened_by(
    complaint: Complaint,
    *,
    now: datetime,
    calendar: WorkingDayCalendar,
    policies: HallPolicies,
) -> list[Rectification]:
    """One rectification per pending substantiated (or partly substantiated) finding.

    Its source id is the complaint id and handling round, so a reopened complaint that is
    substantiated again opens a new rectification, and a round never opens two.
    """
    opened = []
    for pending in complaint.pending_events:
        if not isinstance(pending, Complaint.Investigated):
            continue
        finding = Finding(pending.finding)
        if not finding.needs_rectification:
            continue
        opened.append(
            Rectification.open(
                hall_id=complaint.hall_id,
                source=RectificationSource.COMPLAINT.value,
                source_id=f"{complaint.id}#{pending.handling_round}",
                applicant_id=complaint.applicant_id,
                window_code=complaint.respondent_window,
                staff_badge=complaint.respondent_badge,
                summary=_SUMMARY[finding],
                now=now,
                calendar=calendar,
                policies=policies,
                actor=SYSTEM_ACTOR,
            )
        )
    return opened
