"""The staff worklist (工作台): what one staff member has on their plate.

A staff member (role ``staff``, whose token subject is their badge, 工号) reads their own
worklist — naming another badge is ``FORBIDDEN``; hall admins and supervisors read anyone's
(default: their own subject). The hall is always the token's: a badge of another hall
answers like a badge with nothing to do. A case's or complaint's own status, live, is
``assistanceCaseChanged`` / ``complaintChanged`` (``gateway/cases``, ``gateway/complaints``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import strawberry

from gateway.context import Info, run_sync
from gateway.errors import InputError
from gateway.places.types import graphql_enum
from gateway.rectifications.types import RectificationSourceEnum
from gateway.relay import Connection, SortKey, paginate
from gateway.security import HALL_STAFF, INHERITED, Role, allow, hall_of
from projections.worklist import (
    RectificationStep,
    WorkKind,
    WorklistItem,
    WorklistKey,
    worklist,
    worklist_counts,
)
from services.shared import ForbiddenError
from services.shared.ids import same_badge

__all__ = ["StaffQueries", "StaffWorklist", "WorklistItemType"]

if TYPE_CHECKING:
    WorkKindEnum = WorkKind
    RectificationStepEnum = RectificationStep
else:
    WorkKindEnum = graphql_enum(
        WorkKind, "WorklistKind", "Tickets in service, open cases and complaints, follow-ups."
    )
    RectificationStepEnum = graphql_enum(
        RectificationStep,
        "RectificationStep",
        "What a rectification (整改) waits for from its staff member: the verification call "
        "(核实回访, status OPEN), the disposition (立行立改 / 建台账 / 解释说明, VERIFIED), the "
        "ledger entry (建台账限期整改, IN_PROGRESS), the feedback (反馈, COMPLETED).",
    )


def _key(key: SortKey | None, after: str | None) -> WorklistKey | None:
    if key is None:
        return None
    shape = [type(part) for part in key]
    if shape != [int, int, str]:
        raise InputError(f"invalid cursor {after!r}")
    return (key[0], key[1], key[2])


@allow(INHERITED)
@strawberry.type(
    name="WorklistItem", description="One item of a staff member's worklist (no personal data)."
)
class WorklistItemType:
    kind: WorkKindEnum
    record_id: str = strawberry.field(
        description="The case, complaint or rectification id; <queue>/<service day>/<number> "
        "for a ticket."
    )
    status: str = strawberry.field(description="The record's status (of its own kind).")
    due_date: date | None = strawberry.field(
        description="Open cases and complaints: 限时办结. Rectification follow-ups: the "
        "verification call's due date (VERIFICATION_CALL) or the ledger entry's (LEDGER)."
    )
    since: datetime = strawberry.field(description="When the item got its place here.")
    queue_code: str | None
    service_day: date | None
    number: int | None
    display_number: str | None
    window_code: str | None = strawberry.field(
        description="A ticket's window; for a complaint, the window complained about; for a "
        "rectification, the window it concerns."
    )
    item_code: str | None
    matter: str | None
    rectification_step: RectificationStepEnum | None = strawberry.field(
        description="Rectification follow-ups: the step that waits for the staff member."
    )
    rectification_source: RectificationSourceEnum | None = strawberry.field(
        description="Rectification follow-ups: what opened it (差评 / 投诉查实 / 明察暗访)."
    )

    @classmethod
    def from_row(cls, row: WorklistItem) -> WorklistItemType:
        return cls(
            kind=WorkKindEnum(row.kind),
            record_id=row.record_id,
            status=row.status,
            due_date=row.due_on,
            since=row.since_at,
            queue_code=row.queue_code,
            service_day=row.service_day,
            number=row.number,
            display_number=row.display_number,
            window_code=row.window_code or None,
            item_code=row.item_code,
            matter=row.matter,
            rectification_step=RectificationStepEnum(row.step) if row.step else None,
            rectification_source=RectificationSourceEnum(row.source) if row.source else None,
        )


@allow(INHERITED)
@strawberry.type(description="What a staff member has on their plate (工作台).")
class StaffWorklist:
    badge_number: str = strawberry.field(description="工号.")
    tickets_in_service: int = strawberry.field(description="Called to or served at a window.")
    open_cases: int = strawberry.field(description="帮办代办 cases they are responsible for.")
    open_complaints: int = strawberry.field(description="Complaints assigned to them.")
    case_follow_ups: int = strawberry.field(description="Ended cases awaiting 回访.")
    complaint_follow_ups: int = strawberry.field(description="Replied complaints awaiting 回访.")
    rectification_follow_ups: int = strawberry.field(
        description="Rectifications (整改) concerning them that wait for their verification "
        "call, disposition, ledger entry or feedback (not counted in pendingFollowUps)."
    )
    hall: strawberry.Private[str]

    @strawberry.field(description="Pending follow-ups of cases and complaints together.")
    def pending_follow_ups(self) -> int:
        return self.case_follow_ups + self.complaint_follow_ups

    @strawberry.field(
        description="The items, tickets first, then open cases, open complaints, case, "
        "complaint and rectification follow-ups; oldest first within each kind. kinds: only "
        "these (an empty list: none)."
    )
    async def items(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[WorkKindEnum] | None = None,
    ) -> Connection[WorklistItemType]:
        pool = info.context.platform.app_pool
        wanted = None if kinds is None else [WorkKind(k.value) for k in kinds]
        return await paginate(
            info,
            first=first,
            after=after,
            fetch=lambda key, limit: worklist(
                pool,
                self.hall,
                self.badge_number,
                kinds=wanted,
                after=_key(key, after),
                limit=limit,
            ),
            key=lambda row: row.key,
            node=WorklistItemType.from_row,
        )


def _whose(info: Info, badge_number: str | None) -> str:
    """Staff read their own worklist; hall admins and supervisors anyone's."""
    principal = info.context.principal
    if (
        principal.role is Role.STAFF
        and badge_number is not None
        and not same_badge(badge_number, principal.subject)
    ):
        raise ForbiddenError("staff read only their own worklist")
    return badge_number or principal.subject


@strawberry.type
class StaffQueries:
    @allow(*HALL_STAFF)
    @strawberry.field(
        description="A staff member's worklist: tickets in service, open cases and complaints, "
        "pending follow-ups (回访) and rectification steps (整改). Staff read their own "
        "(badgeNumber omitted or theirs); hall admins and supervisors anyone's."
    )
    async def staff_worklist(self, info: Info, badge_number: str | None = None) -> StaffWorklist:
        hall = hall_of(info)
        badge = _whose(info, badge_number)
        counts = await run_sync(worklist_counts, info.context.platform.app_pool, hall, badge)
        return StaffWorklist(
            badge_number=badge,
            tickets_in_service=counts.tickets_in_service,
            open_cases=counts.open_cases,
            open_complaints=counts.open_complaints,
            case_follow_ups=counts.case_follow_ups,
            complaint_follow_ups=counts.complaint_follow_ups,
            rectification_follow_ups=counts.rectification_follow_ups,
            hall=hall,
        )
