"""GraphQL types of the audit context (read-only views of a hall's history)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from gateway.security import INHERITED, allow
from services.audit import AccessEntry, FieldChange, HistoryEntry, RecordDiff, RecordState
from services.privacy import Erasure

__all__ = [
    "AuditAccessEntryType",
    "AuditEventType",
    "AuditFieldChangeType",
    "AuditHistoryFilterInput",
    "AuditHistoryPage",
    "AuditPointInput",
    "AuditRecordDiffType",
    "AuditRecordStateType",
    "PersonalDataErasureType",
]


@allow(INHERITED)
@strawberry.type(name="AuditEvent", description="One event of a hall's log, with its chain link.")
class AuditEventType:
    position: int
    aggregate_id: str
    aggregate_version: int
    event_type: str = strawberry.field(
        description="Public type, e.g. complaints.ComplaintReceived."
    )
    event_version: int | None
    recorded_at: datetime = strawberry.field(description="Commit time (the database's clock).")
    occurred_at: str | None
    actor: str | None
    payload: JSON = strawberry.field(
        description="The event's contract payload; personal fields '[redacted]' unless asked "
        "for, '[erased]' after an erasure."
    )
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: HistoryEntry) -> AuditEventType:
        return cls(
            position=e.position,
            aggregate_id=e.aggregate_id,
            aggregate_version=e.aggregate_version,
            event_type=e.event_type,
            event_version=e.event_version,
            recorded_at=e.recorded_at,
            occurred_at=e.occurred_at,
            actor=e.actor,
            payload=JSON(e.payload),
            prev_hash=e.prev_hash,
            hash=e.hash,
        )


@allow(INHERITED)
@strawberry.type(description="A page of a hall's event history.")
class AuditHistoryPage:
    events: list[AuditEventType]
    next_after: int | None = strawberry.field(
        description="Pass as 'after' for the next page; null on the last page."
    )


@allow(INHERITED)
@strawberry.type(name="AuditRecordState", description="A record as it was at a point in time.")
class AuditRecordStateType:
    aggregate_id: str
    record_type: str
    version: int
    position: int = strawberry.field(description="Position of the event that made this version.")
    recorded_at: datetime
    state: JSON

    @classmethod
    def of(cls, s: RecordState) -> AuditRecordStateType:
        return cls(
            aggregate_id=s.aggregate_id,
            record_type=s.record_type,
            version=s.version,
            position=s.position,
            recorded_at=s.recorded_at,
            state=JSON(s.state),
        )


@allow(INHERITED)
@strawberry.type(name="AuditFieldChange", description="One field that changed.")
class AuditFieldChangeType:
    field: str = strawberry.field(description="Dotted path for nested fields.")
    kind: str = strawberry.field(description="ADDED, REMOVED or CHANGED.")
    before: JSON | None
    after: JSON | None

    @classmethod
    def of(cls, c: FieldChange) -> AuditFieldChangeType:
        return cls(field=c.field, kind=c.kind, before=JSON(c.before), after=JSON(c.after))


@allow(INHERITED)
@strawberry.type(name="AuditRecordDiff", description="A record's changes between two points.")
class AuditRecordDiffType:
    before: AuditRecordStateType | None = strawberry.field(
        description="Null when the record did not exist yet at the first point."
    )
    after: AuditRecordStateType
    changes: list[AuditFieldChangeType]

    @classmethod
    def of(cls, d: RecordDiff) -> AuditRecordDiffType:
        return cls(
            before=AuditRecordStateType.of(d.before) if d.before else None,
            after=AuditRecordStateType.of(d.after),
            changes=[AuditFieldChangeType.of(c) for c in d.changes],
        )


@allow(INHERITED)
@strawberry.type(name="AuditAccessEntry", description="One read of the hall's history.")
class AuditAccessEntryType:
    position: int
    recorded_at: datetime
    actor: str
    role: str
    action: str = strawberry.field(description="HISTORY, AS_OF, DIFF, EXPORT or REPLAY.")
    scope: str
    reason: str
    personal: bool = strawberry.field(description="Whether personal data was shown.")

    @classmethod
    def of(cls, e: AccessEntry) -> AuditAccessEntryType:
        return cls(
            position=e.position,
            recorded_at=e.recorded_at,
            actor=e.actor,
            role=e.role,
            action=e.action,
            scope=e.scope,
            reason=e.reason,
            personal=e.personal,
        )


@allow(INHERITED)
@strawberry.type(name="PersonalDataErasure", description="The result of an erasure.")
class PersonalDataErasureType:
    subject_id: str
    position: int = strawberry.field(description="Position of PersonalDataErased in the log.")
    record_ids: list[str] = strawberry.field(description="Records that held the subject's data.")

    @classmethod
    def of(cls, e: Erasure) -> PersonalDataErasureType:
        return cls(subject_id=e.subject_id, position=e.position, record_ids=list(e.record_ids))


@strawberry.input(description="Which events to list (all given conditions must hold).")
class AuditHistoryFilterInput:
    aggregate_id: str | None = None
    event_type: str | None = None
    actor: str | None = None
    since: datetime | None = strawberry.field(default=None, description="Recorded at or after.")
    until: datetime | None = strawberry.field(default=None, description="Recorded before.")


@strawberry.input(description="A point in the hall's history: a log position or a time.")
class AuditPointInput:
    position: int | None = None
    at: datetime | None = None
