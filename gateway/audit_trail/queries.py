"""The audit trail query: a hall's staff and system actions, newest first, searchable.

Who reads it: auditors, hall admins and supervisors (督查, who check what staff did) of the
token's hall (the hall is never an argument, so another hall's records simply are not there;
a token bound to no hall is ``FORBIDDEN``). The trail names actors, event types and
records, never personal data, so — unlike ``auditHistory``, which shows events' payloads —
reading it needs no reason and is not itself logged.
"""

from __future__ import annotations

import strawberry

from gateway.audit_trail.types import AuditTrailEntry, AuditTrailSearch
from gateway.cases.listing import newest_first
from gateway.context import Info
from gateway.errors import InputError
from gateway.relay import Connection
from gateway.security import Role, allow, hall_of
from services.audit.trail import AuditTrailFilter, audit_trail

__all__ = ["AuditTrailQueries"]


def _checked(search: AuditTrailSearch | None) -> AuditTrailFilter:
    filters = (search or AuditTrailSearch()).to_filter()
    start, end = filters.occurred_from, filters.occurred_before
    if start is not None and end is not None and end <= start:
        raise InputError(f"occurredFrom/occurredBefore: the range is empty ({start} → {end})")
    return filters


@strawberry.type
class AuditTrailQueries:
    @allow(Role.AUDITOR, Role.HALL_ADMIN, Role.SUPERVISOR)
    @strawberry.field(
        description="The hall's audit trail: every staff and system action (who, what, which "
        "record, when, log position), newest first; search by actor, record (id or "
        "reference), event type and time range (auditors, hall admins, supervisors)."
    )
    async def audit_trail(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: AuditTrailSearch | None = None,
    ) -> Connection[AuditTrailEntry]:
        hall = hall_of(info)
        filters = _checked(search)
        pool = info.context.platform.app_pool
        return await newest_first(
            info,
            first=first,
            after=after,
            fetch=lambda before, limit: audit_trail(
                pool, hall, filters, before=before, limit=limit
            ),
            position=lambda row: row.position,
            node=AuditTrailEntry.from_row,
        )
