"""SupervisionService: supervisors inspect (明察暗访), record conduct violations, assess and
rank (考核排名), interview (约谈) and follow improvement actions (改进措施)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from services.catalog.domain import ServiceItem
from services.halls.application import require_registered_hall
from services.places.domain import Window
from services.shared.application import HallApplication
from services.shared.errors import ConflictError, ValidationError
from services.shared.ids import canonical_badge
from services.shared.working_days import local_date
from services.staff.directory import find_staff
from services.staff.domain import StaffMember
from services.supervision.assessments import Assessment
from services.supervision.conduct import ConductViolation
from services.supervision.errors import (
    AssessmentExistsError,
    RankingSeriesChangedError,
    SupervisionNotFoundError,
    SupervisionSubjectNotFoundError,
)
from services.supervision.improvements import ImprovementAction
from services.supervision.inspections import Inspection
from services.supervision.interviews import Interview
from services.supervision.policies import (
    adjacent_months,
    interviews_called_by,
    ranked_month,
    rectifications_opened_by,
)
from services.supervision.series import RankedMonth, WindowRankingSeries
from services.supervision.values import AssessmentScope, IntervieweeKind

__all__ = ["FindingDetails", "InterviewDetails", "SupervisionService", "ViolationDetails"]

T = TypeVar("T", bound=Aggregate)

SUBJECTS: dict[str, tuple[type[Aggregate], Callable[[str, str], UUID], str]] = {
    "STAFF": (StaffMember, StaffMember.create_id, "staff member with badge"),
    "WINDOW": (Window, Window.create_id, "window"),
    "ITEM": (ServiceItem, ServiceItem.create_id, "item"),
}
"""What supervision points at, by kind (an interviewee kind or an assessment scope): the
record of the hall it must name. Departments are not records of the hall: not checked."""


@dataclass(frozen=True)
class FindingDetails:
    """An inspection finding (the command's input); ``category`` is a
    :class:`~services.supervision.values.FindingCategory` value."""

    category: str
    description: str
    window_code: str = ""
    staff_badge: str = ""
    rectification_required: bool = True


@dataclass(frozen=True)
class ViolationDetails:
    """A conduct violation (the command's input); ``category`` is a
    :class:`~services.supervision.values.ViolationCategory` value."""

    staff_badge: str
    category: str
    description: str
    occurred_on: date
    points: int = 0
    inspection_id: UUID | None = None


@dataclass(frozen=True)
class InterviewDetails:
    """Who is interviewed (约谈), why and when."""

    interviewee_kind: str
    interviewee: str
    reason: str
    scheduled_on: date
    source_id: str = ""


class SupervisionService(HallApplication):
    """Application service for one hall's supervision (supervisors)."""

    conflict_attempts = 4
    """How many times a publication racing another month's is tried before it conflicts."""

    def _get(self, cls: type[T], record_id: UUID, what: str) -> T:
        record = self.get_or_none(record_id)
        if not isinstance(record, cls):
            raise SupervisionNotFoundError(f"no {what} {record_id} in this hall")
        return record

    def _save(self, record: T, *others: Aggregate) -> T:
        conflict = ConflictError(f"{type(record).__name__} {record.id} changed concurrently")
        self.save_or_conflict(record, *others, conflict=conflict)
        return record

    def _require_subject(self, kind: str, code: str) -> None:
        """The staff member (badge number), window or catalog item ``code`` was onboarded,
        configured or published in this hall (offboarded, closed or withdrawn since is
        fine: supervision looks back), else :class:`SupervisionSubjectNotFoundError`."""
        if kind not in SUBJECTS:
            return
        cls, create_id, what = SUBJECTS[kind]
        if kind == AssessmentScope.STAFF:  # a badge names its member whatever its case
            found = find_staff(self, code)
        else:
            found = self.get_or_none(create_id(self.hall_id, code))
        if not isinstance(found, cls):
            raise SupervisionSubjectNotFoundError(f"no {what} {code!r} in this hall")

    @staticmethod
    def _not_in_future(day: date, what: str, now: datetime) -> None:
        if day > local_date(now):
            raise ValidationError(f"{what} is in the future")

    # -- 明察暗访 -----------------------------------------------------------------------------

    def get_inspection(self, inspection_id: UUID) -> Inspection:
        return self._get(Inspection, inspection_id, "inspection")

    def record_inspection(
        self,
        kind: str,
        inspected_on: date,
        window_codes: list[str],
        inspectors: list[str],
        actor: str,
    ) -> Inspection:
        """Record an announced (明察) or unannounced (暗访) inspection."""
        require_registered_hall(self)
        now = self.clock()
        self._not_in_future(inspected_on, "the inspection date", now)
        inspection = Inspection(
            hall_id=self.hall_id,
            kind=kind,
            inspected_on=inspected_on.isoformat(),
            window_codes=list(window_codes),
            inspectors=list(inspectors),
            actor=actor,
            timestamp=now,
        )
        for code in inspection.window_codes:
            self._require_subject(AssessmentScope.WINDOW, code)
        return self._save(inspection)

    def record_inspection_finding(
        self, inspection_id: UUID, finding: FindingDetails, actor: str
    ) -> Inspection:
        """Record a finding; one that needs rectifying opens its rectification in the same save."""
        policies = require_registered_hall(self).policies
        inspection = self.get_inspection(inspection_id)
        now = self.clock()
        inspection.record_finding(
            finding.category,
            finding.description,
            finding.window_code,
            finding.staff_badge,
            finding.rectification_required,
            now=now,
            actor=actor,
        )
        if finding.window_code:
            self._require_subject(AssessmentScope.WINDOW, finding.window_code)
        if finding.staff_badge:
            self._require_subject(AssessmentScope.STAFF, finding.staff_badge)
        opened = rectifications_opened_by(
            inspection, now=now, calendar=self.calendar, policies=policies
        )
        return self._save(inspection, *opened)

    def close_inspection(self, inspection_id: UUID, summary: str, actor: str) -> Inspection:
        inspection = self.get_inspection(inspection_id)
        inspection.close(summary, now=self.clock(), actor=actor)
        return self._save(inspection)

    # -- 违规记录 -----------------------------------------------------------------------------

    def get_conduct_violation(self, violation_id: UUID) -> ConductViolation:
        return self._get(ConductViolation, violation_id, "conduct violation")

    def record_conduct_violation(self, details: ViolationDetails, actor: str) -> ConductViolation:
        """Record a staff member's conduct violation (optionally found by an inspection)."""
        require_registered_hall(self)
        now = self.clock()
        self._not_in_future(details.occurred_on, "the date of the violation", now)
        if details.inspection_id is not None:
            self.get_inspection(details.inspection_id)
        violation = ConductViolation(
            hall_id=self.hall_id,
            staff_badge=canonical_badge(details.staff_badge),
            category=details.category,
            description=details.description,
            occurred_on=details.occurred_on.isoformat(),
            inspection_id=str(details.inspection_id or ""),
            points=details.points,
            actor=actor,
            timestamp=now,
        )
        self._require_subject(AssessmentScope.STAFF, violation.staff_badge)
        return self._save(violation)

    def dismiss_conduct_violation(
        self, violation_id: UUID, reason: str, actor: str
    ) -> ConductViolation:
        violation = self.get_conduct_violation(violation_id)
        violation.dismiss(reason, now=self.clock(), actor=actor)
        return self._save(violation)

    # -- 考核排名 -----------------------------------------------------------------------------

    def get_assessment(self, assessment_id: UUID) -> Assessment:
        return self._get(Assessment, assessment_id, "assessment")

    def assessment_id(self, scope: str, period: str) -> UUID:
        return Assessment.create_id(self.hall_id, scope, period)

    def open_assessment(self, period: str, scope: str, criteria: str, actor: str) -> Assessment:
        """Start the assessment of a scope (windows, staff, items) for a period, once."""
        require_registered_hall(self)
        exists = AssessmentExistsError(f"the {scope} assessment of {period} already exists")
        if self.get_or_none(self.assessment_id(scope, period)) is not None:
            raise exists
        assessment = Assessment(
            hall_id=self.hall_id,
            period=period,
            scope=scope,
            criteria=criteria,
            actor=actor,
            timestamp=self.clock(),
        )
        self.save_or_conflict(assessment, conflict=exists)
        return assessment

    def record_assessment_score(
        self, assessment_id: UUID, subject: str, score: float, note: str, actor: str
    ) -> Assessment:
        """Score a window, staff member or item of the hall (per the assessment's scope)."""
        assessment = self.get_assessment(assessment_id)
        assessment.record_score(subject, score, note, now=self.clock(), actor=actor)
        self._require_subject(assessment.scope, subject)
        return self._save(assessment)

    def publish_ranking(self, assessment_id: UUID, actor: str) -> Assessment:
        """Rank the scored subjects; the ranking is recorded in the event.

        A monthly window ranking also calls to an interview (约谈) every window ranked last
        in it and in the published ranking of the month before or after
        (:func:`~services.supervision.policies.interviews_called_by`), and records its month
        in the hall's :class:`WindowRankingSeries`, all in one save: two neighbouring months
        published at once conflict there, and the loser is tried again (up to
        :attr:`conflict_attempts` times), then sees the other month.
        """
        for _ in range(self.conflict_attempts - 1):
            try:
                return self._publish_ranking(assessment_id, actor)
            except RankingSeriesChangedError:
                continue
        return self._publish_ranking(assessment_id, actor)

    def _publish_ranking(self, assessment_id: UUID, actor: str) -> Assessment:
        assessment = self.get_assessment(assessment_id)
        now = self.clock()
        assessment.publish_ranking(now=now, actor=actor)
        month = ranked_month(assessment)
        if month is None:
            return self._save(assessment)
        series = self._window_ranking_series(now, actor)
        neighbours = [
            recorded
            for period in adjacent_months(month.period) or ()
            if (recorded := self._ranked_month(series, period)) is not None
        ]
        series.record_month(
            month.period, list(month.bottom), month.last_rank, month.windows, now=now, actor=actor
        )
        called = [
            interview
            for interview in interviews_called_by(
                assessment, neighbours, now=now, calendar=self.calendar
            )
            if self.get_or_none(interview.id) is None
        ]
        conflict = RankingSeriesChangedError(
            f"the window rankings of {self.hall_id} changed concurrently; try again"
        )
        self.save_or_conflict(assessment, *called, series, conflict=conflict)
        return assessment

    def _window_ranking_series(self, now: datetime, actor: str) -> WindowRankingSeries:
        """The hall's series, started (unsaved) by its first monthly window ranking."""
        series = self.get_or_none(WindowRankingSeries.create_id(self.hall_id))
        if isinstance(series, WindowRankingSeries):
            return series
        return WindowRankingSeries(hall_id=self.hall_id, actor=actor, timestamp=now)

    def _ranked_month(self, series: WindowRankingSeries, period: str) -> RankedMonth | None:
        """A published month of the series; one published before the series existed (not
        in it) is read from its assessment."""
        if period in series.months:
            return series.months[period]
        legacy = self.get_or_none(self.assessment_id(AssessmentScope.WINDOW, period))
        return ranked_month(legacy) if isinstance(legacy, Assessment) else None

    def ranking_interviews(self, assessment_id: UUID) -> list[Interview]:
        """The interviews the monthly window ranking ``assessment_id`` called for its month
        (ranked last that month and the month before), whichever publication recorded them."""
        assessment = self.get_assessment(assessment_id)
        if assessment.scope is not AssessmentScope.WINDOW:
            return []
        ids = [
            Interview.ranking_interview_id(self.hall_id, str(r["subject"]), assessment.period)
            for r in assessment.ranking
        ]
        return [i for i in map(self.get_or_none, ids) if isinstance(i, Interview)]

    # -- 约谈 -------------------------------------------------------------------------------

    def get_interview(self, interview_id: UUID) -> Interview:
        return self._get(Interview, interview_id, "interview")

    def schedule_interview(self, details: InterviewDetails, actor: str) -> Interview:
        require_registered_hall(self)
        now = self.clock()
        if details.scheduled_on < local_date(now):
            raise ValidationError("an interview cannot be scheduled in the past")
        interview = Interview(
            hall_id=self.hall_id,
            interviewee_kind=details.interviewee_kind,
            interviewee=canonical_badge(details.interviewee)
            if details.interviewee_kind == IntervieweeKind.STAFF
            else details.interviewee,
            reason=details.reason,
            source_id=details.source_id,
            scheduled_on=details.scheduled_on.isoformat(),
            actor=actor,
            timestamp=now,
        )
        self._require_subject(interview.interviewee_kind, interview.interviewee)
        return self._save(interview)

    def hold_interview(
        self, interview_id: UUID, notes: str, commitments: list[str], actor: str
    ) -> Interview:
        interview = self.get_interview(interview_id)
        interview.hold(notes, list(commitments), now=self.clock(), actor=actor)
        return self._save(interview)

    def cancel_interview(self, interview_id: UUID, reason: str, actor: str) -> Interview:
        interview = self.get_interview(interview_id)
        interview.cancel(reason, now=self.clock(), actor=actor)
        return self._save(interview)

    # -- 改进措施 -----------------------------------------------------------------------------

    def get_improvement_action(self, action_id: UUID) -> ImprovementAction:
        return self._get(ImprovementAction, action_id, "improvement action")

    def open_improvement_action(
        self,
        title: str,
        source: str,
        source_id: str,
        owner: str,
        working_days: int,
        actor: str,
    ) -> ImprovementAction:
        """Open an improvement action, due ``working_days`` working days from today."""
        require_registered_hall(self)
        action = ImprovementAction.open(
            hall_id=self.hall_id,
            title=title,
            source=source,
            source_id=source_id,
            owner=owner,
            working_days=working_days,
            now=self.clock(),
            calendar=self.calendar,
            actor=actor,
        )
        return self._save(action)

    def complete_improvement_action(
        self, action_id: UUID, result: str, actor: str
    ) -> ImprovementAction:
        action = self.get_improvement_action(action_id)
        action.complete(result, now=self.clock(), actor=actor)
        return self._save(action)
