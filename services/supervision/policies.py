"""Supervision's process policies, each saved in the same atomic commit as the command
that triggers it:

- an inspection finding that needs rectifying opens a rectification (整改);
- a window ranked last (末位) in the monthly window ranking two months running is called
  to an interview (约谈).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from services.halls.policies import HallPolicies
from services.rectifications.domain import Rectification
from services.rectifications.values import SYSTEM_ACTOR, RectificationSource
from services.shared.working_days import WorkingDayCalendar, local_date
from services.supervision.assessments import Assessment
from services.supervision.inspections import Inspection
from services.supervision.interviews import Interview
from services.supervision.series import RankedMonth
from services.supervision.values import MONTH, AssessmentScope

__all__ = [
    "RANKING_INTERVIEW_WORKING_DAYS",
    "adjacent_months",
    "bottom_of",
    "interviews_called_by",
    "ranked_month",
    "rectifications_opened_by",
]

RANKING_INTERVIEW_WORKING_DAYS = 5
"""An interview called by the ranking is scheduled this many working days after the
ranking that called it is published [I: no published limit found]."""


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


def adjacent_months(period: str) -> tuple[str, str] | None:
    """The month before and the month after a monthly period; ``None`` for other periods.

    >>> adjacent_months("2026-01"), adjacent_months("2026-12"), adjacent_months("2026-Q1")
    (('2025-12', '2026-02'), ('2026-11', '2027-01'), None)
    """
    if not MONTH.match(period):
        return None
    year, month = int(period[:4]), int(period[5:])
    before = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    after = f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"
    return before, after


def bottom_of(assessment: Assessment) -> dict[str, int]:
    """末位: the subjects of a published ranking at its last place, with that rank.

    Ties share a place, so every subject tied at the last place is at the bottom; a ranking
    whose subjects all share the first place (one subject, or all tied) has no bottom.
    """
    if not assessment.published or not assessment.ranking:
        return {}
    last = max(int(r["rank"]) for r in assessment.ranking)
    if last == 1:
        return {}
    return {str(r["subject"]): last for r in assessment.ranking if r["rank"] == last}


def ranked_month(assessment: Assessment) -> RankedMonth | None:
    """The published monthly window ranking ``assessment`` as the series records it;
    ``None`` for any other (unpublished, not monthly, not of windows)."""
    if (
        assessment.scope is not AssessmentScope.WINDOW
        or not MONTH.match(assessment.period)
        or not assessment.published
    ):
        return None
    bottom = bottom_of(assessment)
    return RankedMonth(
        period=assessment.period,
        bottom=tuple(sorted(bottom)),
        last_rank=max(bottom.values(), default=0),
        windows=len(assessment.ranking),
    )


def interviews_called_by(
    ranked: Assessment,
    published: Iterable[RankedMonth],
    *,
    now: datetime,
    calendar: WorkingDayCalendar,
) -> list[Interview]:
    """约谈: the interviews the monthly window ranking ``ranked`` (just published) calls.

    A window at the bottom (:func:`bottom_of`) of ``ranked`` and of the published ranking
    of the month before or after it (among ``published``, the hall's published monthly
    window rankings; they may be published out of order) ranked last two months running:
    it is called to an interview, scheduled :data:`RANKING_INTERVIEW_WORKING_DAYS` working
    days after ``now``, once per window and second month
    (:meth:`Interview.ranking_interview_id`; the caller leaves out those already recorded).
    Only monthly ``WINDOW`` rankings call interviews.
    """
    months = adjacent_months(ranked.period)
    this = ranked_month(ranked)
    if this is None or months is None:
        return []
    neighbours = {m.period: m for m in published if m.period in months}
    scheduled_on = calendar.add_working_days(local_date(now), RANKING_INTERVIEW_WORKING_DAYS)
    called: list[Interview] = []
    for first, second in ((neighbours.get(months[0]), this), (this, neighbours.get(months[1]))):
        if first is None or second is None:
            continue
        for window in sorted(set(first.bottom) & set(second.bottom)):
            reason = (
                f"连续两个月排名末位：{first.period} 第{first.last_rank}名"
                f"（共{first.windows}个窗口），{second.period} 第{second.last_rank}名"
                f"（共{second.windows}个窗口）"
            )
            called.append(
                Interview.called_for_ranking(
                    hall_id=ranked.hall_id,
                    window_code=window,
                    period=second.period,
                    reason=reason,
                    source_id=str(
                        Assessment.create_id(ranked.hall_id, ranked.scope.value, second.period)
                    ),
                    scheduled_on=scheduled_on,
                    actor=SYSTEM_ACTOR,
                    now=now,
                )
            )
    return called
