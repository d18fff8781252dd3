"""GraphQL types of the complaints context.

The enums are GraphQL copies of the domain's (same names and values), so the domain
classes stay free of GraphQL; for the type checker they are the domain enums.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.relay import local_id
from gateway.security import INHERITED, allow
from services.complaints import Complaint, ComplaintNotFoundError
from services.complaints import values as v
from services.rectifications import Rectification

__all__ = [
    "ComplaintChannelEnum",
    "ComplaintClassEnum",
    "ComplaintType",
    "FindingEnum",
    "ReceiveComplaintInput",
    "RejectionReasonEnum",
    "parse_complaint_id",
]


def graphql_enum(domain: type[StrEnum], name: str, description: str) -> Any:
    """A GraphQL enum with the names and values of the domain enum ``domain``."""
    copy = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(copy, name=name, description=description)


if TYPE_CHECKING:
    ComplaintChannelEnum = v.ComplaintChannel
    RejectionReasonEnum = v.RejectionReason
    ComplaintClassEnum = v.ComplaintClass
    FindingEnum = v.Finding
    ComplaintStatusEnum = v.ComplaintStatus
else:
    ComplaintChannelEnum = graphql_enum(
        v.ComplaintChannel, "ComplaintChannel", "现场 / 电话 / 12345热线 / 网上 / 信函."
    )
    RejectionReasonEnum = graphql_enum(
        v.RejectionReason, "ComplaintRejectionReason", "Why a complaint is not accepted (不予受理)."
    )
    ComplaintClassEnum = graphql_enum(
        v.ComplaintClass, "ComplaintClass", "现场处理 / 登记转办 / 介入处理; sets the time limit."
    )
    FindingEnum = graphql_enum(v.Finding, "ComplaintFinding", "属实 / 部分属实 / 不属实.")
    ComplaintStatusEnum = graphql_enum(
        v.ComplaintStatus, "ComplaintStatus", "受理 → 调查 → 处置 → 意见反馈 → 归档."
    )


def parse_complaint_id(value: strawberry.ID) -> uuid.UUID:
    """The complaint id of a GraphQL ID (the complaint id, or its register entry's node id);
    a malformed id is a complaint that does not exist."""
    try:
        return uuid.UUID(local_id(str(value), "ComplaintRegisterEntry"))
    except ValueError:
        raise ComplaintNotFoundError(f"no complaint {value} in this hall") from None


@allow(INHERITED)
@strawberry.type(
    name="Complaint",
    description="A complaint (服务投诉) as it stands after the command. Personal data of the "
    "complainant is not returned.",
)
class ComplaintType:
    id: strawberry.ID
    status: ComplaintStatusEnum
    channel: ComplaintChannelEnum
    anonymous: bool
    respondent_window: str
    respondent_badge: str
    complaint_class: ComplaintClassEnum | None
    due_on: date | None = strawberry.field(
        description="Due date (Beijing date), counted in Chinese working days."
    )
    extensions: int = strawberry.field(description="How many times the deadline was extended.")
    assignee: str = strawberry.field(
        description="The handler it is assigned to; '' until assigned (the register's "
        "assignee is null then)."
    )
    finding: FindingEnum | None
    measures: list[str]
    handling_round: int
    replied: bool
    replied_on_time: bool | None
    satisfied: bool | None
    rejection_reason: RejectionReasonEnum | None
    rectification_id: strawberry.ID | None = strawberry.field(
        description="The rectification (整改) the current round's finding opened, if any."
    )
    received_at: datetime
    updated_at: datetime

    @classmethod
    def from_aggregate(cls, c: Complaint) -> ComplaintType:
        rectification = None
        if c.finding is not None and c.finding.needs_rectification:
            rectification = strawberry.ID(
                str(Rectification.create_id(c.hall_id, "COMPLAINT", f"{c.id}#{c.handling_round}"))
            )
        return cls(
            id=strawberry.ID(str(c.id)),
            status=ComplaintStatusEnum(c.status.value),
            channel=ComplaintChannelEnum(c.channel.value),
            anonymous=c.anonymous,
            respondent_window=c.respondent_window,
            respondent_badge=c.respondent_badge,
            complaint_class=ComplaintClassEnum(c.complaint_class.value)
            if c.complaint_class
            else None,
            due_on=c.due_on,
            extensions=c.extensions,
            assignee=c.assignee,
            finding=FindingEnum(c.finding.value) if c.finding else None,
            measures=list(c.measures),
            handling_round=c.handling_round,
            replied=c.replied,
            replied_on_time=c.replied_on_time,
            satisfied=c.satisfied,
            rejection_reason=RejectionReasonEnum(c.rejection_reason.value)
            if c.rejection_reason
            else None,
            rectification_id=rectification,
            received_at=c.created_on,
            updated_at=c.modified_on,
        )


@strawberry.input(description="A complaint as the complainant tells it.")
class ReceiveComplaintInput:
    channel: ComplaintChannelEnum
    facts: str = strawberry.field(description="What happened (personal data; up to 5000).")
    anonymous: bool = False
    applicant_id: str = strawberry.field(
        default="",
        description="Staff registering a complaint: the complainant's opaque applicant id, if "
        "known (a real-name complaint without one gets a new one). Ignored for applicants, who "
        "always complain as themselves.",
    )
    complainant_name: str = strawberry.field(
        default="",
        description="Required for a real-name complaint, none for an anonymous one (personal "
        "data).",
    )
    complainant_phone: str = strawberry.field(
        default="", description="Real-name complaints only (personal data)."
    )
    respondent_window: str = strawberry.field(default="", description="Window code, if known.")
    respondent_badge: str = strawberry.field(default="", description="Staff badge, if known.")
    evidence: list[str] = strawberry.field(
        default_factory=list, description="References to evidence (files, recordings)."
    )
