"""GraphQL subscription of the complaint register: one complaint now, then after each change.

Who may follow a complaint is who may read it (``complaint``): the hall's staff, and the
complainant; another applicant's complaint, another hall's and a missing one stream ``null``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from gateway.cases.listing import STAFF_AND_APPLICANTS, parse_uuid
from gateway.complaints.register import ComplaintRegisterEntry
from gateway.context import Info
from gateway.security import allow, applicant_filter, hall_of
from gateway.subscriptions import projected_changes
from projections.complaints import ComplaintRow, complaints_by_id

__all__ = ["ComplaintSubscriptions"]


@strawberry.type
class ComplaintSubscriptions:
    @allow(*STAFF_AND_APPLICANTS)
    @strawberry.subscription(
        description="A complaint of the register (status, due date, extensions, finding, "
        "overdue) now, then each time its events reach the register; null when it does not "
        "exist, is another hall's, or (for applicants) is someone else's."
    )
    async def complaint_changed(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[ComplaintRegisterEntry | None, None]:
        hall = hall_of(info)
        complaint_id = parse_uuid(id)
        applicant = applicant_filter(info)
        pool = info.context.platform.app_pool

        def read() -> ComplaintRow | None:
            if complaint_id is None:
                return None
            row = complaints_by_id(pool, hall, [complaint_id]).get(complaint_id)
            if row is None or applicant not in {None, row.applicant_id}:
                return None
            return row

        async for row in projected_changes(info, hall, "complaint_register", read):
            info.context.loaders.clear()  # each value's related records are read afresh
            yield ComplaintRegisterEntry.from_row(row, hall) if row else None
