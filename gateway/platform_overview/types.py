"""GraphQL types of a hall's details in the platform overview: lag, activity, deadlines.

Each is a row of :mod:`projections.platform.view` without its hall id: they are read as
fields of the hall they belong to.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from gateway.security import INHERITED, allow
from projections.platform import ContextActivity, DailyActivity, DeadlineCounts, ProjectionLag

__all__ = ["ContextActivityType", "DailyActivityType", "DeadlineCountsType", "ProjectionLagType"]


@allow(INHERITED)
@strawberry.type(
    name="ProjectionLag",
    description="How far one read model (projection) is behind in one hall, in events.",
)
class ProjectionLagType:
    projection: str = strawberry.field(description="The projection's name, e.g. case_register.")
    head: int = strawberry.field(description="Position of the hall's latest event.")
    position: int = strawberry.field(description="The last position the projection applied.")
    lag: int = strawberry.field(description="head - position: events not applied yet.")
    updated_at: datetime | None = strawberry.field(
        description="When the projection last moved in this hall (null: never)."
    )

    @classmethod
    def from_row(cls, row: ProjectionLag) -> ProjectionLagType:
        return cls(
            projection=row.projection,
            head=row.head,
            position=row.position,
            lag=row.lag,
            updated_at=row.updated_at,
        )


@allow(INHERITED)
@strawberry.type(name="ContextActivity", description="Events of one bounded context in a hall.")
class ContextActivityType:
    context: str = strawberry.field(description="The bounded context, e.g. queue or cases.")
    events: int
    first_event_at: datetime
    last_event_at: datetime

    @classmethod
    def from_row(cls, row: ContextActivity) -> ContextActivityType:
        return cls(
            context=row.context,
            events=row.events,
            first_event_at=row.first_event_at,
            last_event_at=row.last_event_at,
        )


@allow(INHERITED)
@strawberry.type(name="DailyActivity", description="Events of a hall on one day (in China).")
class DailyActivityType:
    day: date
    events: int

    @classmethod
    def from_row(cls, row: DailyActivity) -> DailyActivityType:
        return cls(day=row.day, events=row.events)


@allow(INHERITED)
@strawberry.type(
    name="DeadlineCounts",
    description="Deadlines of a hall's records in one context (cases, complaints, "
    "rectifications): open, overdue, and closed after they were missed.",
)
class DeadlineCountsType:
    context: str
    open: int
    overdue: int = strawberry.field(
        description="Open deadlines recorded as missed (a complaint's extension does not undo "
        "the miss of an earlier due date; a case resumed with its moved due date already "
        "past stays missed)."
    )
    closed_late: int = strawberry.field(
        description="Closed late: after they were recorded missed, or after their due date "
        "before any deadline round recorded the miss (the reply, completion or call not on "
        "time); a complaint replied by its extended due date after missing an earlier one "
        "included; a rectification withdrawn (its bad rating excluded on appeal) not."
    )

    @classmethod
    def from_row(cls, row: DeadlineCounts) -> DeadlineCountsType:
        return cls(
            context=row.context, open=row.open, overdue=row.overdue, closed_late=row.closed_late
        )
