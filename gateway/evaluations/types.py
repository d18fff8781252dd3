"""GraphQL types of the evaluations context (GraphQL copies of the domain enums)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.errors import InputError
from gateway.relay import local_id
from gateway.security import INHERITED, allow
from services.evaluations import Evaluation, EvaluationNotFoundError, Invitation, Rating
from services.evaluations import values as v
from services.evaluations.policies import rectification_id_for

__all__ = [
    "AppealReasonEnum",
    "EvaluationType",
    "InviteEvaluationInput",
    "RatingInput",
    "ReissuedRatingCode",
    "parse_evaluation_id",
]


def graphql_enum(domain: type[StrEnum], name: str, description: str) -> Any:
    """A GraphQL enum with the names and values of the domain enum ``domain``."""
    copy = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(copy, name=name, description=description)


if TYPE_CHECKING:
    RatingLevelEnum = v.RatingLevel
    SubjectKindEnum = v.SubjectKind
    EvaluationChannelEnum = v.EvaluationChannel
    IndicatorEnum = v.Indicator
    AppealReasonEnum = v.AppealReason
    EvaluationStatusEnum = v.EvaluationStatus
else:
    RatingLevelEnum = graphql_enum(
        v.RatingLevel, "RatingLevel", "非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意."
    )
    SubjectKindEnum = graphql_enum(
        v.SubjectKind, "EvaluationSubjectKind", "一次一评 (a visit) or 一事一评 (a matter)."
    )
    EvaluationChannelEnum = graphql_enum(
        v.EvaluationChannel, "EvaluationChannel", "Offline (hall, window) or online service."
    )
    IndicatorEnum = graphql_enum(
        v.Indicator,
        "RatingIndicator",
        "Offline: OVERALL, EFFICIENCY, SERVICE_LEVEL, ATTITUDE; online: OVERALL, EFFICIENCY, "
        "GUIDE_ACCURACY, CONVENIENCE, EASE_OF_USE.",
    )
    AppealReasonEnum = graphql_enum(v.AppealReason, "RatingAppealReason", "误评 / 恶意差评.")
    EvaluationStatusEnum = graphql_enum(
        v.EvaluationStatus, "EvaluationStatus", "Invited, rated, or rated by default."
    )


def parse_evaluation_id(value: strawberry.ID) -> uuid.UUID:
    """The evaluation id of a GraphQL ID (the evaluation id, or its rating entry's node id);
    a malformed id does not exist."""
    try:
        return uuid.UUID(local_id(str(value), "RatingEntry"))
    except ValueError:
        raise EvaluationNotFoundError(f"no evaluation {value} in this hall") from None


@allow(INHERITED)
@strawberry.type(description="One indicator's score, 1 (非常不满意) to 5 (非常满意).")
class IndicatorScore:
    indicator: IndicatorEnum
    score: int


@strawberry.input(name="IndicatorScoreInput")
class IndicatorScoreInput:
    indicator: IndicatorEnum
    score: int


@allow(INHERITED)
@strawberry.type(
    name="Evaluation",
    description="The rating (好差评) of one visit or matter after the command; the rater's "
    "comments are not returned.",
)
class EvaluationType:
    id: strawberry.ID
    subject_kind: SubjectKindEnum
    subject_ref: str
    channel: EvaluationChannelEnum
    status: EvaluationStatusEnum
    window_code: str
    staff_badge: str
    item_code: str
    default_on: date = strawberry.field(
        description="Unrated on this date, the service counts as 基本满意 (natural days)."
    )
    level: RatingLevelEnum | None
    scores: list[IndicatorScore]
    voluntary: bool | None
    appended: bool
    appeal_reason: AppealReasonEnum | None
    appeal_pending: bool
    excluded: bool = strawberry.field(description="Excluded on appeal (甄别剔除); kept in history.")
    rectification_id: strawberry.ID | None = strawberry.field(
        description="The rectification (整改) a bad rating opened."
    )
    invited_at: datetime
    updated_at: datetime
    rating_code: str | None = strawberry.field(
        default=None,
        description="评价码: in inviteEvaluation's and endTicketService's results only, once, "
        "for an invitation without an applicant id: the one-time code to print on the ticket "
        "or receipt (text or QR code); submitRating takes it. The platform keeps only its "
        "hash. Null elsewhere (reissueRatingCode returns a new code beside the evaluation).",
    )

    @classmethod
    def from_aggregate(cls, e: Evaluation, rating_code: str = "") -> EvaluationType:
        bad = e.status is v.EvaluationStatus.RATED and e.level is not None and e.level.is_bad
        return cls(
            id=strawberry.ID(str(e.id)),
            subject_kind=SubjectKindEnum(e.subject_kind.value),
            subject_ref=e.subject_ref,
            channel=EvaluationChannelEnum(e.channel.value),
            status=EvaluationStatusEnum(e.status.value),
            window_code=e.window_code,
            staff_badge=e.staff_badge,
            item_code=e.item_code,
            default_on=e.default_on,
            level=RatingLevelEnum(e.level.value) if e.level else None,
            scores=[
                IndicatorScore(indicator=IndicatorEnum(name), score=score)
                for name, score in sorted(e.scores.items())
            ],
            voluntary=e.voluntary,
            appended=e.appended,
            appeal_reason=AppealReasonEnum(e.appeal_reason.value) if e.appeal_reason else None,
            appeal_pending=e.appeal_pending,
            excluded=e.excluded,
            rectification_id=strawberry.ID(str(rectification_id_for(e))) if bad else None,
            invited_at=e.created_on,
            updated_at=e.modified_on,
            rating_code=rating_code or None,
        )


@allow(INHERITED)
@strawberry.type(
    description="补发评价码: the new one-time rating code of an invitation without an applicant "
    "id, shown here once (an Idempotency-Key retry answers the same); the old code rates "
    "nothing any more."
)
class ReissuedRatingCode:
    rating_code: str = strawberry.field(
        description="The new code, for the evaluator screen or a printed slip (text or QR "
        "code); submitRating takes it. The platform keeps only its hash."
    )
    reissued_at: datetime
    evaluation: EvaluationType = strawberry.field(description="The invitation, still INVITED.")


@strawberry.input(description="What is to be rated, and who served whom.")
class InviteEvaluationInput:
    subject_kind: SubjectKindEnum
    subject_ref: str = strawberry.field(
        description="The visit's ticket or the matter's reference: 1-64 letters, digits and "
        "'.', '_', ':', '@' or '-' (no '/'), e.g. a ticket as <queue>:<service day>:<number> "
        "(Q-GEN:2026-11-27:2); one invitation per reference."
    )
    channel: EvaluationChannelEnum
    applicant_id: str = strawberry.field(
        default="",
        description="The applicant's opaque id; empty: the result's ratingCode, once, for "
        "whoever holds the ticket.",
    )
    window_code: str = ""
    staff_badge: str = ""
    item_code: str = strawberry.field(
        default="",
        description="The catalog item served: published, not withdrawn and rated "
        "(VALIDATION when unknown or not rated, CONFLICT when withdrawn); empty for none.",
    )

    def invitation(self) -> Invitation:
        return Invitation(
            subject_kind=self.subject_kind.value,
            subject_ref=self.subject_ref,
            channel=self.channel.value,
            applicant_id=self.applicant_id,
            window_code=self.window_code,
            staff_badge=self.staff_badge,
            item_code=self.item_code,
        )


@strawberry.input(description="A rating: level, indicator scores 1-5, comment.")
class RatingInput:
    level: RatingLevelEnum
    scores: list[IndicatorScoreInput] = strawberry.field(default_factory=list)
    comment: str = strawberry.field(default="", description="Up to 500 (personal data).")
    voluntary: bool = strawberry.field(
        default=True, description="Rated on the applicant's own initiative (主动评价)."
    )

    def rating(self) -> Rating:
        """The domain's rating; an indicator scored twice is refused, not the last one kept."""
        scores = {s.indicator.value: s.score for s in self.scores}
        if len(scores) != len(self.scores):
            raise InputError("score each indicator at most once")
        return Rating(
            level=self.level.value,
            scores=scores,
            comment=self.comment,
            voluntary=self.voluntary,
        )
