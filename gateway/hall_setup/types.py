"""GraphQL types of the hall setup lists.

Places, queues and windows are listed as the same types their mutations answer
(``ServicePlace``, ``Queue``, ``Window``); a staff member as a ``StaffRosterEntry``: the
mutations' ``StaffMember`` plus the record id and the dates the roster needs.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from gateway.places.types import (
    PlaceTypeEnum,
    ServicePlaceType,
    WindowStatusEnum,
    WindowTypeEnum,
    WindowView,
)
from gateway.queue.types import QueueType
from gateway.security import INHERITED, allow
from gateway.staff.types import PostEnum, StaffRoleEnum, TrainingType, WindowPost
from projections.hall_setup import PlaceRow, QueueRow, StaffRow, WindowRow

__all__ = ["StaffMemberFilter", "StaffRosterEntryType", "place_of", "queue_of", "window_of"]


@allow(INHERITED)
@strawberry.type(
    name="StaffRosterEntry",
    description="A staff member (服务人员) on the hall's roster, departed ones included.",
)
class StaffRosterEntryType:
    record_id: str = strawberry.field(
        description='The member\'s record id: erasePersonalData(subjectId: "record:<recordId>") '
        "erases their name."
    )
    badge_number: str = strawberry.field(description="工号.")
    name: str = strawberry.field(description="'[erased]' once the member's record was erased.")
    role: StaffRoleEnum
    skills: list[str]
    posts: list[WindowPost] = strawberry.field(
        description="The windows where the member holds the A or B post; none once departed."
    )
    on_duty_window: str | None = strawberry.field(
        description="The window the member is signed in at, or null when off duty."
    )
    trainings: list[TrainingType] = strawberry.field(description="Oldest first.")
    offboarded: bool = strawberry.field(description="The member left the hall (departed).")
    onboarded_at: datetime
    offboarded_at: datetime | None
    updated_at: datetime = strawberry.field(description="The member's last recorded change.")

    @classmethod
    def from_row(cls, row: StaffRow) -> StaffRosterEntryType:
        return cls(
            record_id=str(row.staff_id),
            badge_number=row.badge_number,
            name=row.name,
            role=StaffRoleEnum(row.role),
            skills=list(row.skills),
            posts=[
                WindowPost(window_code=window, post=PostEnum(post))
                for window, post in sorted(row.posts.items())
            ],
            on_duty_window=row.on_duty_window or None,
            trainings=[
                TrainingType(
                    course=t["course"],
                    hours=float(t["hours"]),
                    completed_on=date.fromisoformat(t["completed_on"]),
                    certificate=t["certificate"],
                )
                for t in row.trainings
            ],
            offboarded=row.offboarded_at is not None,
            onboarded_at=row.onboarded_at,
            offboarded_at=row.offboarded_at,
            updated_at=row.updated_at,
        )


@strawberry.input(description="Which staff members to list; a condition left out (null) holds.")
class StaffMemberFilter:
    role: StaffRoleEnum | None = None
    on_duty: bool | None = strawberry.field(
        default=None, description="true: signed in at a window; false: off duty."
    )
    departed: bool | None = strawberry.field(
        default=None, description="true: offboarded only; false: current staff only."
    )


def place_of(row: PlaceRow) -> ServicePlaceType:
    return ServicePlaceType(
        code=row.code,
        name=row.name,
        place_type=PlaceTypeEnum(row.place_type),
        address=row.address,
        registered_at=row.registered_at,
    )


def queue_of(row: QueueRow) -> QueueType:
    return QueueType(
        code=row.code, name=row.name, prefix=row.prefix, item_codes=list(row.item_codes)
    )


def window_of(row: WindowRow) -> WindowView:
    return WindowView(
        code=row.code,
        name=row.name,
        window_type=WindowTypeEnum(row.window_type),
        place_code=row.place_code,
        item_codes=list(row.item_codes),
        queue_codes=list(row.queue_codes),
        status=WindowStatusEnum(row.status),
        suspension_reason=row.suspension_reason,
        updated_at=row.updated_at,
    )
