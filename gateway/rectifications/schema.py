"""GraphQL mutations of the rectifications context; roles are in each field's description.

Staff (and hall admins) verify, deal with and feed back; supervisors and hall admins review;
hall admins and supervisors can run the overdue check themselves (the deadline scheduler,
``yanshen schedule``, records each missed deadline as ``system`` the day after it passed).
"""

from __future__ import annotations

import strawberry

from gateway.auth import Role
from gateway.context import Info, run_sync
from gateway.rectifications.types import (
    FeedbackMethodEnum,
    RectificationType,
    parse_rectification_id,
)
from gateway.security import allow
from services.rectifications import RectificationService

__all__ = ["RectificationMutations"]

HANDLERS = (Role.STAFF, Role.HALL_ADMIN)
REVIEWERS = (Role.SUPERVISOR, Role.HALL_ADMIN)


def _service(info: Info, *roles: Role) -> RectificationService:
    hall_id = info.context.principal.require_hall(*roles)
    return info.context.platform.hall_app(RectificationService, hall_id)


@strawberry.type
class RectificationMutations:
    @allow(*HANDLERS)
    @strawberry.mutation(
        description="核实回访: record the verification call to the rater (staff, hall admins)."
    )
    async def record_verification_call(
        self, info: Info, id: strawberry.ID, contacted: bool, notes: str
    ) -> RectificationType:
        app = _service(info, *HANDLERS)
        r = await run_sync(
            app.record_verification_call,
            parse_rectification_id(id),
            contacted,
            notes,
            info.context.principal.subject,
        )
        return RectificationType.from_aggregate(r)

    @allow(*HANDLERS)
    @strawberry.mutation(description="立行立改: fixed at once (staff, hall admins).")
    async def fix_rectification_at_once(
        self, info: Info, id: strawberry.ID, measures: list[str]
    ) -> RectificationType:
        app = _service(info, *HANDLERS)
        r = await run_sync(
            app.fix_at_once,
            parse_rectification_id(id),
            list(measures),
            info.context.principal.subject,
        )
        return RectificationType.from_aggregate(r)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="建台账限期整改: enter in the ledger, due within the hall's rectification "
        "limit in working days (staff, hall admins)."
    )
    async def enter_rectification_ledger(
        self, info: Info, id: strawberry.ID, plan: list[str]
    ) -> RectificationType:
        app = _service(info, *HANDLERS)
        r = await run_sync(
            app.enter_ledger, parse_rectification_id(id), list(plan), info.context.principal.subject
        )
        return RectificationType.from_aggregate(r)

    @allow(*HANDLERS)
    @strawberry.mutation(description="解释说明: explain instead (staff, hall admins).")
    async def explain_rectification(
        self, info: Info, id: strawberry.ID, explanation: str
    ) -> RectificationType:
        app = _service(info, *HANDLERS)
        r = await run_sync(
            app.explain, parse_rectification_id(id), explanation, info.context.principal.subject
        )
        return RectificationType.from_aggregate(r)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="整改完成: the ledger entry was rectified (staff, hall admins)."
    )
    async def complete_rectification(
        self, info: Info, id: strawberry.ID, measures: list[str]
    ) -> RectificationType:
        app = _service(info, *HANDLERS)
        r = await run_sync(
            app.complete, parse_rectification_id(id), list(measures), info.context.principal.subject
        )
        return RectificationType.from_aggregate(r)

    @allow(*HANDLERS)
    @strawberry.mutation(
        description="反馈: tell the rater (or inspector) the result (staff, hall admins)."
    )
    async def feed_back_rectification(
        self, info: Info, id: strawberry.ID, method: FeedbackMethodEnum, content: str
    ) -> RectificationType:
        app = _service(info, *HANDLERS)
        r = await run_sync(
            app.feed_back,
            parse_rectification_id(id),
            method.value,
            content,
            info.context.principal.subject,
        )
        return RectificationType.from_aggregate(r)

    @allow(*REVIEWERS)
    @strawberry.mutation(
        description="复核通过: the review accepts the rectification (supervisors, hall admins)."
    )
    async def pass_rectification_review(
        self, info: Info, id: strawberry.ID, note: str = ""
    ) -> RectificationType:
        app = _service(info, *REVIEWERS)
        r = await run_sync(
            app.pass_review, parse_rectification_id(id), note, info.context.principal.subject
        )
        return RectificationType.from_aggregate(r)

    @allow(*REVIEWERS)
    @strawberry.mutation(
        description="复核不通过: send back for a new disposition (supervisors, hall admins)."
    )
    async def reopen_rectification(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> RectificationType:
        app = _service(info, *REVIEWERS)
        r = await run_sync(
            app.reopen, parse_rectification_id(id), reason, info.context.principal.subject
        )
        return RectificationType.from_aggregate(r)

    @allow(Role.HALL_ADMIN, Role.SUPERVISOR)
    @strawberry.mutation(
        description="超期 now: record every missed deadline of the hall's rectifications not "
        "recorded yet, with the caller as actor; returns how many were recorded (hall admins, "
        "supervisors). Not needed in normal operation: the deadline scheduler records each "
        "miss (as system) once its due date has passed."
    )
    async def mark_overdue_rectifications(self, info: Info) -> int:
        app = _service(info, Role.HALL_ADMIN, Role.SUPERVISOR)
        return await run_sync(app.mark_overdue, None, info.context.principal.subject)
