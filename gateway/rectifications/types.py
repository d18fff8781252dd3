"""GraphQL types of the rectifications context (GraphQL copies of the domain enums)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.relay import local_id
from gateway.security import INHERITED, allow
from services.rectifications import Rectification, RectificationNotFoundError
from services.rectifications import values as v

__all__ = [
    "FeedbackMethodEnum",
    "RectificationType",
    "parse_rectification_id",
]


def graphql_enum(domain: type[StrEnum], name: str, description: str) -> Any:
    """A GraphQL enum with the names and values of the domain enum ``domain``."""
    copy = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(copy, name=name, description=description)


if TYPE_CHECKING:
    RectificationSourceEnum = v.RectificationSource
    RectificationStatusEnum = v.RectificationStatus
    DispositionEnum = v.Disposition
    FeedbackMethodEnum = v.FeedbackMethod
else:
    RectificationSourceEnum = graphql_enum(
        v.RectificationSource, "RectificationSource", "差评 / 投诉查实 / 明察暗访."
    )
    RectificationStatusEnum = graphql_enum(
        v.RectificationStatus,
        "RectificationStatus",
        "核实 → 立行立改 / 建台账限期整改 / 解释说明 → 反馈 → 复核; WITHDRAWN (撤销): its bad "
        "rating was excluded on appeal before the work was done, nothing more is owed.",
    )
    DispositionEnum = graphql_enum(
        v.Disposition, "RectificationDisposition", "立行立改 / 建台账限期整改 / 解释说明."
    )
    FeedbackMethodEnum = graphql_enum(
        v.FeedbackMethod, "FeedbackMethod", "How the result was fed back (反馈)."
    )


def parse_rectification_id(value: strawberry.ID) -> uuid.UUID:
    """The rectification id of a GraphQL ID (the rectification id, or its ledger entry's
    node id); a malformed id does not exist."""
    try:
        return uuid.UUID(local_id(str(value), "RectificationLedgerEntry"))
    except ValueError:
        raise RectificationNotFoundError(f"no rectification {value} in this hall") from None


@allow(INHERITED)
@strawberry.type(name="Rectification", description="A rectification (整改) after the command.")
class RectificationType:
    id: strawberry.ID
    source: RectificationSourceEnum
    source_id: str = strawberry.field(
        description="The evaluation, complaint (#round) or inspection (#finding) behind it."
    )
    status: RectificationStatusEnum
    window_code: str
    staff_badge: str
    summary: str
    verification_due_on: date = strawberry.field(
        description="The verification call (核实回访) is due by this date (working days)."
    )
    disposition: DispositionEnum | None
    due_on: date | None = strawberry.field(description="Due date of a ledger entry (建台账).")
    handling_round: int
    contacted: bool | None
    verified_on_time: bool | None
    completed_on_time: bool | None
    overdue: bool = strawberry.field(
        description="The current step's deadline passed (as recorded by the overdue check)."
    )
    opened_at: datetime
    updated_at: datetime

    @classmethod
    def from_aggregate(cls, r: Rectification) -> RectificationType:
        return cls(
            id=strawberry.ID(str(r.id)),
            source=RectificationSourceEnum(r.source.value),
            source_id=r.source_id,
            status=RectificationStatusEnum(r.status.value),
            window_code=r.window_code,
            staff_badge=r.staff_badge,
            summary=r.summary,
            verification_due_on=r.verification_due_on,
            disposition=DispositionEnum(r.disposition.value) if r.disposition else None,
            due_on=r.due_on,
            handling_round=r.handling_round,
            contacted=r.contacted,
            verified_on_time=r.verified_on_time,
            completed_on_time=r.completed_on_time,
            overdue=r.is_overdue,
            opened_at=r.created_on,
            updated_at=r.modified_on,
        )
