"""GraphQL mutations of the evaluations context; roles are in each field's description.

Staff invite ratings and reissue lost rating codes; applicants rate and append; staff and hall
admins appeal; supervisors decide appeals; hall admins can apply the default ratings themselves
(the deadline scheduler, ``yanshen schedule``, records them as ``system`` from each
invitation's default day on).
"""

from __future__ import annotations

import strawberry

from gateway.auth import Role
from gateway.context import Info, run_sync
from gateway.evaluations.types import (
    AppealReasonEnum,
    EvaluationType,
    InviteEvaluationInput,
    RatingInput,
    ReissuedRatingCode,
    parse_evaluation_id,
)
from gateway.security import allow
from services.evaluations import EvaluationService

__all__ = ["EvaluationMutations"]


def _service(info: Info, *roles: Role) -> EvaluationService:
    hall_id = info.context.principal.require_hall(*roles)
    return info.context.platform.hall_app(EvaluationService, hall_id)


@strawberry.type
class EvaluationMutations:
    @allow(Role.STAFF, Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Invite the applicant to rate a visit (一次一评) or a matter (一事一评) "
        "(staff, hall admins). Without an applicantId the result carries the one-time "
        "ratingCode (评价码) to print on the ticket or receipt; it is not shown again."
    )
    async def invite_evaluation(self, info: Info, input: InviteEvaluationInput) -> EvaluationType:
        app = _service(info, Role.STAFF, Role.HALL_ADMIN)
        invited = await run_sync(
            app.invite_evaluation, input.invitation(), info.context.principal.subject
        )
        return EvaluationType.from_aggregate(invited.evaluation, invited.rating_code)

    @allow(Role.STAFF, Role.HALL_ADMIN)
    @strawberry.mutation(
        description="补发评价码: a new one-time ratingCode for an invitation without an "
        "applicant id whose code was lost (evaluator screen failed, receipt not printed, "
        "response lost); the old code is refused from then on like a wrong one (FORBIDDEN). "
        "Any staff member of the hall or a hall admin, at the applicant's request: staff "
        "choose nothing of the rating, the code's holder still rates. CONFLICT when the "
        "invitation names its applicant (they rate from their account), is rated, defaulted "
        "or excluded, or its rating period is over; NOT_FOUND for another hall's. Recorded "
        "as RatingCodeReissued (the hash, never the code) with the caller as actor."
    )
    async def reissue_rating_code(
        self, info: Info, evaluation_id: strawberry.ID
    ) -> ReissuedRatingCode:
        app = _service(info, Role.STAFF, Role.HALL_ADMIN)
        reissued = await run_sync(
            app.reissue_rating_code,
            parse_evaluation_id(evaluation_id),
            info.context.principal.subject,
        )
        return ReissuedRatingCode(
            rating_code=reissued.rating_code,
            reissued_at=reissued.evaluation.modified_on,
            evaluation=EvaluationType.from_aggregate(reissued.evaluation),
        )

    @allow(Role.APPLICANT)
    @strawberry.mutation(
        description="Rate once (applicants; the token's subject is the rater's applicant id). "
        "An invitation without an applicant id also takes its ratingCode (评价码, from the "
        "ticket or receipt; FORBIDDEN when missing or wrong). A 不满意 / 非常不满意 rating "
        "opens a rectification in the same commit."
    )
    async def submit_rating(
        self,
        info: Info,
        evaluation_id: strawberry.ID,
        input: RatingInput,
        rating_code: str | None = None,
    ) -> EvaluationType:
        app = _service(info, Role.APPLICANT)
        e = await run_sync(
            app.submit_rating,
            parse_evaluation_id(evaluation_id),
            input.rating(),
            info.context.principal.subject,
            rating_code=rating_code or "",
        )
        return EvaluationType.from_aggregate(e)

    @allow(Role.APPLICANT)
    @strawberry.mutation(description="追评: add a later comment, once (the rater).")
    async def append_rating(
        self, info: Info, evaluation_id: strawberry.ID, comment: str
    ) -> EvaluationType:
        app = _service(info, Role.APPLICANT)
        e = await run_sync(
            app.append_rating,
            parse_evaluation_id(evaluation_id),
            comment,
            info.context.principal.subject,
        )
        return EvaluationType.from_aggregate(e)

    @allow(Role.STAFF, Role.HALL_ADMIN)
    @strawberry.mutation(
        description="申诉: appeal a mistaken or malicious rating (staff, hall admins)."
    )
    async def appeal_rating(
        self,
        info: Info,
        evaluation_id: strawberry.ID,
        reason: AppealReasonEnum,
        explanation: str,
    ) -> EvaluationType:
        app = _service(info, Role.STAFF, Role.HALL_ADMIN)
        e = await run_sync(
            app.appeal_rating,
            parse_evaluation_id(evaluation_id),
            reason.value,
            explanation,
            info.context.principal.subject,
        )
        return EvaluationType.from_aggregate(e)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(
        description="甄别剔除: uphold the appeal; the rating stays in the history, marked "
        "excluded (supervisors). The rectification a bad rating opened is withdrawn in the "
        "same save (status WITHDRAWN, 撤销: no further step, never overdue, off the "
        "worklist) unless its work is done: a completed, fed back or closed one stays as it "
        "is. CONFLICT when a step of that rectification was saved at the same time (nothing "
        "recorded; try again)."
    )
    async def exclude_rating(
        self, info: Info, evaluation_id: strawberry.ID, note: str
    ) -> EvaluationType:
        app = _service(info, Role.SUPERVISOR)
        e = await run_sync(
            app.exclude_rating,
            parse_evaluation_id(evaluation_id),
            note,
            info.context.principal.subject,
        )
        return EvaluationType.from_aggregate(e)

    @allow(Role.SUPERVISOR)
    @strawberry.mutation(description="Reject the appeal; the rating counts (supervisors).")
    async def reject_rating_appeal(
        self, info: Info, evaluation_id: strawberry.ID, note: str
    ) -> EvaluationType:
        app = _service(info, Role.SUPERVISOR)
        e = await run_sync(
            app.reject_rating_appeal,
            parse_evaluation_id(evaluation_id),
            note,
            info.context.principal.subject,
        )
        return EvaluationType.from_aggregate(e)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="系统默认评价 now: every unrated invitation of the hall whose rating period "
        "is over counts as 基本满意, recorded with the calling admin as actor; returns how "
        "many (hall admins). Not needed in normal operation: the deadline scheduler records "
        "each default (as system) from the invitation's default day on."
    )
    async def apply_default_ratings(self, info: Info) -> int:
        app = _service(info, Role.HALL_ADMIN)
        return await run_sync(app.apply_default_ratings, None, info.context.principal.subject)
