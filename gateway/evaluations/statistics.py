"""GraphQL types of the evaluation statistics (好差评统计): one row per key and month."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.security import INHERITED, allow
from projections.evaluations import RatingStatistics

__all__ = ["RatingStatisticsEntry", "StatisticsDimension", "sort_key"]

_UNRANKED = 1 << 30


@strawberry.enum(description="What evaluation statistics are grouped by, besides the month.")
class StatisticsDimension(Enum):
    HALL = "HALL"
    WINDOW = "WINDOW"
    STAFF = "STAFF"
    ITEM = "ITEM"


@allow(INHERITED)
@strawberry.type(
    description="Exact 好差评 counts of one hall, window, staff member or item in one month "
    "(of the service, Beijing), the rates they give and the rank in the month, and the "
    "follow-up of its bad ratings (核实, 整改, 回访) as the rectification ledger shows it now. "
    "Levels count the ratings that count: the applicants' and the default ones (as BASIC), "
    "not excluded ones. invited = pending + closed. A rate is null when its denominator is 0."
)
class RatingStatisticsEntry:
    dimension: StatisticsDimension
    key: str = strawberry.field(description="The hall id, window code, badge or item code.")
    month: str = strawberry.field(description="YYYY-MM.")
    invited: int
    pending: int = strawberry.field(
        description="Neither rated nor defaulted yet: the rating period still open (or just "
        "over, until the scheduler records the default). In no rate."
    )
    closed: int = strawberry.field(
        description="The rating period has ended: rated by the applicant (excluded ratings "
        "too) or by default; invited - pending. The denominator of 未评率."
    )
    defaulted: int = strawberry.field(
        description="Ended unrated: rated by default (系统默认, BASIC). The numerator of 未评率."
    )
    unrated: int = strawberry.field(
        description="Not rated by the applicant: pending + defaulted.",
        deprecation_reason="mixes invitations still open with ended ones; 未评率 is "
        "defaulted / closed (unratedRate).",
    )
    excluded: int = strawberry.field(description="Excluded on appeal (甄别剔除).")
    rated: int = strawberry.field(
        description="Ratings that count: the five levels' sum (the applicants' and the "
        "default ones, not those excluded on appeal). The denominator of 好评率 and 差评率."
    )
    very_satisfied: int
    satisfied: int
    basic: int
    dissatisfied: int
    very_dissatisfied: int
    voluntary: int = strawberry.field(
        description="主动评价 among the ratings that count: given on the applicant's own "
        "initiative (submitRating's voluntary); default ratings never are."
    )
    voluntary_good: int = strawberry.field(
        description="主动评价 that are 非常满意 or 满意 (among the ratings that count)."
    )
    good_rate: float | None = strawberry.field(
        description="好评率 = (非常满意 + 满意) / rated. 基本满意 (default ratings included) "
        "is not counted as 好评 here; under rules that count it, read 1 - badRate."
    )
    bad_rate: float | None = strawberry.field(description="差评率 = (不满意 + 非常不满意) / rated.")
    unrated_rate: float | None = strawberry.field(
        description="未评率 = defaulted / closed: of the invitations whose rating period has "
        "ended, the share that ended unrated; pending invitations are not counted."
    )
    voluntary_rate: float | None = strawberry.field(
        description="主动评价率 = voluntary / rated (default ratings in rated)."
    )
    voluntary_good_rate: float | None = strawberry.field(
        description="主动评价好评率 = voluntaryGood / voluntary: 好评率 among voluntary ratings."
    )
    rank: int | None = strawberry.field(
        description="Rank by 好评率 among the dimension's keys of the month (ties share a "
        "rank: 1, 2, 2, 4); null without ratings."
    )
    bad: int = strawberry.field(
        description="差评 that count: dissatisfied + veryDissatisfied (not excluded on "
        "appeal). The denominator of followUpRate, rectificationRate and feedbackRate."
    )
    bad_verified: int = strawberry.field(
        description="Bad ratings (counted in bad) whose rectification's verification call "
        "(核实回访) is recorded, whether or not the rater was reached."
    )
    bad_rectified: int = strawberry.field(
        description="Bad ratings (counted in bad) whose rectification is dealt with: 立行立改, "
        "the ledger entry completed, or 解释说明 (status COMPLETED, FED_BACK or CLOSED now; a "
        "review that reopened it takes it out until the new round gets there)."
    )
    bad_fed_back: int = strawberry.field(
        description="Bad ratings (counted in bad) whose rater was told the result (反馈: "
        "status FED_BACK or CLOSED now; not after a reopening until fed back again)."
    )
    follow_up_rate: float | None = strawberry.field(
        description="差评核实率 = badVerified / bad (target 100%). Like every count here, of "
        "the services of the month; it grows as the rectifications go on."
    )
    rectification_rate: float | None = strawberry.field(
        description="差评整改率 = badRectified / bad (target 100%)."
    )
    feedback_rate: float | None = strawberry.field(
        description="差评回访率 = badFedBack / bad (target 100%): the rater was told the result."
    )

    @classmethod
    def from_statistics(cls, s: RatingStatistics) -> RatingStatisticsEntry:
        c = s.counts
        return cls(
            dimension=StatisticsDimension(s.dimension.value),
            key=c.key,
            month=c.month,
            invited=c.invited,
            pending=c.pending,
            closed=c.closed,
            defaulted=c.defaulted,
            unrated=c.unrated,
            excluded=c.excluded,
            rated=c.rated,
            very_satisfied=c.very_satisfied,
            satisfied=c.satisfied,
            basic=c.basic,
            dissatisfied=c.dissatisfied,
            very_dissatisfied=c.very_dissatisfied,
            voluntary=c.voluntary,
            voluntary_good=c.voluntary_good,
            good_rate=s.good_rate,
            bad_rate=s.bad_rate,
            unrated_rate=s.unrated_rate,
            voluntary_rate=s.voluntary_rate,
            voluntary_good_rate=s.voluntary_good_rate,
            rank=s.rank,
            bad=c.bad,
            bad_verified=c.bad_verified,
            bad_rectified=c.bad_rectified,
            bad_fed_back=c.bad_fed_back,
            follow_up_rate=s.follow_up_rate,
            rectification_rate=s.rectification_rate,
            feedback_rate=s.feedback_rate,
        )


def sort_key(entry: RatingStatisticsEntry) -> tuple[str, int, str]:
    """The order of statistics: month, then rank (unranked last), then key."""
    return (entry.month, entry.rank if entry.rank is not None else _UNRANKED, entry.key)
