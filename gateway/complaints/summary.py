"""GraphQL type of the complaint register's figures per month (GB/T 36113 indicators)."""

from __future__ import annotations

import strawberry

from gateway.security import INHERITED, allow
from projections.complaints import ComplaintMonthSummary

__all__ = ["ComplaintSummaryEntry", "month_key"]


@allow(INHERITED)
@strawberry.type(
    description="The complaint register's figures of one month (Beijing dates, as the events "
    "recorded them): complaints received and replied (意见反馈, which closes the handling), "
    "the on-time rate, 属实率 and the days to close. A rate or average is null when its "
    "denominator is 0."
)
class ComplaintSummaryEntry:
    month: str = strawberry.field(description="YYYY-MM.")
    received: int = strawberry.field(
        description="Complaints received on a day of the month (rejected, withdrawn included)."
    )
    replied: int = strawberry.field(
        description="Complaints whose current round was replied on a day of the month. A "
        "reopening takes a complaint out of its reply's month until its new round is replied "
        "(then it counts in that month). Rejected and withdrawn complaints are never replied. "
        "The denominator of onTimeRate and the days to close."
    )
    replied_on_time: int = strawberry.field(
        description="Of replied, those replied by the due date in force (working days, with "
        "the extensions) with no due date of the round missed before (repliedOnTime)."
    )
    substantiated: int = strawberry.field(description="Of replied, found 属实.")
    partly_substantiated: int = strawberry.field(description="Of replied, found 部分属实.")
    not_substantiated: int = strawberry.field(description="Of replied, found 不属实.")
    on_time_rate: float | None = strawberry.field(
        description="按期答复率 = repliedOnTime / replied (target 100%)."
    )
    substantiation_rate: float | None = strawberry.field(
        description="属实率 = (substantiated + partlySubstantiated) / (substantiated + "
        "partlySubstantiated + notSubstantiated): both findings open a rectification. Where "
        "only 属实 counts, read substantiated over the same denominator."
    )
    average_days_to_close: float | None = strawberry.field(
        description="Average natural days from the day of acceptance (受理; a reopening keeps "
        "it) to the day of the reply, over replied."
    )
    max_days_to_close: int | None = strawberry.field(
        description="The most natural days from acceptance to the reply among replied."
    )

    @classmethod
    def from_summary(cls, s: ComplaintMonthSummary) -> ComplaintSummaryEntry:
        return cls(
            month=s.month,
            received=s.received,
            replied=s.replied,
            replied_on_time=s.replied_on_time,
            substantiated=s.substantiated,
            partly_substantiated=s.partly_substantiated,
            not_substantiated=s.not_substantiated,
            on_time_rate=s.on_time_rate,
            substantiation_rate=s.substantiation_rate,
            average_days_to_close=s.average_days_to_close,
            max_days_to_close=s.max_days_to_close,
        )


def month_key(entry: ComplaintSummaryEntry) -> tuple[str]:
    """The order (and cursor) of the months: oldest first."""
    return (entry.month,)
