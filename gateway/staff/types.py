"""GraphQL types of the staff context: staff members, their posts and training records."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import strawberry

from gateway.places.types import graphql_enum
from gateway.security import INHERITED, allow
from services.staff import Post, StaffMember, StaffRole

__all__ = ["OnboardStaffInput", "PostEnum", "StaffMemberType", "StaffRoleEnum", "TrainingInput"]

if TYPE_CHECKING:
    PostEnum = Post
    StaffRoleEnum = StaffRole
else:
    PostEnum = graphql_enum(Post, "StaffPost", "A岗 (主岗) or B岗 (备岗, the backup) at a window.")
    StaffRoleEnum = graphql_enum(
        StaffRole, "StaffRole", "窗口工作人员 / 代办员 / admin / supervisor."
    )


@allow(INHERITED)
@strawberry.type(description="A post a staff member holds at a window (AB岗).")
class WindowPost:
    window_code: str
    post: PostEnum


@allow(INHERITED)
@strawberry.type(name="StaffTraining", description="A completed training (培训记录).")
class TrainingType:
    course: str
    hours: float
    completed_on: date
    certificate: str


@allow(INHERITED)
@strawberry.type(
    name="StaffMember",
    description="A staff member (服务人员) as they stand after the command.",
)
class StaffMemberType:
    badge_number: str = strawberry.field(description="工号.")
    name: str
    role: StaffRoleEnum
    skills: list[str]
    posts: list[WindowPost]
    on_duty_window: str | None = strawberry.field(
        description="The window the member is signed in at, or null when off duty."
    )
    trainings: list[TrainingType]
    offboarded: bool

    @classmethod
    def from_aggregate(cls, member: StaffMember) -> StaffMemberType:
        return cls(
            badge_number=member.badge_number,
            name=member.name,
            role=StaffRoleEnum(member.role.value),
            skills=list(member.skills),
            posts=[
                WindowPost(window_code=w, post=PostEnum(p.value))
                for w, p in sorted(member.posts.items())
            ],
            on_duty_window=member.on_duty_window or None,
            trainings=[
                TrainingType(
                    course=t.course,
                    hours=t.hours,
                    completed_on=date.fromisoformat(t.completed_on),
                    certificate=t.certificate,
                )
                for t in member.trainings
            ],
            offboarded=member.offboarded,
        )


@strawberry.input(description="A staff member joining the hall.")
class OnboardStaffInput:
    badge_number: str = strawberry.field(description="工号, unique in the hall.")
    name: str
    role: StaffRoleEnum
    skills: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="A completed training.")
class TrainingInput:
    course: str
    hours: float
    completed_on: date
    certificate: str = ""
