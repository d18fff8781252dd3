"""GraphQL mutations of the supervision context: supervisors run supervision; hall admins
(and supervisors) complete improvement actions."""

from __future__ import annotations

import strawberry

from gateway.auth import Role
from gateway.context import Info, run_sync
from gateway.security import allow
from gateway.supervision.types import (
    AssessmentScopeEnum,
    AssessmentType,
    ConductViolationInput,
    ConductViolationType,
    ImprovementActionInput,
    ImprovementActionType,
    InspectionFindingInput,
    InspectionType,
    InterviewType,
    RecordInspectionInput,
    ScheduleInterviewInput,
    parse_record_id,
)
from services.supervision import (
    FindingDetails,
    InterviewDetails,
    SupervisionService,
    ViolationDetails,
)

__all__ = ["SupervisionMutations"]


def _service(info: Info, *roles: Role) -> SupervisionService:
    hall_id = info.context.principal.require_hall(*roles)
    return info.context.platform.hall_app(SupervisionService, hall_id)


def _supervisor(info: Info) -> tuple[SupervisionService, str]:
    return _service(info, Role.SUPERVISOR), info.context.principal.subject


@strawberry.type
class SupervisionMutations:
    @allow(Role.SUPERVISOR)
    @strawberry.mutation(description="Record an inspection, 明察 or 暗访 (supervisors).")
    async def record_inspection(self, info: Info, input: RecordInspectionInput) -> InspectionType:
        app, actor = _supervisor(info)
        i = await run_sync(
            app.record_inspection,
            input.kind.value,
            input.inspected_on,
            list(input.window_codes),
            list(input.inspectors),
            actor,
        )
        return InspectionType.from_aggregate(i)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(
        description="Record a finding; one that needs rectifying opens a rectification (整改) "
        "in the same commit (supervisors)."
    )
    async def record_inspection_finding(
        self, info: Info, inspection_id: strawberry.ID, input: InspectionFindingInput
    ) -> InspectionType:
        app, actor = _supervisor(info)
        finding = FindingDetails(
            category=input.category.value,
            description=input.description,
            window_code=input.window_code,
            staff_badge=input.staff_badge,
            rectification_required=input.rectification_required,
        )
        i = await run_sync(
            app.record_inspection_finding,
            parse_record_id(inspection_id, "inspection"),
            finding,
            actor,
        )
        return InspectionType.from_aggregate(i)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(description="Close the inspection report (supervisors).")
    async def close_inspection(
        self, info: Info, inspection_id: strawberry.ID, summary: str
    ) -> InspectionType:
        app, actor = _supervisor(info)
        i = await run_sync(
            app.close_inspection, parse_record_id(inspection_id, "inspection"), summary, actor
        )
        return InspectionType.from_aggregate(i)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(description="Record a staff conduct violation (supervisors).")
    async def record_conduct_violation(
        self, info: Info, input: ConductViolationInput
    ) -> ConductViolationType:
        app, actor = _supervisor(info)
        details = ViolationDetails(
            staff_badge=input.staff_badge,
            category=input.category.value,
            description=input.description,
            occurred_on=input.occurred_on,
            points=input.points,
            inspection_id=parse_record_id(input.inspection_id, "inspection")
            if input.inspection_id
            else None,
        )
        x = await run_sync(app.record_conduct_violation, details, actor)
        return ConductViolationType.from_aggregate(x)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(description="Dismiss a mistaken violation record (supervisors).")
    async def dismiss_conduct_violation(
        self, info: Info, violation_id: strawberry.ID, reason: str
    ) -> ConductViolationType:
        app, actor = _supervisor(info)
        x = await run_sync(
            app.dismiss_conduct_violation,
            parse_record_id(violation_id, "conduct violation"),
            reason,
            actor,
        )
        return ConductViolationType.from_aggregate(x)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(
        description="Open the assessment (考核) of a scope for a period: 2026, 2026-H1, "
        "2026-Q2 or 2026-05; once per scope and period (supervisors)."
    )
    async def open_assessment(
        self, info: Info, period: str, scope: AssessmentScopeEnum, criteria: str = ""
    ) -> AssessmentType:
        app, actor = _supervisor(info)
        a = await run_sync(app.open_assessment, period, scope.value, criteria, actor)
        return AssessmentType.from_aggregate(a)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(
        description="Score a subject 0-100, a window, staff member (badge number) or item "
        "of the hall per the scope (NOT_FOUND otherwise); a later score replaces it "
        "(supervisors)."
    )
    async def record_assessment_score(
        self,
        info: Info,
        assessment_id: strawberry.ID,
        subject: str,
        score: float,
        note: str = "",
    ) -> AssessmentType:
        app, actor = _supervisor(info)
        a = await run_sync(
            app.record_assessment_score,
            parse_record_id(assessment_id, "assessment"),
            subject,
            score,
            note,
            actor,
        )
        return AssessmentType.from_aggregate(a)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(
        description="Publish the ranking (排名) of the scored subjects; a monthly window "
        "ranking calls the windows ranked last two months running to an interview (约谈) "
        "(supervisors)."
    )
    async def publish_ranking(self, info: Info, assessment_id: strawberry.ID) -> AssessmentType:
        app, actor = _supervisor(info)
        a = await run_sync(app.publish_ranking, parse_record_id(assessment_id, "assessment"), actor)
        return AssessmentType.from_aggregate(a, await run_sync(app.ranking_interviews, a.id))

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(description="Schedule an interview (约谈) (supervisors).")
    async def schedule_interview(self, info: Info, input: ScheduleInterviewInput) -> InterviewType:
        app, actor = _supervisor(info)
        details = InterviewDetails(
            interviewee_kind=input.interviewee_kind.value,
            interviewee=input.interviewee,
            reason=input.reason,
            scheduled_on=input.scheduled_on,
            source_id=input.source_id,
        )
        i = await run_sync(app.schedule_interview, details, actor)
        return InterviewType.from_aggregate(i)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(
        description="Record that the interview was held, with commitments (supervisors)."
    )
    async def hold_interview(
        self,
        info: Info,
        interview_id: strawberry.ID,
        notes: str,
        commitments: list[str] | None = None,
    ) -> InterviewType:
        app, actor = _supervisor(info)
        i = await run_sync(
            app.hold_interview,
            parse_record_id(interview_id, "interview"),
            notes,
            list(commitments or []),
            actor,
        )
        return InterviewType.from_aggregate(i)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(description="Cancel a scheduled interview (supervisors).")
    async def cancel_interview(
        self, info: Info, interview_id: strawberry.ID, reason: str
    ) -> InterviewType:
        app, actor = _supervisor(info)
        i = await run_sync(
            app.cancel_interview, parse_record_id(interview_id, "interview"), reason, actor
        )
        return InterviewType.from_aggregate(i)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(
        description="Open an improvement action (改进措施), due in working days (supervisors)."
    )
    async def open_improvement_action(
        self, info: Info, input: ImprovementActionInput
    ) -> ImprovementActionType:
        app, actor = _supervisor(info)
        a = await run_sync(
            app.open_improvement_action,
            input.title,
            input.source.value,
            input.source_id,
            input.owner,
            input.working_days,
            actor,
        )
        return ImprovementActionType.from_aggregate(a)

    @allow(Role.HALL_ADMIN, Role.SUPERVISOR)
    @strawberry.mutation(description="Complete an improvement action (hall admins, supervisors).")
    async def complete_improvement_action(
        self, info: Info, action_id: strawberry.ID, result: str
    ) -> ImprovementActionType:
        app = _service(info, Role.HALL_ADMIN, Role.SUPERVISOR)
        a = await run_sync(
            app.complete_improvement_action,
            parse_record_id(action_id, "improvement action"),
            result,
            info.context.principal.subject,
        )
        return ImprovementActionType.from_aggregate(a)
