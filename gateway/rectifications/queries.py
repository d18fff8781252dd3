"""GraphQL queries of the rectification ledger (整改台账): a page with filters, one entry.

The hall is the token's; staff, hall admins and supervisors read it (the ledger is the
hall's own business: applicants are told the result through feedback, not the ledger).
Another hall's rectification answers like a missing one: ``null``.
"""

from __future__ import annotations

import strawberry

from gateway.cases.listing import check_range, newest_first, parse_uuid
from gateway.context import Info
from gateway.dataloaders import load
from gateway.rectifications.register import (
    NODE,
    RectificationLedgerEntry,
    RectificationLedgerFilter,
    ledger_entries,
    ledger_entries_by_uuid,
)
from gateway.relay import Connection, register_node
from gateway.security import HALL_STAFF, allow, hall_of
from projections.rectifications import list_rectifications

__all__ = ["RectificationQueries"]

register_node(NODE, load=ledger_entries, who=HALL_STAFF)


@strawberry.type
class RectificationQueries:
    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The hall's rectification ledger, newest first: source, owner, due "
        "dates, state, overdue."
    )
    async def rectifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: RectificationLedgerFilter | None = None,
    ) -> Connection[RectificationLedgerEntry]:
        hall = hall_of(info)
        filters = (filter or RectificationLedgerFilter()).to_filter()
        check_range(filters.opened_from, filters.opened_to, "openedFrom/openedTo")
        pool = info.context.platform.app_pool
        return await newest_first(
            info,
            first=first,
            after=after,
            fetch=lambda before, limit: list_rectifications(
                pool, hall, filters, before=before, limit=limit
            ),
            position=lambda row: row.opened_position,
            node=lambda row: RectificationLedgerEntry.from_row(row, hall),
        )

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="One rectification of the ledger by its id; null when it does not exist "
        "or is another hall's."
    )
    async def rectification(self, info: Info, id: strawberry.ID) -> RectificationLedgerEntry | None:
        hall = hall_of(info)
        rectification_id = parse_uuid(id)
        if rectification_id is None:
            return None
        return await load(info, ledger_entries_by_uuid, hall, rectification_id)
