"""GraphQL types of the rectification ledger (整改台账): an entry, the filter, the loaders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

import strawberry

from gateway.cases.listing import parse_uuid
from gateway.rectifications.types import (
    DispositionEnum,
    RectificationSourceEnum,
    RectificationStatusEnum,
    graphql_enum,
)
from gateway.relay import Node, global_id
from gateway.security import INHERITED, allow
from projections.rectifications import (
    RectificationFilter,
    RectificationRow,
    rectifications_by_id,
)
from services.rectifications import values as v
from services.store.pool import Pool

__all__ = [
    "NODE",
    "RectificationLedgerEntry",
    "RectificationLedgerFilter",
    "ledger_entries",
    "ledger_entries_by_uuid",
]

NODE = "RectificationLedgerEntry"
if TYPE_CHECKING:
    DeadlineKindEnum = v.DeadlineKind
else:
    DeadlineKindEnum = graphql_enum(
        v.DeadlineKind, "RectificationDeadline", "核实回访 (VERIFICATION) or the ledger's due date."
    )


@allow(INHERITED)
@strawberry.type(
    description="A rectification (整改) in the hall's ledger (read model): its source, owner, "
    "due dates, state and whether a deadline of the open step was missed."
)
class RectificationLedgerEntry(Node):
    rectification_id: strawberry.ID = strawberry.field(description="The id mutations take.")
    source: RectificationSourceEnum
    source_id: str = strawberry.field(
        description="The evaluation, complaint (#round) or inspection (#finding) behind it."
    )
    applicant_id: str = strawberry.field(description="The rater or complainant, if any.")
    window_code: str = strawberry.field(description="Owner: the window the problem concerns.")
    staff_badge: str = strawberry.field(
        description="Owner: the staff member the problem concerns (empty: not known)."
    )
    summary: str
    status: RectificationStatusEnum
    disposition: DispositionEnum | None
    handling_round: int
    handled_by: str | None = strawberry.field(
        description="Who took the last step (verification call, disposition, feedback)."
    )
    verification_due_on: date = strawberry.field(description="核实回访 due (working days).")
    contacted: bool | None
    verified_on_time: bool | None
    plan: list[str] | None = strawberry.field(description="The ledger's plan (建台账).")
    working_days: int | None
    due_on: date | None = strawberry.field(description="The ledger entry's due date.")
    completed_on_time: bool | None
    overdue: bool = strawberry.field(
        description="The open step's deadline was missed, as the scheduler recorded it "
        "(RectificationOverdue); cleared by the next step."
    )
    overdue_deadline: DeadlineKindEnum | None
    overdue_since: date | None = strawberry.field(description="The day the miss was recorded.")
    missed_deadlines: int = strawberry.field(description="Deadlines missed in all.")
    opened_at: datetime
    closed_at: datetime | None = strawberry.field(
        description="When it ended: the review passed (CLOSED) or it was withdrawn (WITHDRAWN)."
    )
    updated_at: datetime
    version: int

    @classmethod
    def from_row(cls, row: RectificationRow, hall: str) -> RectificationLedgerEntry:
        return cls(
            id=global_id(NODE, hall, str(row.rectification_id)),
            rectification_id=strawberry.ID(str(row.rectification_id)),
            source=RectificationSourceEnum(row.source),
            source_id=row.source_id,
            applicant_id=row.applicant_id,
            window_code=row.window_code,
            staff_badge=row.staff_badge,
            summary=row.summary,
            status=RectificationStatusEnum(row.status),
            disposition=DispositionEnum(row.disposition) if row.disposition else None,
            handling_round=row.handling_round,
            handled_by=row.handled_by,
            verification_due_on=row.verification_due_on,
            contacted=row.contacted,
            verified_on_time=row.verified_on_time,
            plan=list(row.plan) if row.plan is not None else None,
            working_days=row.working_days,
            due_on=row.due_on,
            completed_on_time=row.completed_on_time,
            overdue=row.overdue,
            overdue_deadline=DeadlineKindEnum(row.overdue_deadline)
            if row.overdue_deadline
            else None,
            overdue_since=row.overdue_since,
            missed_deadlines=row.missed_deadlines,
            opened_at=row.opened_at,
            closed_at=row.closed_at,
            updated_at=row.updated_at,
            version=row.version,
        )


def ledger_entries_by_uuid(
    pool: Pool, hall: str, ids: Sequence[UUID]
) -> Mapping[UUID, RectificationLedgerEntry]:
    """Batch query (dataloader): the hall's ledger entries by rectification id."""
    rows = rectifications_by_id(pool, hall, ids)
    return {i: RectificationLedgerEntry.from_row(r, hall) for i, r in rows.items()}


def ledger_entries(
    pool: Pool, hall: str, ids: Sequence[str]
) -> Mapping[str, RectificationLedgerEntry]:
    """Node loader: the hall's ledger entries by id (one query)."""
    wanted = {i: u for i in ids if (u := parse_uuid(i)) is not None}
    found = ledger_entries_by_uuid(pool, hall, list(wanted.values()))
    return {i: found[u] for i, u in wanted.items() if u in found}


@strawberry.input(description="Which rectifications to list; every field is optional.")
class RectificationLedgerFilter:
    status: RectificationStatusEnum | None = None
    source: RectificationSourceEnum | None = None
    opened_from: date | None = strawberry.field(
        default=None, description="First day (Beijing) of rectifications to list."
    )
    opened_to: date | None = strawberry.field(
        default=None, description="Last day (Beijing) of rectifications to list."
    )
    window: str | None = strawberry.field(default=None, description="The owner window.")
    staff: str | None = strawberry.field(default=None, description="The owner's badge.")
    overdue: bool | None = None

    def to_filter(self) -> RectificationFilter:
        return RectificationFilter(
            status=self.status.value if self.status else None,
            source=self.source.value if self.source else None,
            opened_from=self.opened_from,
            opened_to=self.opened_to,
            window=self.window,
            staff=self.staff,
            overdue=self.overdue,
        )
