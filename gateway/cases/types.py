"""GraphQL types of the 帮办代办 cases context.

The enums are GraphQL copies of the domain's (same names and values), so the domain stays
free of GraphQL; for the type checker they are the domain enums.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.relay import local_id
from gateway.security import INHERITED, allow
from services.cases import Case, CaseNotFoundError
from services.cases.domain import values as v

__all__ = [
    "MISSING_DESCRIPTION",
    "AssistanceCaseType",
    "AssistanceModeEnum",
    "CaseDeliveryInput",
    "DeliveryMethodEnum",
    "IdentityMethodEnum",
    "RequestAssistanceCaseInput",
    "RequestChannelEnum",
    "ResultOutcomeEnum",
    "parse_case_id",
    "still_missing",
]


def _graphql_enum(domain: type[StrEnum], name: str, description: str) -> Any:
    copy = Enum(name, {member.name: member.value for member in domain})  # type: ignore[misc]
    return strawberry.enum(copy, name=name, description=description)


if TYPE_CHECKING:
    AssistanceModeEnum = v.AssistanceMode
    CaseStatusEnum = v.CaseStatus
    RequestChannelEnum = v.RequestChannel
    IdentityMethodEnum = v.IdentityMethod
    ResultOutcomeEnum = v.ResultOutcome
    DeliveryMethodEnum = v.DeliveryMethod
else:
    AssistanceModeEnum = _graphql_enum(
        v.AssistanceMode, "AssistanceMode", "全程代办 / 环节帮办 / 现场导办."
    )
    CaseStatusEnum = _graphql_enum(
        v.CaseStatus,
        "AssistanceCaseStatus",
        "申请 → 受理 → 办理中 ⇄ 中止 → 结果 → 送达 → 办结 / 终止 → 归档.",
    )
    RequestChannelEnum = _graphql_enum(
        v.RequestChannel,
        "CaseRequestChannel",
        "现场 / 基层服务站 / 网上 / 热线; UNRECORDED only for requests stored before v2.",
    )
    IdentityMethodEnum = _graphql_enum(
        v.IdentityMethod, "CaseIdentityMethod", "How identity was verified for the 委托书."
    )
    ResultOutcomeEnum = _graphql_enum(
        v.ResultOutcome, "CaseResultOutcome", "The department's decision."
    )
    DeliveryMethodEnum = _graphql_enum(
        v.DeliveryMethod, "CaseDeliveryMethod", "送达: 窗口领取 or 邮寄."
    )


MISSING_DESCRIPTION = (
    "Materials the last check (checkCaseMaterials) found missing and not received since: "
    "a material supplied after the one-time notice (补正) is no longer missing."
)


def still_missing(missing: Sequence[str], received: Sequence[str]) -> list[str]:
    """The last check's missing materials without those received since (补正).

    >>> still_missing(["章程", "照片"], ["身份证", "章程"])
    ['照片']
    """
    got = set(received)
    return [m for m in missing if m not in got]


def parse_case_id(value: strawberry.ID) -> uuid.UUID:
    """The case id of a GraphQL ID (the case id, or its register entry's node id); a
    malformed id is a case that does not exist."""
    try:
        return uuid.UUID(local_id(str(value), "CaseRegisterEntry"))
    except ValueError:
        raise CaseNotFoundError(f"no case {value} in this hall") from None


@allow(INHERITED)
@strawberry.type(
    name="AssistanceCase",
    description="A 帮办代办 case as it stands after the command. The applicant's personal "
    "data is not returned, only the opaque applicant id.",
)
class AssistanceCaseType:
    id: strawberry.ID
    mode: AssistanceModeEnum
    status: CaseStatusEnum
    item_code: str
    matter: str
    channel: RequestChannelEnum
    applicant_id: str
    first_responsible: str | None = strawberry.field(
        description="首问负责: badge of the staff member who accepted the case; never changes."
    )
    responsible: str | None = strawberry.field(description="Badge of who handles it now.")
    accepted_on: date | None
    due_date: date | None = strawberry.field(
        description="限时办结: Beijing date, in Chinese working days; moves only by the days "
        "the clock was stopped (一次性告知, 中止)."
    )
    notice_due_date: date | None = strawberry.field(
        description="Last day for a one-time notice that stops the clock."
    )
    clock_stopped: bool
    required_materials: list[str]
    received_materials: list[str]
    missing_materials: list[str] = strawberry.field(description=MISSING_DESCRIPTION)
    notice_materials: list[str] = strawberry.field(
        description="一次性告知: the materials of the case's one notice."
    )
    outstanding_materials: list[str]
    mandate_signed: bool
    identity_verified: bool
    receipt_number: str | None
    department: str | None
    acceptance_number: str | None
    department_due_date: date | None
    outcome: ResultOutcomeEnum | None
    delivery_method: DeliveryMethodEnum | None
    ended_on: date | None
    on_time: bool | None
    termination_reason: str | None
    follow_up_calls: int
    satisfied: bool | None
    version: int
    requested_at: datetime
    updated_at: datetime

    @classmethod
    def from_aggregate(cls, c: Case) -> AssistanceCaseType:
        return cls(
            id=strawberry.ID(str(c.id)),
            mode=AssistanceModeEnum(c.mode.value),
            status=CaseStatusEnum(c.status.value),
            item_code=c.item_code,
            matter=c.matter,
            channel=RequestChannelEnum(c.channel.value),
            applicant_id=c.applicant_id,
            first_responsible=c.first_responsible,
            responsible=c.responsible,
            accepted_on=c.accepted_on,
            due_date=c.due_date,
            notice_due_date=c.notice_due_date,
            clock_stopped=c.clock_stopped,
            required_materials=list(c.required_materials),
            received_materials=list(c.received_materials),
            missing_materials=still_missing(c.missing_materials, c.received_materials),
            notice_materials=list(c.notice_materials),
            outstanding_materials=list(c.outstanding_materials),
            mandate_signed=c.mandate_signed,
            identity_verified=c.identity_verified,
            receipt_number=c.receipt_number,
            department=c.department,
            acceptance_number=c.acceptance_number,
            department_due_date=c.department_due_date,
            outcome=ResultOutcomeEnum(c.outcome.value) if c.outcome else None,
            delivery_method=DeliveryMethodEnum(c.delivery_method.value)
            if c.delivery_method
            else None,
            ended_on=c.ended_on,
            on_time=c.on_time,
            termination_reason=c.termination_reason,
            follow_up_calls=c.follow_up_calls,
            satisfied=c.satisfied,
            version=c.version,
            requested_at=c.created_on,
            updated_at=c.modified_on,
        )


@strawberry.input(description="The applicant (personal data, kept only in personal fields).")
class ApplicantInput:
    name: str = strawberry.field(description="Person or enterprise name (personal data).")
    id_number: str = strawberry.field(
        description="身份证号, 统一社会信用代码 or passport number (personal data)."
    )
    phone: str = strawberry.field(description="Personal data.")
    address: str = strawberry.field(default="", description="Personal data.")


@strawberry.input(description="A request for 帮办代办.")
class RequestAssistanceCaseInput:
    mode: AssistanceModeEnum
    item_code: str = strawberry.field(description="A 帮办代办 item of the hall's catalog.")
    matter: str = strawberry.field(
        description="The government matter to handle, e.g. 企业设立登记 (no personal data)."
    )
    channel: RequestChannelEnum
    applicant: ApplicantInput
    applicant_id: str = strawberry.field(
        default="",
        description="Staff registering a walk-in: the applicant's opaque id, if known (a new "
        "one is made otherwise). Ignored for applicants, who always request as themselves.",
    )


@strawberry.input(description="送达: how the result reached the applicant.")
class CaseDeliveryInput:
    method: DeliveryMethodEnum
    signed_by_name: str = strawberry.field(description="Who signed for it (personal data).")
    delivery_address: str = strawberry.field(default="", description="Mail only (personal data).")
    tracking_number: str = strawberry.field(default="", description="Mail only.")
