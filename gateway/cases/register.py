"""GraphQL types of the case register (帮办代办 台账): an entry, its history, the filter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from gateway.cases.listing import parse_uuid
from gateway.cases.types import (
    MISSING_DESCRIPTION,
    AssistanceModeEnum,
    CaseStatusEnum,
    RequestChannelEnum,
    ResultOutcomeEnum,
    still_missing,
)
from gateway.catalog.schema import ServiceItemType, published_items
from gateway.context import Info
from gateway.dataloaders import load
from gateway.relay import Node, global_id
from gateway.security import INHERITED, allow
from projections.cases import CaseFilter, CaseHistoryRow, CaseRow, case_histories, cases_by_id
from services.store.pool import Pool

__all__ = ["NODE", "CaseHistoryEntry", "CaseRegisterEntry", "CaseRegisterFilter", "case_entries"]

NODE = "CaseRegisterEntry"


@allow(INHERITED)
@strawberry.type(description="One event of a case's history (no personal data).")
class CaseHistoryEntry:
    version: int
    event: str = strawberry.field(description="The public event name, e.g. CaseAccepted.")
    status: CaseStatusEnum = strawberry.field(description="The status after the event.")
    actor: str
    at: datetime
    details: JSON = strawberry.field(description="What the event recorded (non-personal).")

    @classmethod
    def from_row(cls, row: CaseHistoryRow) -> CaseHistoryEntry:
        return cls(
            version=row.version,
            event=row.event,
            status=CaseStatusEnum(row.status),
            actor=row.actor,
            at=row.at,
            details=JSON(row.details),
        )


@allow(INHERITED)
@strawberry.type(
    description="A 帮办代办 case in the hall's case register (read model). Dates are "
    "Beijing dates; time limits count Chinese working days."
)
class CaseRegisterEntry(Node):
    case_id: strawberry.ID = strawberry.field(description="The case id mutations take.")
    mode: AssistanceModeEnum
    status: CaseStatusEnum
    item_code: str
    matter: str
    channel: RequestChannelEnum
    applicant_id: str
    applicant_name: str = strawberry.field(
        description="Personal data, for the hall's staff (and the applicant); '[erased]' once "
        "the applicant's personal data was erased."
    )
    first_responsible: str | None = strawberry.field(
        description="首问负责: badge of who accepted the case; never changes."
    )
    responsible: str | None = strawberry.field(description="Badge of who handles it now.")
    accepted_on: date | None
    promised_working_days: int | None
    due_date: date | None = strawberry.field(
        description="限时办结, as the events fixed it at acceptance and moved it by the "
        "working days the clock was stopped (一次性告知, 中止)."
    )
    notice_due_date: date | None = strawberry.field(
        description="Last day for a one-time notice that stops the clock."
    )
    required_materials: list[str]
    received_materials: list[str]
    missing_materials: list[str] = strawberry.field(description=MISSING_DESCRIPTION)
    notice_materials: list[str] = strawberry.field(
        description="一次性告知: the materials of the case's one notice (empty: none issued)."
    )
    notice_issued_on: date | None
    notice_stopped_clock: bool
    outstanding_materials: list[str]
    clock_stopped: bool
    clock_stopped_working_days: int = strawberry.field(
        description="Working days the due date moved in all (notice and suspensions)."
    )
    department: str | None
    acceptance_number: str | None
    department_due_date: date | None
    outcome: ResultOutcomeEnum | None
    ended_on: date | None
    on_time: bool | None
    overdue: bool = strawberry.field(
        description="Missed its due date, as the events record it (completed late)."
    )
    follow_up_calls: int
    satisfied: bool | None
    requested_at: datetime
    updated_at: datetime
    version: int
    hall_id: strawberry.Private[str]

    @strawberry.field(description="The 帮办代办 item of the hall's catalog (null if withdrawn).")
    async def item(self, info: Info) -> ServiceItemType | None:
        return await load(info, published_items, self.hall_id, self.item_code)

    @strawberry.field(description="Every event of the case, oldest first.")
    async def history(self, info: Info) -> list[CaseHistoryEntry]:
        rows = await load(info, case_histories, self.hall_id, UUID(str(self.case_id)))
        return [CaseHistoryEntry.from_row(r) for r in rows or []]

    @classmethod
    def from_row(cls, row: CaseRow, hall: str) -> CaseRegisterEntry:
        return cls(
            id=global_id(NODE, hall, str(row.case_id)),
            case_id=strawberry.ID(str(row.case_id)),
            mode=AssistanceModeEnum(row.mode),
            status=CaseStatusEnum(row.status),
            item_code=row.item_code,
            matter=row.matter,
            channel=RequestChannelEnum(row.channel),
            applicant_id=row.applicant_id,
            applicant_name=row.applicant_name,
            first_responsible=row.first_responsible,
            responsible=row.responsible,
            accepted_on=row.accepted_on,
            promised_working_days=row.promised_working_days,
            due_date=row.due_date,
            notice_due_date=row.notice_due_date,
            required_materials=list(row.required_materials),
            received_materials=list(row.received_materials),
            missing_materials=still_missing(row.missing_materials, row.received_materials),
            notice_materials=list(row.notice_materials),
            notice_issued_on=row.notice_issued_on,
            notice_stopped_clock=row.notice_stopped_clock,
            outstanding_materials=list(row.outstanding_materials),
            clock_stopped=row.clock_stopped,
            clock_stopped_working_days=row.clock_stopped_working_days,
            department=row.department,
            acceptance_number=row.acceptance_number,
            department_due_date=row.department_due_date,
            outcome=ResultOutcomeEnum(row.outcome) if row.outcome else None,
            ended_on=row.ended_on,
            on_time=row.on_time,
            overdue=row.overdue,
            follow_up_calls=row.follow_up_calls,
            satisfied=row.satisfied,
            requested_at=row.requested_at,
            updated_at=row.updated_at,
            version=row.version,
            hall_id=hall,
        )


def case_entries(pool: Pool, hall: str, ids: Sequence[str]) -> Mapping[str, CaseRegisterEntry]:
    """Node loader: the hall's register entries by case id (one query)."""
    wanted = {i: u for i in ids if (u := parse_uuid(i)) is not None}
    rows = cases_by_id(pool, hall, list(wanted.values()))
    return {i: CaseRegisterEntry.from_row(rows[u], hall) for i, u in wanted.items() if u in rows}


@strawberry.input(description="Which cases to list; every field is optional.")
class CaseRegisterFilter:
    status: CaseStatusEnum | None = None
    requested_from: date | None = strawberry.field(
        default=None, description="First day (Beijing) of requests to list."
    )
    requested_to: date | None = strawberry.field(
        default=None, description="Last day (Beijing) of requests to list."
    )
    staff: str | None = strawberry.field(
        default=None, description="Badge of the first responsible or of who handles it now."
    )
    overdue: bool | None = None
    item_code: str | None = None
    applicant_id: str | None = strawberry.field(
        default=None, description="One applicant's cases (applicants always see only theirs)."
    )

    def to_filter(self, applicant: str | None) -> CaseFilter:
        """The register's filter; ``applicant`` (an applicant caller's own id, see
        ``applicant_filter``) replaces ``applicantId`` whenever it is not ``None``."""
        return CaseFilter(
            status=self.status.value if self.status else None,
            requested_from=self.requested_from,
            requested_to=self.requested_to,
            staff=self.staff,
            overdue=self.overdue,
            item_code=self.item_code,
            applicant_id=self.applicant_id if applicant is None else applicant,
        )
