"""Evaluation statistics (好差评统计): exact counts per hall, window, staff member or item and
month (of the service, in China), the rates they give, the ranking within each month, and
the follow-up of the bad ratings (差评核实 / 整改 / 回访率).

Definitions (every count is of invitations, 一次一评 / 一事一评):

- ``invited``: invitations. ``pending``: neither rated nor defaulted yet, the rating period
  still open (or just over, until the deadline scheduler records the default).
  ``closed`` = invited − pending: the rating period has ended, rated by the applicant
  (excluded ratings too) or by default. ``defaulted``: ended unrated, rated by default
  (系统默认, BASIC). ``excluded``: ratings excluded on appeal (甄别剔除), counted in no level.
- level counts: ratings that count (the applicant's and the default ones, not excluded);
  ``rated`` is their sum. ``voluntary``: those the applicant gave on their own (主动评价;
  default ratings never are); ``voluntary_good``: the voluntary ones that are 非常满意 or 满意.
- 好评率 ``good_rate`` = (非常满意 + 满意) / rated; 差评率 ``bad_rate`` = (不满意 +
  非常不满意) / rated; 主动评价 share ``voluntary_rate`` = voluntary / rated; 主动评价好评率
  ``voluntary_good_rate`` = voluntary_good / voluntary; 未评率 ``unrated_rate`` = defaulted /
  closed (pending invitations are in neither: they may still be rated). A rate is ``None``
  when its denominator is 0.
- ``rank``: 1 for the best 好评率 of the month among the same dimension's keys with ratings,
  equal rates sharing a rank (1, 2, 2, 4); ``None`` without ratings.
- The follow-up of bad ratings (差评核实 / 整改 / 回访率, targets 100%), over ``bad``: the
  bad ratings that count (不满意 + 非常不满意, not excluded), each with the rectification it
  opened as the rectification ledger shows it now. ``bad_verified``: its verification call
  (核实回访) is recorded (whether or not the rater was reached); ``bad_rectified``: it is
  dealt with (立行立改, the ledger entry completed, or 解释说明: status COMPLETED, FED_BACK or
  CLOSED); ``bad_fed_back``: the rater was told the result (反馈: FED_BACK or CLOSED). A
  review that reopens a rectification takes it out of rectified and fed back until its new
  round gets there. 核实率 ``follow_up_rate`` = bad_verified / bad; 整改率
  ``rectification_rate`` = bad_rectified / bad; 回访率 ``feedback_rate`` = bad_fed_back /
  bad. A bad rating whose rectification the ledger does not show (yet) is in the
  denominator only.

The counts follow the events only: an invitation leaves ``pending`` when it is rated or when
``RatingDefaulted`` is recorded (the deadline scheduler does so from its default day on), never
by comparing dates with today. The follow-up counts of a month grow as its rectifications go
on (the month is the service's, not the step's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from projections.runtime.db import tenant_connection

__all__ = ["Dimension", "RatingCounts", "RatingStatistics", "rating_statistics"]


class Dimension(StrEnum):
    """What the statistics are grouped by (besides the month)."""

    HALL = "HALL"
    WINDOW = "WINDOW"
    STAFF = "STAFF"
    ITEM = "ITEM"


_KEY = {
    Dimension.HALL: "r.tenant_id",
    Dimension.WINDOW: "r.window_code",
    # 工号 are canonical upper-case since badges were (services/shared/ids.py); a member
    # onboarded in lower case before (s003) has invitations under both spellings, one member.
    Dimension.STAFF: "upper(r.staff_badge)",
    Dimension.ITEM: "r.item_code",
}
"""Each dimension's key, as an expression over ``evaluation_ratings r``."""
_COUNTED = "NOT r.excluded"
_GOOD = "r.level IN ('VERY_SATISFIED', 'SATISFIED')"
_BAD = f"r.level IN ('DISSATISFIED', 'VERY_DISSATISFIED') AND {_COUNTED}"
_VERIFIED = "l.status <> 'OPEN'"
"""The verification call is recorded: every later status comes after it (a reopening too)."""
_RECTIFIED = "l.status IN ('COMPLETED', 'FED_BACK', 'CLOSED')"
_FED_BACK = "l.status IN ('FED_BACK', 'CLOSED')"


@dataclass(frozen=True)
class RatingCounts:
    """The counts of one key and month."""

    key: str
    month: str
    """``YYYY-MM``, the month of the service in China."""
    invited: int
    pending: int
    defaulted: int
    excluded: int
    very_satisfied: int
    satisfied: int
    basic: int
    dissatisfied: int
    very_dissatisfied: int
    voluntary: int
    voluntary_good: int
    """Voluntary ratings (主动评价) that count and are 非常满意 or 满意."""
    bad_verified: int
    """Bad ratings that count whose rectification's verification call (核实) is recorded."""
    bad_rectified: int
    """Bad ratings that count whose rectification is dealt with (立行立改, ledger entry
    completed, 解释说明) in its current round (a reopening undoes it until done again)."""
    bad_fed_back: int
    """Bad ratings that count whose rater was told the result (反馈) in the rectification's
    current round."""

    @property
    def rated(self) -> int:
        """Ratings that count: the five levels (defaults as BASIC), excluded ones not."""
        return (
            self.very_satisfied
            + self.satisfied
            + self.basic
            + self.dissatisfied
            + self.very_dissatisfied
        )

    @property
    def closed(self) -> int:
        """Invitations whose rating period has ended: rated (by the applicant, excluded ones
        too, or by default); invited − pending."""
        return self.invited - self.pending

    @property
    def unrated(self) -> int:
        """Invitations the applicant has not rated: still pending, or defaulted. Not the
        numerator of 未评率 (that is ``defaulted``, among ``closed``)."""
        return self.pending + self.defaulted

    @property
    def good(self) -> int:
        return self.very_satisfied + self.satisfied

    @property
    def bad(self) -> int:
        return self.dissatisfied + self.very_dissatisfied


@dataclass(frozen=True)
class RatingStatistics:
    """The counts of one key and month, their rates and the key's rank in the month."""

    dimension: Dimension
    counts: RatingCounts
    rank: int | None

    @property
    def good_rate(self) -> float | None:
        """好评率 = (非常满意 + 满意) / rated."""
        return _rate(self.counts.good, self.counts.rated)

    @property
    def bad_rate(self) -> float | None:
        return _rate(self.counts.bad, self.counts.rated)

    @property
    def unrated_rate(self) -> float | None:
        """未评率 = defaulted / closed: of the invitations whose rating period has ended,
        the share that ended unrated (pending ones are left out)."""
        return _rate(self.counts.defaulted, self.counts.closed)

    @property
    def voluntary_rate(self) -> float | None:
        """主动评价 share = voluntary / rated."""
        return _rate(self.counts.voluntary, self.counts.rated)

    @property
    def voluntary_good_rate(self) -> float | None:
        """主动评价好评率 = voluntary_good / voluntary: 好评率 among voluntary ratings."""
        return _rate(self.counts.voluntary_good, self.counts.voluntary)

    @property
    def follow_up_rate(self) -> float | None:
        """差评核实率 = bad_verified / bad."""
        return _rate(self.counts.bad_verified, self.counts.bad)

    @property
    def rectification_rate(self) -> float | None:
        """差评整改率 = bad_rectified / bad."""
        return _rate(self.counts.bad_rectified, self.counts.bad)

    @property
    def feedback_rate(self) -> float | None:
        """差评回访率 = bad_fed_back / bad."""
        return _rate(self.counts.bad_fed_back, self.counts.bad)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


_SELECT = f"""
SELECT {{key}} AS key, r.month,
       count(*) AS invited,
       count(*) FILTER (WHERE r.status = 'INVITED') AS pending,
       count(*) FILTER (WHERE r.status = 'DEFAULTED') AS defaulted,
       count(*) FILTER (WHERE r.excluded) AS excluded,
       count(*) FILTER (WHERE r.level = 'VERY_SATISFIED' AND {_COUNTED}) AS very_satisfied,
       count(*) FILTER (WHERE r.level = 'SATISFIED' AND {_COUNTED}) AS satisfied,
       count(*) FILTER (WHERE r.level = 'BASIC' AND {_COUNTED}) AS basic,
       count(*) FILTER (WHERE r.level = 'DISSATISFIED' AND {_COUNTED}) AS dissatisfied,
       count(*) FILTER (WHERE r.level = 'VERY_DISSATISFIED' AND {_COUNTED})
           AS very_dissatisfied,
       count(*) FILTER (WHERE r.voluntary AND {_COUNTED}) AS voluntary,
       count(*) FILTER (WHERE r.voluntary AND {_GOOD} AND {_COUNTED}) AS voluntary_good,
       count(*) FILTER (WHERE {_BAD} AND {_VERIFIED}) AS bad_verified,
       count(*) FILTER (WHERE {_BAD} AND {_RECTIFIED}) AS bad_rectified,
       count(*) FILTER (WHERE {_BAD} AND {_FED_BACK}) AS bad_fed_back
FROM evaluation_ratings r
LEFT JOIN rectification_ledger l
    ON l.tenant_id = r.tenant_id AND l.rectification_id = r.rectification_id
WHERE r.tenant_id = %s{{where}}
GROUP BY 1, 2
ORDER BY 2, 1
"""


def _ranked(dimension: Dimension, rows: list[RatingCounts]) -> list[RatingStatistics]:
    """Competition ranking by 好评率 within each month (exact fractions, ties share)."""
    by_month: dict[str, list[RatingCounts]] = defaultdict(list)
    for row in rows:
        if row.rated:
            by_month[row.month].append(row)
    ranks: dict[tuple[str, str], int] = {}
    for month, rated in by_month.items():
        rates = sorted((Fraction(r.good, r.rated) for r in rated), reverse=True)
        for row in rated:
            ranks[(month, row.key)] = 1 + rates.index(Fraction(row.good, row.rated))
    return [RatingStatistics(dimension, r, ranks.get((r.month, r.key))) for r in rows]


def rating_statistics(
    pool: ConnectionPool,
    tenant_id: str,
    dimension: Dimension,
    *,
    month_from: str | None = None,
    month_to: str | None = None,
    key: str | None = None,
) -> list[RatingStatistics]:
    """The statistics of every key of ``dimension`` per month, by month then key.

    ``month_from`` / ``month_to`` (``YYYY-MM``, inclusive) limit the months; ``key`` keeps
    one key (its rank is still among all keys of the month; a staff member's key is the
    upper-case badge, found in either case). Invitations without a window,
    staff member or item are left out of that dimension's statistics (they count for the hall).
    """
    column = _KEY[dimension]
    where, params = "", [tenant_id]
    if month_from is not None:
        where += " AND r.month >= %s"
        params.append(month_from)
    if month_to is not None:
        where += " AND r.month <= %s"
        params.append(month_to)
    if dimension is not Dimension.HALL:
        where += f" AND {column} <> ''"
    with tenant_connection(pool, tenant_id) as conn:
        cur = conn.cursor(row_factory=class_row(RatingCounts))
        rows = cur.execute(_SELECT.format(key=column, where=where), params).fetchall()
    ranked = _ranked(dimension, rows)
    if key is not None and dimension is Dimension.STAFF:
        key = key.strip().upper()  # s003 asks for S003, as every badge lookup does
    return [s for s in ranked if key is None or s.counts.key == key]
