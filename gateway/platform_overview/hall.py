"""One hall in the platform overview, and the batch queries behind its details.

A page of halls asks for each hall's details; the loaders turn that into one query per
kind of detail where :mod:`projections.platform.view` reads every hall at once (lag,
deadlines). Activity is read per hall (the view has no query over every hall for it), but
still in one worker thread per page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import NamedTuple, Protocol, TypeVar

import strawberry

from gateway.cases.listing import check_range
from gateway.context import Info
from gateway.dataloaders import load_across_halls
from gateway.errors import InputError
from gateway.platform_overview.types import (
    ContextActivityType,
    DailyActivityType,
    DeadlineCountsType,
    ProjectionLagType,
)
from gateway.security import INHERITED, allow
from projections.platform import (
    ContextActivity,
    DailyActivity,
    DeadlineCounts,
    HallOverview,
    ProjectionLag,
    daily_activity,
    deadline_counts,
    hall_activity,
    projection_lag,
)
from services.store.pool import Pool

__all__ = ["MAX_DAYS", "HallOverviewType"]

MAX_DAYS = 366
"""The longest range ``dailyActivity`` answers: a year, leap day included."""


class _OfHall(Protocol):
    @property
    def tenant_id(self) -> str: ...


R = TypeVar("R", bound=_OfHall)


def _by_hall(halls: Sequence[str], rows: Iterable[R]) -> dict[str, list[R]]:
    """``rows`` of every hall grouped under the ``halls`` asked for, in their order."""
    found: dict[str, list[R]] = {hall: [] for hall in halls}
    for row in rows:
        if row.tenant_id in found:
            found[row.tenant_id].append(row)
    return found


def lag_by_hall(pool: Pool, halls: Sequence[str]) -> Mapping[str, list[ProjectionLag]]:
    """Each hall's lag per projection, largest first: one query (one hall's, for one)."""
    rows = projection_lag(pool, halls[0]) if len(halls) == 1 else projection_lag(pool)
    return _by_hall(halls, rows)


def deadlines_by_hall(pool: Pool, halls: Sequence[str]) -> Mapping[str, list[DeadlineCounts]]:
    """Each hall's deadline counts per context: one query over every hall."""
    return _by_hall(halls, deadline_counts(pool))


def activity_by_hall(pool: Pool, halls: Sequence[str]) -> Mapping[str, list[ContextActivity]]:
    """Each hall's events per bounded context, busiest first."""
    return {hall: hall_activity(pool, hall) for hall in set(halls)}


class DayRange(NamedTuple):
    """A hall's days to count, both inclusive."""

    hall: str
    first: date
    last: date


def days_by_hall(pool: Pool, ranges: Sequence[DayRange]) -> Mapping[DayRange, list[DailyActivity]]:
    """Each hall's events per day within its range (the view reads from a day on)."""
    return {
        r: [d for d in daily_activity(pool, r.hall, r.first) if d.day <= r.last]
        for r in set(ranges)
    }


@allow(INHERITED)
@strawberry.type(
    name="HallOverview",
    description="One hall as platform operators see it: its events, how far its read "
    "models are behind, and on demand its activity and deadlines.",
)
class HallOverviewType:
    hall_id: str
    name: str | None = strawberry.field(
        description="Null until the hall's registration is projected."
    )
    region: str | None
    registered_at: datetime | None
    events: int = strawberry.field(description="Events in the hall's log (its head position).")
    last_event_at: datetime | None = strawberry.field(
        description="The latest event the activity read model counted."
    )
    max_lag: int = strawberry.field(
        description="The largest lag of any projection in this hall, in events."
    )

    @classmethod
    def from_row(cls, row: HallOverview) -> HallOverviewType:
        return cls(
            hall_id=row.tenant_id,
            name=row.name,
            region=row.region,
            registered_at=row.registered_at,
            events=row.events,
            last_event_at=row.last_event_at,
            max_lag=row.max_lag,
        )

    @strawberry.field(description="Lag of every projection in this hall, largest first.")
    async def projection_lag(self, info: Info) -> list[ProjectionLagType]:
        rows = await load_across_halls(info, lag_by_hall, self.hall_id)
        return [ProjectionLagType.from_row(r) for r in rows or []]

    @strawberry.field(description="Events per bounded context, busiest first.")
    async def activity(self, info: Info) -> list[ContextActivityType]:
        rows = await load_across_halls(info, activity_by_hall, self.hall_id)
        return [ContextActivityType.from_row(r) for r in rows or []]

    @strawberry.field(
        description="Events per day (in China) from dayFrom to dayTo, both inclusive, oldest "
        f"first; days without events are left out. At most {MAX_DAYS} days."
    )
    async def daily_activity(
        self, info: Info, day_from: date, day_to: date
    ) -> list[DailyActivityType]:
        check_range(day_from, day_to, "dayFrom/dayTo")
        if (day_to - day_from).days >= MAX_DAYS:
            raise InputError(f"dayFrom/dayTo: at most {MAX_DAYS} days at a time")
        days = DayRange(self.hall_id, day_from, day_to)
        rows = await load_across_halls(info, days_by_hall, days)
        return [DailyActivityType.from_row(r) for r in rows or []]

    @strawberry.field(description="Open, overdue and late-closed deadlines per context.")
    async def deadlines(self, info: Info) -> list[DeadlineCountsType]:
        rows = await load_across_halls(info, deadlines_by_hall, self.hall_id)
        return [DeadlineCountsType.from_row(r) for r in rows or []]
