"""GraphQL types of the complaint register: an entry, its extensions, the filter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import strawberry

from gateway.cases.listing import parse_uuid
from gateway.complaints.types import (
    ComplaintChannelEnum,
    ComplaintClassEnum,
    ComplaintStatusEnum,
    FindingEnum,
    RejectionReasonEnum,
)
from gateway.context import Info
from gateway.dataloaders import load
from gateway.rectifications.register import RectificationLedgerEntry, ledger_entries_by_uuid
from gateway.relay import Node, global_id
from gateway.security import HALL_STAFF, INHERITED, allow
from projections.complaints import ComplaintFilter, ComplaintRow, complaints_by_id
from services.rectifications import Rectification
from services.store.pool import Pool

__all__ = [
    "NODE",
    "ComplaintExtension",
    "ComplaintRegisterEntry",
    "ComplaintRegisterFilter",
    "complaint_entries",
]

NODE = "ComplaintRegisterEntry"


@allow(INHERITED)
@strawberry.type(description="One extension of a complaint's deadline (延期), with its reason.")
class ComplaintExtension:
    working_days: int
    reason: str
    previous_due_on: date
    due_on: date
    extended_at: datetime
    actor: str

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ComplaintExtension:
        return cls(
            working_days=int(value["working_days"]),
            reason=str(value["reason"]),
            previous_due_on=date.fromisoformat(value["previous_due_on"]),
            due_on=date.fromisoformat(value["due_on"]),
            extended_at=datetime.fromisoformat(value["extended_at"]),
            actor=str(value["actor"]),
        )


@allow(INHERITED)
@strawberry.type(
    description="A complaint in the hall's complaint register (read model, GB/T 36113). "
    "The complainant's name, phone and the facts are not in the register."
)
class ComplaintRegisterEntry(Node):
    complaint_id: strawberry.ID = strawberry.field(description="The id mutations take.")
    status: ComplaintStatusEnum
    channel: ComplaintChannelEnum
    anonymous: bool
    applicant_id: str = strawberry.field(description="The complainant (empty: anonymous).")
    respondent_window: str
    respondent_badge: str
    complaint_class: ComplaintClassEnum | None
    rejection_reason: RejectionReasonEnum | None
    accepted_on: date | None = strawberry.field(
        description="The day (Beijing) the complaint was accepted (受理); a reopening keeps "
        "it. Empty for complaints accepted before the register kept it, until rebuilt."
    )
    time_limit_working_days: int | None = strawberry.field(
        description="Working days of the round: the class's limit at acceptance; after a "
        "reopening, the hall's complex limit it followed."
    )
    accepted_due_on: date | None = strawberry.field(
        description="The due date set at acceptance (or the last reopening), before extensions."
    )
    due_on: date | None = strawberry.field(
        description="The due date now (Beijing), as the events set and extended it."
    )
    extensions: list[ComplaintExtension]
    assignee: str | None
    finding: FindingEnum | None
    handling_round: int
    replied_on: date | None = strawberry.field(
        description="The day (Beijing) of this round's reply (意见反馈); null until replied, "
        "cleared by a reopening (and empty for replies before the register kept it, until "
        "rebuilt)."
    )
    replied_on_time: bool | None = strawberry.field(
        description="Replied by the due date in force and no due date of the round missed "
        "before (null until replied)."
    )
    overdue: bool = strawberry.field(
        description="A due date of this round passed before the reply (ComplaintOverdue, or a "
        "late reply); an extension does not undo it, a reopening starts a new round."
    )
    satisfied: bool | None
    received_at: datetime
    updated_at: datetime
    version: int
    hall_id: strawberry.Private[str]

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The rectification (整改) this round's substantiated finding opened, as "
        "the ledger shows it."
    )
    async def rectification(self, info: Info) -> RectificationLedgerEntry | None:
        if self.finding is None or self.finding.value == "NOT_SUBSTANTIATED":
            return None
        source_id = f"{self.complaint_id}#{self.handling_round}"
        key = Rectification.create_id(self.hall_id, "COMPLAINT", source_id)
        return await load(info, ledger_entries_by_uuid, self.hall_id, key)

    @classmethod
    def from_row(cls, row: ComplaintRow, hall: str) -> ComplaintRegisterEntry:
        return cls(
            id=global_id(NODE, hall, str(row.complaint_id)),
            complaint_id=strawberry.ID(str(row.complaint_id)),
            status=ComplaintStatusEnum(row.status),
            channel=ComplaintChannelEnum(row.channel),
            anonymous=row.anonymous,
            # Complaints recorded before anonymous ones dropped the id may still carry it.
            applicant_id="" if row.anonymous else row.applicant_id,
            respondent_window=row.respondent_window,
            respondent_badge=row.respondent_badge,
            complaint_class=ComplaintClassEnum(row.complaint_class)
            if row.complaint_class
            else None,
            rejection_reason=RejectionReasonEnum(row.rejection_reason)
            if row.rejection_reason
            else None,
            accepted_on=row.accepted_on,
            time_limit_working_days=row.time_limit_working_days,
            accepted_due_on=row.accepted_due_on,
            due_on=row.due_on,
            extensions=[ComplaintExtension.from_json(e) for e in row.extensions],
            assignee=row.assignee,
            finding=FindingEnum(row.finding) if row.finding else None,
            handling_round=row.handling_round,
            replied_on=row.replied_on,
            replied_on_time=row.replied_on_time,
            overdue=row.overdue,
            satisfied=row.satisfied,
            received_at=row.received_at,
            updated_at=row.updated_at,
            version=row.version,
            hall_id=hall,
        )


def complaint_entries(
    pool: Pool, hall: str, ids: Sequence[str]
) -> Mapping[str, ComplaintRegisterEntry]:
    """Node loader: the hall's register entries by complaint id (one query)."""
    wanted = {i: u for i in ids if (u := parse_uuid(i)) is not None}
    rows = complaints_by_id(pool, hall, list(wanted.values()))
    return {
        i: ComplaintRegisterEntry.from_row(rows[u], hall) for i, u in wanted.items() if u in rows
    }


@strawberry.input(description="Which complaints to list; every field is optional.")
class ComplaintRegisterFilter:
    status: ComplaintStatusEnum | None = None
    received_from: date | None = strawberry.field(
        default=None, description="First day (Beijing) of complaints to list."
    )
    received_to: date | None = strawberry.field(
        default=None, description="Last day (Beijing) of complaints to list."
    )
    window: str | None = strawberry.field(default=None, description="The respondent window.")
    staff: str | None = strawberry.field(default=None, description="The respondent's badge.")
    overdue: bool | None = None
    complaint_class: ComplaintClassEnum | None = None

    def to_filter(self, applicant: str | None) -> ComplaintFilter:
        return ComplaintFilter(
            status=self.status.value if self.status else None,
            received_from=self.received_from,
            received_to=self.received_to,
            window=self.window,
            staff=self.staff,
            overdue=self.overdue,
            complaint_class=self.complaint_class.value if self.complaint_class else None,
            applicant_id=applicant,
        )
