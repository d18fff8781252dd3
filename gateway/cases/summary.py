"""GraphQL type of the case register's figures per month (帮办代办 indicators)."""

from __future__ import annotations

import strawberry

from gateway.security import INHERITED, allow
from projections.cases import CaseMonthSummary

__all__ = ["CaseSummaryEntry", "month_key"]


@allow(INHERITED)
@strawberry.type(
    description="The case register's figures of one month (Beijing dates, as the events "
    "recorded them): requests, completions (办结), 按时办结率 and the days to close. A rate "
    "or average is null when its denominator is 0. Return trips (跑动次数) are not here: no "
    "event records an applicant's visits for a case."
)
class CaseSummaryEntry:
    month: str = strawberry.field(description="YYYY-MM.")
    requested: int = strawberry.field(description="Cases requested on a day of the month.")
    completed: int = strawberry.field(
        description="Cases completed (办结, CaseCompleted) on a day of the month, archived "
        "ones included. The denominator of onTimeRate and the days to close."
    )
    completed_on_time: int = strawberry.field(
        description="Of completed, those CaseCompleted records as on time: completed on or "
        "before the due date in force (working days, moved by every stopped clock)."
    )
    terminated: int = strawberry.field(
        description="Cases terminated (终止) on a day of the month: not completions, in no rate."
    )
    on_time_rate: float | None = strawberry.field(
        description="按时办结率 = completedOnTime / completed (target 100%)."
    )
    average_days_to_close: float | None = strawberry.field(
        description="Average natural days from the day of acceptance (受理) to the day of "
        "completion, over completed (0: completed the day it was accepted); suspensions and "
        "one-time notices are not subtracted."
    )
    max_days_to_close: int | None = strawberry.field(
        description="The most natural days from acceptance to completion among completed."
    )

    @classmethod
    def from_summary(cls, s: CaseMonthSummary) -> CaseSummaryEntry:
        return cls(
            month=s.month,
            requested=s.requested,
            completed=s.completed,
            completed_on_time=s.completed_on_time,
            terminated=s.terminated,
            on_time_rate=s.on_time_rate,
            average_days_to_close=s.average_days_to_close,
            max_days_to_close=s.max_days_to_close,
        )


def month_key(entry: CaseSummaryEntry) -> tuple[str]:
    """The order (and cursor) of the months: oldest first."""
    return (entry.month,)
