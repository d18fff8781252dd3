"""GraphQL subscription of the case register: one case now, then after each change.

Who may follow a case is who may read it (``assistanceCase``): the hall's staff, and the
applicant for their own case; another applicant's case, another hall's and a missing one
all stream ``null``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from gateway.cases.listing import STAFF_AND_APPLICANTS, parse_uuid
from gateway.cases.register import CaseRegisterEntry
from gateway.context import Info
from gateway.security import allow, applicant_filter, hall_of
from gateway.subscriptions import projected_changes
from projections.cases import CaseRow, cases_by_id

__all__ = ["CaseSubscriptions"]


@strawberry.type
class CaseSubscriptions:
    @allow(*STAFF_AND_APPLICANTS)
    @strawberry.subscription(
        description="A case of the register (status, due date, notice, overdue, history) "
        "now, then each time its events reach the register; null when it does not exist, is "
        "another hall's, or (for applicants) is someone else's."
    )
    async def assistance_case_changed(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[CaseRegisterEntry | None, None]:
        hall = hall_of(info)
        case_id = parse_uuid(id)
        applicant = applicant_filter(info)
        pool = info.context.platform.app_pool

        def read() -> CaseRow | None:
            if case_id is None:
                return None
            row = cases_by_id(pool, hall, [case_id]).get(case_id)
            if row is None or applicant not in {None, row.applicant_id}:
                return None
            return row

        async for row in projected_changes(info, hall, "case_register", read):
            info.context.loaders.clear()  # each value's history is read afresh
            yield CaseRegisterEntry.from_row(row, hall) if row else None
