"""GraphQL of the audit context: read-only history for auditors, the access log and
personal-data erasure for hall admins.

Auditors read their token's hall; platform operators name the hall (``hallId``). Every read
needs a ``reason`` and is recorded in the hall's log before it runs.
"""

from __future__ import annotations

import strawberry

from gateway.audit.types import (
    AuditAccessEntryType,
    AuditEventType,
    AuditHistoryFilterInput,
    AuditHistoryPage,
    AuditPointInput,
    AuditRecordDiffType,
    AuditRecordStateType,
    PersonalDataErasureType,
)
from gateway.context import Info, run_sync
from gateway.security import Role, allow, hall_of, readable_hall
from services.audit import Accessor, AuditReader, HistoryFilter, Point, list_access_log
from services.privacy import PrivacyService
from services.shared.errors import NotFoundError, ValidationError

__all__ = ["AuditMutations", "AuditQueries"]

READERS = (Role.AUDITOR, Role.PLATFORM_OPERATOR)


def _audited(info: Info, hall_id: str | None, reason: str) -> tuple[AuditReader, str, Accessor]:
    principal = info.context.principal
    hall = readable_hall(info, hall_id)
    if hall is None:
        if hall_id is None:
            raise ValidationError("platform operators name the hall to read (hallId)")
        raise NotFoundError(f"hall {hall_id!r} does not exist")
    role = principal.role.value if principal.role else "anonymous"
    accessor = Accessor(actor=principal.subject, role=role, reason=reason)
    return AuditReader(info.context.platform.store), hall, accessor


def _point(point: AuditPointInput) -> Point:
    return Point(position=point.position, at=point.at)


@strawberry.type
class AuditQueries:
    @allow(*READERS)
    @strawberry.field(
        description="A page of the hall's event history (auditors: their hall; operators: "
        "hallId). Needs a reason; the read is logged first."
    )
    async def audit_history(
        self,
        info: Info,
        reason: str,
        filter: AuditHistoryFilterInput | None = None,
        after: int = 0,
        first: int = 50,
        personal_data: bool = False,
        hall_id: str | None = None,
    ) -> AuditHistoryPage:
        reader, hall, accessor = _audited(info, hall_id, reason)
        f = filter or AuditHistoryFilterInput()
        where = HistoryFilter(f.aggregate_id, f.event_type, f.actor, f.since, f.until)
        page = await run_sync(
            reader.history, hall, accessor, where, after=after, first=first, personal=personal_data
        )
        return AuditHistoryPage(
            events=[AuditEventType.of(e) for e in page.entries], next_after=page.next_after
        )

    @allow(*READERS)
    @strawberry.field(description="A record as it was at a position or time (logged).")
    async def audit_record_as_of(
        self,
        info: Info,
        reason: str,
        aggregate_id: str,
        at: AuditPointInput,
        personal_data: bool = False,
        hall_id: str | None = None,
    ) -> AuditRecordStateType:
        reader, hall, accessor = _audited(info, hall_id, reason)
        state = await run_sync(
            reader.as_of, hall, accessor, aggregate_id, _point(at), personal=personal_data
        )
        return AuditRecordStateType.of(state)

    @allow(*READERS)
    @strawberry.field(description="A record's field-level changes between two points (logged).")
    async def audit_record_diff(
        self,
        info: Info,
        reason: str,
        aggregate_id: str,
        start: AuditPointInput,
        end: AuditPointInput,
        personal_data: bool = False,
        hall_id: str | None = None,
    ) -> AuditRecordDiffType:
        reader, hall, accessor = _audited(info, hall_id, reason)
        diff = await run_sync(
            reader.diff,
            hall,
            accessor,
            aggregate_id,
            _point(start),
            _point(end),
            personal=personal_data,
        )
        return AuditRecordDiffType.of(diff)

    @allow(Role.HALL_ADMIN)
    @strawberry.field(
        description="Who read the hall's history, when, what and why; newest first "
        "(hall admins). 'before' pages back by position."
    )
    async def audit_access_log(
        self, info: Info, first: int = 50, before: int | None = None
    ) -> list[AuditAccessEntryType]:
        hall = hall_of(info)
        entries = await run_sync(
            list_access_log, info.context.platform.app_pool, hall, first=first, before=before
        )
        return [AuditAccessEntryType.of(e) for e in entries]


@strawberry.type
class AuditMutations:
    @allow(Role.HALL_ADMIN)
    @strawberry.mutation(
        description="Erase a data subject's personal data in the caller's hall (hall admins): "
        "destroys the subject's keys and records PersonalDataErased; every read then shows "
        "'[erased]'. subjectId is an applicant id, or record:<id> for a record's own data. "
        "Nothing is recorded unless a key is destroyed: NOT_FOUND when the hall holds no "
        "personal data of the subject; VALIDATION for record:<id> of a record whose data "
        "belong to a data subject (erase the subject). A subject erased before returns that "
        "earlier erasure."
    )
    async def erase_personal_data(
        self, info: Info, subject_id: str, reason: str
    ) -> PersonalDataErasureType:
        hall = hall_of(info)
        app = info.context.platform.hall_app(PrivacyService, hall)
        erasure = await run_sync(
            app.erase_personal_data, subject_id, reason, info.context.principal.subject
        )
        return PersonalDataErasureType.of(erasure)
