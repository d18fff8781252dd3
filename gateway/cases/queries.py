"""GraphQL queries of the case register (帮办代办): a page of cases with filters, one case.

The hall is the token's. Staff, hall admins and supervisors read every case of their hall;
an applicant reads only their own (the token's subject is the applicant id): another
applicant's case, another hall's, and a missing one all answer ``null``.
"""

from __future__ import annotations

import strawberry

from gateway.cases.listing import STAFF_AND_APPLICANTS, check_range, newest_first, parse_uuid
from gateway.cases.register import (
    NODE,
    CaseRegisterEntry,
    CaseRegisterFilter,
    case_entries,
)
from gateway.context import Info, run_sync
from gateway.relay import Connection, register_node
from gateway.security import HALL_STAFF, allow, applicant_filter, hall_of, visible_to_caller
from projections.cases import cases_by_id, list_cases

__all__ = ["CaseQueries"]

register_node(NODE, load=case_entries, who=HALL_STAFF)


@strawberry.type
class CaseQueries:
    @allow(*STAFF_AND_APPLICANTS)
    @strawberry.field(
        description="The hall's case register, newest request first: status, 首问负责, "
        "一次性告知, due date (限时办结), overdue, history. Applicants see their own cases."
    )
    async def assistance_cases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CaseRegisterFilter | None = None,
    ) -> Connection[CaseRegisterEntry]:
        hall = hall_of(info)
        filters = (filter or CaseRegisterFilter()).to_filter(applicant_filter(info))
        check_range(filters.requested_from, filters.requested_to, "requestedFrom/requestedTo")
        pool = info.context.platform.app_pool

        return await newest_first(
            info,
            first=first,
            after=after,
            fetch=lambda before, limit: list_cases(pool, hall, filters, before=before, limit=limit),
            position=lambda row: row.requested_position,
            node=lambda row: CaseRegisterEntry.from_row(row, hall),
        )

    @allow(*STAFF_AND_APPLICANTS)
    @strawberry.field(
        description="One case of the register by its case id; null when it does not exist, "
        "is another hall's, or (for applicants) is someone else's."
    )
    async def assistance_case(self, info: Info, id: strawberry.ID) -> CaseRegisterEntry | None:
        hall = hall_of(info)
        case_id = parse_uuid(id)
        if case_id is None:
            return None
        pool = info.context.platform.app_pool
        rows = await run_sync(cases_by_id, pool, hall, [case_id])
        row = rows.get(case_id)
        if row is None or not visible_to_caller(info, row.applicant_id):
            return None
        return CaseRegisterEntry.from_row(row, hall)
