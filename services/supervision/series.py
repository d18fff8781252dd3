"""The monthly window ranking series of a hall: each month published and its bottom (末位).

Why an aggregate: "last two months running → 约谈" spans two assessments (one per month),
so two neighbouring months published at the same moment would each miss the other. Every
monthly window ranking is published in the same atomic save as an event of this one
aggregate per hall, so two such publishes conflict on its version and the loser, tried
again, sees the other month.

>>> from datetime import UTC
>>> now = datetime(2026, 10, 9, 2, tzinfo=UTC)
>>> s = WindowRankingSeries(hall_id="demo", actor="sup-1", timestamp=now)
>>> s.record_month("2026-09", ["W03"], 3, 3, now=now, actor="sup-1")
>>> s.months["2026-09"]
RankedMonth(period='2026-09', bottom=('W03',), last_rank=3, windows=3)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.shared.ids import stable_id
from services.supervision.errors import SupervisionStateError

__all__ = ["RankedMonth", "WindowRankingSeries"]


@dataclass(frozen=True)
class RankedMonth:
    """A published monthly window ranking as the interview rule needs it."""

    period: str
    """The month, ``2026-09``."""
    bottom: tuple[str, ...]
    """The windows at its last place (末位), in code order; none without a last place."""
    last_rank: int
    """The rank of the last place."""
    windows: int
    """How many windows it ranked."""


class WindowRankingSeries(Aggregate):
    """One per hall: the monthly window rankings published since it existed."""

    class Started(Aggregate.Created):
        """WindowRankingSeriesStarted: the hall's first monthly window ranking is published."""

        hall_id: str
        actor: str

    class MonthRecorded(Aggregate.Event):
        """WindowRankingMonthRecorded: a monthly window ranking was published, its bottom."""

        period: str
        bottom: list[str]
        last_rank: int
        windows: int
        actor: str

    @staticmethod
    def create_id(hall_id: str) -> UUID:
        """One series per hall."""
        return stable_id(hall_id, "window-ranking-series", "MONTH")

    @event(Started)
    def __init__(self, hall_id: str, actor: str, *, timestamp: datetime) -> None:
        self.hall_id = hall_id
        self.months: dict[str, RankedMonth] = {}

    def record_month(
        self,
        period: str,
        bottom: list[str],
        last_rank: int,
        windows: int,
        *,
        now: datetime,
        actor: str,
    ) -> None:
        """Record a month's ranking, once."""
        if period in self.months:
            raise SupervisionStateError(f"the window ranking of {period} was already published")
        self._month_recorded(period, sorted(bottom), last_rank, windows, actor, timestamp=now)

    @event(MonthRecorded)
    def _month_recorded(
        self,
        period: str,
        bottom: list[str],
        last_rank: int,
        windows: int,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.months[period] = RankedMonth(period, tuple(bottom), last_rank, windows)
