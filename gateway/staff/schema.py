"""GraphQL mutations of the staff context; who may use each is in its description.

Hall admins onboard staff, assign posts, record training and offboard. Staff sign themselves
in and out (the token's subject is their badge number, 工号); hall admins and supervisors
may sign any member in or out (e.g. a forgotten sign-out at the end of the day).
"""

from __future__ import annotations

import strawberry

from gateway.context import Info, run_sync
from gateway.security import HALL_STAFF, Role, allow, hall_of
from gateway.staff.open_work import WorklistOpenWork
from gateway.staff.types import OnboardStaffInput, PostEnum, StaffMemberType, TrainingInput
from services.shared import ForbiddenError, ValidationError
from services.shared.ids import same_badge
from services.staff import StaffService

__all__ = ["StaffMutations"]


def _service(info: Info) -> StaffService:
    """The hall's staff service, reading open work from the worklist (``open_work``)."""
    platform = info.context.platform
    app = platform.hall_app(StaffService, hall_of(info))
    app.open_work = WorklistOpenWork(platform.app_pool)
    return app


def _whose_duty(info: Info, badge_number: str | None) -> str:
    """Staff sign themselves in and out; managers name the member."""
    principal = info.context.principal
    if principal.role is Role.STAFF:
        if badge_number is not None and not same_badge(badge_number, principal.subject):
            raise ForbiddenError("staff sign only themselves in and out")
        return principal.subject
    if not badge_number:
        raise ValidationError("name the staff member (badgeNumber)")
    return badge_number


@strawberry.type
class StaffMutations:
    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(description="Onboard a staff member (hall admins).")
    async def onboard_staff(self, info: Info, input: OnboardStaffInput) -> StaffMemberType:
        app = _service(info)
        member = await run_sync(
            app.onboard_staff,
            input.badge_number,
            input.name,
            input.role.value,
            list(input.skills),
            info.context.principal.subject,
        )
        return StaffMemberType.from_aggregate(member)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Give a member the A post (主岗) or B post (备岗, the backup covering the "
        "window) at a window; a new post at the same window replaces the old (hall admins)."
    )
    async def assign_staff_to_window(
        self, info: Info, badge_number: str, window_code: str, post: PostEnum
    ) -> StaffMemberType:
        app = _service(info)
        member = await run_sync(
            app.assign_to_window,
            badge_number,
            window_code,
            post.value,
            info.context.principal.subject,
        )
        return StaffMemberType.from_aggregate(member)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Take a member's post at a window away; not while on duty there (hall admins)."
    )
    async def unassign_staff_from_window(
        self, info: Info, badge_number: str, window_code: str
    ) -> StaffMemberType:
        app = _service(info)
        member = await run_sync(
            app.unassign_from_window, badge_number, window_code, info.context.principal.subject
        )
        return StaffMemberType.from_aggregate(member)

    @allow(*HALL_STAFF)
    @strawberry.mutation(
        description="上岗签到 at a window where the member holds a post. Staff sign themselves "
        "in (badgeNumber is their own or omitted); hall admins and supervisors name the member."
    )
    async def sign_in_staff(
        self, info: Info, window_code: str, badge_number: str | None = None
    ) -> StaffMemberType:
        app = _service(info)
        badge = _whose_duty(info, badge_number)
        member = await run_sync(app.sign_in, badge, window_code, info.context.principal.subject)
        return StaffMemberType.from_aggregate(member)

    @allow(*HALL_STAFF)
    @strawberry.mutation(
        description="离岗签退. Staff sign themselves out; hall admins and supervisors name the "
        "member."
    )
    async def sign_out_staff(self, info: Info, badge_number: str | None = None) -> StaffMemberType:
        app = _service(info)
        badge = _whose_duty(info, badge_number)
        member = await run_sync(app.sign_out, badge, info.context.principal.subject)
        return StaffMemberType.from_aggregate(member)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(description="Record a completed training (hall admins).")
    async def record_staff_training(
        self, info: Info, badge_number: str, input: TrainingInput
    ) -> StaffMemberType:
        app = _service(info)
        member = await run_sync(
            app.record_training,
            badge_number,
            input.course,
            input.hours,
            input.completed_on,
            input.certificate,
            info.context.principal.subject,
        )
        return StaffMemberType.from_aggregate(member)

    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Offboard a member who is signed out; nothing more is recorded for them "
        "(hall admins). CONFLICT while they still hold open cases, complaints or rectification "
        "steps: reassign them first."
    )
    async def offboard_staff(self, info: Info, badge_number: str, reason: str) -> StaffMemberType:
        app = _service(info)
        member = await run_sync(
            app.offboard_staff, badge_number, reason, info.context.principal.subject
        )
        return StaffMemberType.from_aggregate(member)
