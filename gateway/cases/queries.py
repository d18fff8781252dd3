"""GraphQL queries of the case register (帮办代办): a page of cases with filters, one case,
the register's figures per month.

The hall is the token's. Staff, hall admins and supervisors read every case of their hall
and the figures; an applicant reads only their own cases (the token's subject is the
applicant id): another applicant's case, another hall's, and a missing one all answer
``null``.
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
from gateway.cases.register import (
    NODE,
    CaseRegisterEntry,
    CaseRegisterFilter,
    case_entries,
)
from gateway.cases.summary import CaseSummaryEntry, month_key
from gateway.context import Info, run_sync
from gateway.relay import Connection, connection_from_rows, register_node
from gateway.security import HALL_STAFF, allow, applicant_filter, hall_of, visible_to_caller
from projections.cases import case_summary, cases_by_id, list_cases

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

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The case register's figures of the caller's hall per month (Beijing): "
        "requests, completions, 按时办结率, terminations and the days to close; oldest month "
        "first. monthFrom / monthTo (YYYY-MM, inclusive) limit the months."
    )
    async def assistance_case_summary(
        self,
        info: Info,
        month_from: str | None = None,
        month_to: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CaseSummaryEntry]:
        hall = hall_of(info)
        start, end = check_months(month_from, month_to)
        pool = info.context.platform.app_pool
        rows = await run_sync(case_summary, pool, hall, month_from=start, month_to=end)
        entries = [CaseSummaryEntry.from_summary(r) for r in rows]
        return connection_from_rows(
            info, entries, first=first, after=after, key=month_key, node=lambda e: e
        )
