"""The evaluations' process policy: every bad rating opens a rectification (差评必整改).

The policy reads the evaluation's pending (not yet saved) events, so the rectification is
saved in the same atomic commit as the bad rating: no bad rating is ever stored without
its rectification.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from services.evaluations.domain import Evaluation
from services.evaluations.values import RatingLevel
from services.halls.policies import HallPolicies
from services.rectifications.domain import Rectification
from services.rectifications.values import SYSTEM_ACTOR, RectificationSource
from services.shared.working_days import WorkingDayCalendar

__all__ = ["rectification_id_for", "rectifications_opened_by"]

_SUMMARY = {
    RatingLevel.DISSATISFIED: "差评：不满意",
    RatingLevel.VERY_DISSATISFIED: "差评：非常不满意",
}


def rectification_id_for(evaluation: Evaluation) -> UUID:
    """The id of the rectification a bad rating of ``evaluation`` opens."""
    return Rectification.create_id(
        evaluation.hall_id, RectificationSource.BAD_RATING.value, str(evaluation.id)
    )


def rectifications_opened_by(
    evaluation: Evaluation,
    *,
    now: datetime,
    calendar: Callable[[], WorkingDayCalendar],
    policies: HallPolicies,
) -> list[Rectification]:
    """One rectification for a pending bad rating (不满意 / 非常不满意), none otherwise.

    ``calendar`` is asked only when one opens: most ratings open none, and the recorded
    calendar costs a read of the platform log's head."""
    opened = []
    for pending in evaluation.pending_events:
        if not isinstance(pending, Evaluation.RatingSubmitted):
            continue
        level = RatingLevel(pending.level)
        if not level.is_bad:
            continue
        opened.append(
            Rectification.open(
                hall_id=evaluation.hall_id,
                source=RectificationSource.BAD_RATING.value,
                source_id=str(evaluation.id),
                applicant_id=pending.applicant_id,
                window_code=evaluation.window_code,
                staff_badge=evaluation.staff_badge,
                summary=_SUMMARY[level],
                now=now,
                calendar=calendar(),
                policies=policies,
                actor=SYSTEM_ACTOR,
            )
        )
    return opened
