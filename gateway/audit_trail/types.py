"""GraphQL types of the audit trail: an entry and the search filter."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.security import INHERITED, allow
from services.audit.trail import AuditTrailFilter, AuditTrailRow
from services.shared.working_days import CHINA_TZ

__all__ = ["AuditTrailEntry", "AuditTrailSearch"]


@allow(INHERITED)
@strawberry.type(
    description="One staff or system action of the hall: who, what, which record, when, and "
    "where in the hall's log. No personal data: no field of the event is copied."
)
class AuditTrailEntry:
    position: int = strawberry.field(description="Position of the event in the hall's log.")
    occurred_at: datetime = strawberry.field(description="When the action happened.")
    actor: str = strawberry.field(description="Who acted: the command's caller (or system).")
    event_type: str = strawberry.field(description="Public event type, e.g. queue.TicketCalled.")
    event_version: int
    record_id: str = strawberry.field(description="The aggregate (record) the event changed.")
    record_version: int = strawberry.field(description="The record's version after the event.")
    reference: str | None = strawberry.field(
        description="The record as people name it, where there is such a name: a code, a "
        "badge, or a queue day and ticket (ZH 2026-03-02 A003)."
    )

    @classmethod
    def from_row(cls, row: AuditTrailRow) -> AuditTrailEntry:
        return cls(
            position=row.position,
            occurred_at=row.occurred_at,
            actor=row.actor,
            event_type=row.event_type,
            event_version=row.event_version,
            record_id=row.aggregate_id,
            record_version=row.aggregate_version,
            reference=row.reference,
        )


@strawberry.input(description="What to search the audit trail for; all given criteria apply.")
class AuditTrailSearch:
    actor: str | None = None
    record_id: str | None = strawberry.field(default=None, description="The record's id.")
    reference: str | None = strawberry.field(
        default=None,
        description="A reference, with everything under it: 'ZH 2026-03-02' finds the queue "
        "day and each of its tickets.",
    )
    event_type: str | None = None
    occurred_from: datetime | None = strawberry.field(
        default=None, description="Inclusive; a time without an offset is Beijing time."
    )
    occurred_before: datetime | None = strawberry.field(
        default=None, description="Exclusive; a time without an offset is Beijing time."
    )

    def to_filter(self) -> AuditTrailFilter:
        return AuditTrailFilter(
            actor=self.actor,
            record_id=self.record_id,
            reference=self.reference,
            event_type=self.event_type,
            occurred_from=_beijing(self.occurred_from),
            occurred_before=_beijing(self.occurred_before),
        )


def _beijing(moment: datetime | None) -> datetime | None:
    """``moment``, in Beijing time when it has no offset (as the halls' days are), not in the
    database server's zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=CHINA_TZ)
