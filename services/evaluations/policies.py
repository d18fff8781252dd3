"""The evaluations' process policies: every bad rating opens a rectification (差评必整改),
and a bad rating excluded on appeal (甄别剔除) withdraws it (撤销) unless its work is done.

The policies read the evaluation's pending (not yet saved) events, so the rectification is
saved in the same atomic commit as the bad rating or the exclusion: no bad rating is ever
stored without its rectification, and no excluded one with a rectification still owed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from services.evaluations.domain import Evaluation
from services.evaluations.values import RatingLevel
from services.halls.policies import HallPolicies
from services.rectifications.domain import Rectification
from services.rectifications.values import (
    SYSTEM_ACTOR,
    RectificationSource,
    WithdrawalReason,
)
from services.shared.working_days import WorkingDayCalendar

__all__ = [
    "bad_rating_rectification_id",
    "rectification_id_for",
    "rectifications_opened_by",
    "rectifications_withdrawn_by",
]

_SUMMARY = {
    RatingLevel.DISSATISFIED: "差评：不满意",
    RatingLevel.VERY_DISSATISFIED: "差评：非常不满意",
}


def rectification_id_for(evaluation: Evaluation) -> UUID:
    """The id of the rectification a bad rating of ``evaluation`` opens."""
    return bad_rating_rectification_id(evaluation.hall_id, evaluation.id)


def bad_rating_rectification_id(hall_id: str, evaluation_id: UUID) -> UUID:
    """The id of the rectification a bad rating of the evaluation ``evaluation_id`` opens."""
    return Rectification.create_id(
        hall_id, RectificationSource.BAD_RATING.value, str(evaluation_id)
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


def rectifications_withdrawn_by(
    evaluation: Evaluation,
    *,
    now: datetime,
    rectification: Callable[[UUID], Rectification | None],
) -> list[Rectification]:
    """The rectification a pending exclusion (甄别剔除) of a bad rating withdraws (撤销),
    with the exclusion's note; none otherwise.

    Only the rectification the rating opened (source ``BAD_RATING``, its id derived from the
    evaluation's) is concerned, and only while its work is not done (open, verified, on the
    ledger): a completed, fed back or closed one stays as it is (the work was done). A good
    rating opened none. ``rectification`` loads one by id (``None`` when there is none)."""
    withdrawn = []
    for pending in evaluation.pending_events:
        if not isinstance(pending, Evaluation.RatingExcluded):
            continue
        if evaluation.level is None or not evaluation.level.is_bad:
            continue
        found = rectification(rectification_id_for(evaluation))
        if found is None or not found.withdrawable:
            continue
        found.withdraw(
            WithdrawalReason.RATING_EXCLUDED.value, pending.note, now=now, actor=SYSTEM_ACTOR
        )
        withdrawn.append(found)
    return withdrawn
