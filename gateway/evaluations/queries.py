"""GraphQL queries of the evaluations context: the statistics (好评率, 未评率, 主动评价,
主动评价好评率, ranking per hall, window, staff member, item and month), the ratings behind
them, and the bad ratings with their rectification.

The hall is the token's. Statistics and bad ratings are for the hall's staff, hall admins and
supervisors; ratings also for applicants, who see only their own (invited or rated as them).
"""

from __future__ import annotations

import strawberry

from gateway.cases.listing import STAFF_AND_APPLICANTS, check_months, check_range, newest_first
from gateway.context import Info, run_sync
from gateway.evaluations.ratings import NODE, RatingEntry, RatingsFilter, rating_entries
from gateway.evaluations.statistics import (
    RatingStatisticsEntry,
    StatisticsDimension,
    sort_key,
)
from gateway.relay import Connection, connection_from_rows, register_node
from gateway.security import HALL_STAFF, allow, applicant_filter, hall_of
from projections.evaluations import Dimension, RatingFilter, list_ratings, rating_statistics

__all__ = ["EvaluationQueries"]

register_node(NODE, load=rating_entries, who=HALL_STAFF)


async def _ratings(
    info: Info, first: int | None, after: str | None, filters: RatingFilter
) -> Connection[RatingEntry]:
    hall = hall_of(info)
    check_range(filters.invited_from, filters.invited_to, "invitedFrom/invitedTo")
    pool = info.context.platform.app_pool
    return await newest_first(
        info,
        first=first,
        after=after,
        fetch=lambda before, limit: list_ratings(pool, hall, filters, before=before, limit=limit),
        position=lambda row: row.invited_position,
        node=lambda row: RatingEntry.from_row(row, hall),
    )


@strawberry.type
class EvaluationQueries:
    @allow(*HALL_STAFF)
    @strawberry.field(
        description="好差评 statistics of the caller's hall per month, by hall, window, staff "
        "member or item: counts per level, 好评率, 未评率, 主动评价 share, 主动评价好评率, "
        "the month's ranking, and the follow-up of the bad ratings (差评核实率, 整改率, "
        "回访率); ordered by month, rank, key."
    )
    async def evaluation_statistics(
        self,
        info: Info,
        by: StatisticsDimension,
        month_from: str | None = None,
        month_to: str | None = None,
        key: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RatingStatisticsEntry]:
        hall = hall_of(info)
        start, end = check_months(month_from, month_to)
        pool = info.context.platform.app_pool
        rows = await run_sync(
            rating_statistics,
            pool,
            hall,
            Dimension(by.value),
            month_from=start,
            month_to=end,
            key=key,
        )
        entries = sorted((RatingStatisticsEntry.from_statistics(r) for r in rows), key=sort_key)
        return connection_from_rows(
            info, entries, first=first, after=after, key=sort_key, node=lambda e: e
        )

    @allow(*STAFF_AND_APPLICANTS)
    @strawberry.field(
        description="The hall's ratings (one per invitation), newest first. Applicants see "
        "their own."
    )
    async def ratings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: RatingsFilter | None = None,
    ) -> Connection[RatingEntry]:
        filters = (filter or RatingsFilter()).to_filter(applicant_filter(info))
        return await _ratings(info, first, after, filters)

    @allow(*HALL_STAFF)
    @strawberry.field(
        description="The hall's bad ratings (差评: 不满意, 非常不满意), newest first, each with "
        "its rectification (整改) as the ledger shows it."
    )
    async def bad_ratings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: RatingsFilter | None = None,
    ) -> Connection[RatingEntry]:
        filters = (filter or RatingsFilter()).to_filter(None, bad_only=True)
        return await _ratings(info, first, after, filters)
