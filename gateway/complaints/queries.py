"""GraphQL queries of the complaint register: a page of complaints with filters, one
complaint.

The hall is the token's. Staff, hall admins and supervisors read every complaint of their
hall; an applicant reads only their own (the token's subject is the applicant id; anonymous
complaints are nobody's): another applicant's complaint, another hall's, and a missing one
all answer ``null``.
"""

from __future__ import annotations

import strawberry

from gateway.cases.listing import STAFF_AND_APPLICANTS, check_range, newest_first, parse_uuid
from gateway.complaints.register import (
    NODE,
    ComplaintRegisterEntry,
    ComplaintRegisterFilter,
    complaint_entries,
)
from gateway.context import Info, run_sync
from gateway.relay import Connection, register_node
from gateway.security import HALL_STAFF, allow, applicant_filter, hall_of, visible_to_caller
from projections.complaints import complaints_by_id, list_complaints

__all__ = ["ComplaintQueries"]

register_node(NODE, load=complaint_entries, who=HALL_STAFF)


@strawberry.type
class ComplaintQueries:
    @allow(*STAFF_AND_APPLICANTS)
    @strawberry.field(
        description="The hall's complaint register, newest first: status, class, respondent, "
        "due date, extensions, finding, overdue. Applicants see their own complaints."
    )
    async def complaints(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ComplaintRegisterFilter | None = None,
    ) -> Connection[ComplaintRegisterEntry]:
        hall = hall_of(info)
        filters = (filter or ComplaintRegisterFilter()).to_filter(applicant_filter(info))
        check_range(filters.received_from, filters.received_to, "receivedFrom/receivedTo")
        pool = info.context.platform.app_pool
        return await newest_first(
            info,
            first=first,
            after=after,
            fetch=lambda before, limit: list_complaints(
                pool, hall, filters, before=before, limit=limit
            ),
            position=lambda row: row.received_position,
            node=lambda row: ComplaintRegisterEntry.from_row(row, hall),
        )

    @allow(*STAFF_AND_APPLICANTS)
    @strawberry.field(
        description="One complaint of the register by its id; null when it does not exist, "
        "is another hall's, or (for applicants) is someone else's."
    )
    async def complaint(self, info: Info, id: strawberry.ID) -> ComplaintRegisterEntry | None:
        hall = hall_of(info)
        complaint_id = parse_uuid(id)
        if complaint_id is None:
            return None
        pool = info.context.platform.app_pool
        rows = await run_sync(complaints_by_id, pool, hall, [complaint_id])
        row = rows.get(complaint_id)
        if row is None or not visible_to_caller(info, row.applicant_id):
            return None
        return ComplaintRegisterEntry.from_row(row, hall)
