"""GraphQL types of the supervision context (GraphQL copies of the domain enums)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.security import INHERITED, allow
from services.supervision import (
    Assessment,
    ConductViolation,
    ImprovementAction,
    Inspection,
    Interview,
    SupervisionNotFoundError,
)
from services.supervision import values as v

__all__ = [
    "AssessmentType",
    "ConductViolationType",
    "ImprovementActionType",
    "InspectionType",
    "InterviewType",
    "parse_record_id",
]


def graphql_enum(domain: type[StrEnum], name: str, description: str) -> Any:
    """A GraphQL enum with the names and values of the domain enum ``domain``."""
    copy = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(copy, name=name, description=description)


if TYPE_CHECKING:
    InspectionKindEnum = v.InspectionKind
    FindingCategoryEnum = v.FindingCategory
    ViolationCategoryEnum = v.ViolationCategory
    AssessmentScopeEnum = v.AssessmentScope
    IntervieweeKindEnum = v.IntervieweeKind
    InterviewStatusEnum = v.InterviewStatus
    ImprovementSourceEnum = v.ImprovementSource
else:
    InspectionKindEnum = graphql_enum(v.InspectionKind, "InspectionKind", "明察 / 暗访.")
    FindingCategoryEnum = graphql_enum(
        v.FindingCategory,
        "InspectionFindingCategory",
        "人员行为规范 / 秩序管理 / 场所环境 / 事项管理 / 设施设备 / 文档管理 / 工作纪律 / other.",
    )
    ViolationCategoryEnum = graphql_enum(
        v.ViolationCategory,
        "ConductViolationCategory",
        "仪容仪表 / 行为举止 / 服务用语 / 工作纪律 / other.",
    )
    AssessmentScopeEnum = graphql_enum(
        v.AssessmentScope, "AssessmentScope", "What an assessment ranks."
    )
    IntervieweeKindEnum = graphql_enum(
        v.IntervieweeKind, "IntervieweeKind", "Who is called to an interview (约谈)."
    )
    InterviewStatusEnum = graphql_enum(v.InterviewStatus, "InterviewStatus", "约谈 status.")
    ImprovementSourceEnum = graphql_enum(
        v.ImprovementSource, "ImprovementSource", "What an improvement action answers."
    )


def parse_record_id(value: strawberry.ID, what: str) -> uuid.UUID:
    """The record id of a GraphQL ID; a malformed id does not exist."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise SupervisionNotFoundError(f"no {what} {value} in this hall") from None


@allow(INHERITED)
@strawberry.type(name="Inspection", description="An inspection (明察暗访) after the command.")
class InspectionType:
    id: strawberry.ID
    kind: InspectionKindEnum
    inspected_on: date
    window_codes: list[str]
    inspectors: list[str]
    findings: int = strawberry.field(description="How many findings were recorded.")
    rectifications_required: int = strawberry.field(
        description="How many findings opened a rectification (整改)."
    )
    closed: bool

    @classmethod
    def from_aggregate(cls, i: Inspection) -> InspectionType:
        return cls(
            id=strawberry.ID(str(i.id)),
            kind=InspectionKindEnum(i.kind.value),
            inspected_on=i.inspected_on,
            window_codes=list(i.window_codes),
            inspectors=list(i.inspectors),
            findings=i.findings,
            rectifications_required=i.rectifications_required,
            closed=i.closed,
        )


@allow(INHERITED)
@strawberry.type(name="ConductViolation", description="A staff conduct violation (违规).")
class ConductViolationType:
    id: strawberry.ID
    staff_badge: str
    category: ViolationCategoryEnum
    description: str
    occurred_on: date
    inspection_id: str
    points: int
    dismissed: bool

    @classmethod
    def from_aggregate(cls, x: ConductViolation) -> ConductViolationType:
        return cls(
            id=strawberry.ID(str(x.id)),
            staff_badge=x.staff_badge,
            category=ViolationCategoryEnum(x.category.value),
            description=x.description,
            occurred_on=x.occurred_on,
            inspection_id=x.inspection_id,
            points=x.points,
            dismissed=x.dismissed,
        )


@allow(INHERITED)
@strawberry.type(description="A ranked subject: highest score first; ties share a rank.")
class RankingEntry:
    subject: str
    score: float
    rank: int


@allow(INHERITED)
@strawberry.type(description="A subject's score in an assessment.")
class AssessmentScore:
    subject: str
    score: float


@allow(INHERITED)
@strawberry.type(name="Assessment", description="A periodic assessment (考核) and its ranking.")
class AssessmentType:
    id: strawberry.ID
    period: str
    scope: AssessmentScopeEnum
    criteria: str
    scores: list[AssessmentScore]
    published: bool
    ranking: list[RankingEntry]
    interviews: list[InterviewType] = strawberry.field(
        description="The interviews (约谈) this monthly window ranking called: the windows "
        "ranked last in it and in the month before (empty before publication and for other "
        "rankings)."
    )

    @classmethod
    def from_aggregate(cls, a: Assessment, interviews: Sequence[Interview] = ()) -> AssessmentType:
        return cls(
            id=strawberry.ID(str(a.id)),
            period=a.period,
            scope=AssessmentScopeEnum(a.scope.value),
            criteria=a.criteria,
            scores=[AssessmentScore(subject=s, score=x) for s, x in sorted(a.scores.items())],
            published=a.published,
            ranking=[
                RankingEntry(subject=r["subject"], score=r["score"], rank=r["rank"])
                for r in a.ranking
            ],
            interviews=[InterviewType.from_aggregate(i) for i in interviews],
        )


@allow(INHERITED)
@strawberry.type(name="Interview", description="An interview (约谈).")
class InterviewType:
    id: strawberry.ID
    interviewee_kind: IntervieweeKindEnum
    interviewee: str
    reason: str
    source_id: str
    scheduled_on: date
    status: InterviewStatusEnum

    @classmethod
    def from_aggregate(cls, i: Interview) -> InterviewType:
        return cls(
            id=strawberry.ID(str(i.id)),
            interviewee_kind=IntervieweeKindEnum(i.interviewee_kind.value),
            interviewee=i.interviewee,
            reason=i.reason,
            source_id=i.source_id,
            scheduled_on=i.scheduled_on,
            status=InterviewStatusEnum(i.status.value),
        )


@allow(INHERITED)
@strawberry.type(name="ImprovementAction", description="An improvement action (改进措施).")
class ImprovementActionType:
    id: strawberry.ID
    title: str
    source: ImprovementSourceEnum
    source_id: str
    owner: str
    due_on: date = strawberry.field(description="Due date, counted in Chinese working days.")
    completed: bool
    completed_on_time: bool | None
    opened_at: datetime

    @classmethod
    def from_aggregate(cls, a: ImprovementAction) -> ImprovementActionType:
        return cls(
            id=strawberry.ID(str(a.id)),
            title=a.title,
            source=ImprovementSourceEnum(a.source.value),
            source_id=a.source_id,
            owner=a.owner,
            due_on=a.due_on,
            completed=a.completed,
            completed_on_time=a.completed_on_time,
            opened_at=a.created_on,
        )


@strawberry.input(description="An inspection (明察暗访).")
class RecordInspectionInput:
    kind: InspectionKindEnum
    inspected_on: date
    inspectors: list[str]
    window_codes: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="A finding of an inspection.")
class InspectionFindingInput:
    category: FindingCategoryEnum
    description: str
    window_code: str = ""
    staff_badge: str = ""
    rectification_required: bool = strawberry.field(
        default=True, description="Open a rectification (整改) for this finding."
    )


@strawberry.input(description="A staff member's conduct violation (违规).")
class ConductViolationInput:
    staff_badge: str
    category: ViolationCategoryEnum
    description: str
    occurred_on: date
    points: int = 0
    inspection_id: strawberry.ID | None = None


@strawberry.input(description="An interview (约谈) to schedule.")
class ScheduleInterviewInput:
    interviewee_kind: IntervieweeKindEnum
    interviewee: str = strawberry.field(description="Badge number, window code or department.")
    reason: str
    scheduled_on: date
    source_id: str = ""


@strawberry.input(description="An improvement action (改进措施).")
class ImprovementActionInput:
    title: str
    source: ImprovementSourceEnum
    owner: str
    working_days: int = strawberry.field(description="Due this many working days from today.")
    source_id: str = ""
