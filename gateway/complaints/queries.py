"""GraphQL queries of the complaint register: a page of complaints with filters, one
complaint, the register's figures per month.

The hall is the token's. Staff, hall admins and supervisors read every complaint of their
hall and the figures; an applicant reads only their own complaints (the token's subject is
the applicant id; anonymous complaints are nobody's): another applicant's complaint, another
hall's, and a missing one all answer ``null``.
"""

from __future__ import annotations

import strawberry

from gateway.cases.listing import (
    STAFF_AND_APPLICANTS,
    check_months,
    check_range,
    newest_first,
    parse_uuid,
)
from gateway.complaints.register import (
    NODE,
    ComplaintRegisterEntry,
    ComplaintRegisterFilter,
    complaint_entries,
)
from gateway.complaints.summary import ComplaintSummaryEntry, month_key
from gateway.context import Info, run_sync
from gateway.relay import Connection, connection_from_rows, register_node
from gateway.security import HALL_STAFF, allow, applicant_filter, hall_of, visible_to_caller
from projections.complaints import complaint_summary, complaints_by_id, list_complaints

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

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The complaint register's figures of the caller's hall per month "
        "(Beijing): complaints received and replied, the on-time rate, 属实率 and the days to "
        "close; oldest month first. monthFrom / monthTo (YYYY-MM, inclusive) limit the months."
    )
    async def complaint_summary(
        self,
        info: Info,
        month_from: str | None = None,
        month_to: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ComplaintSummaryEntry]:
        hall = hall_of(info)
        start, end = check_months(month_from, month_to)
        pool = info.context.platform.app_pool
        rows = await run_sync(complaint_summary, pool, hall, month_from=start, month_to=end)
        entries = [ComplaintSummaryEntry.from_summary(r) for r in rows]
        return connection_from_rows(
            info, entries, first=first, after=after, key=month_key, node=lambda e: e
        )
