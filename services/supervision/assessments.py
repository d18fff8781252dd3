"""Periodic assessments (定期考核) and their rankings (排名), e.g. the monthly window ranking.

>>> from datetime import UTC
>>> now = datetime(2026, 6, 1, 2, tzinfo=UTC)
>>> a = Assessment(hall_id="demo", period="2026-05", scope="WINDOW", criteria="好评率",
...     actor="sup-1", timestamp=now)
>>> for code, score in [("W01", 98.5), ("W02", 99.0), ("W03", 98.5)]:
...     a.record_score(code, score, "", now=now, actor="sup-1")
>>> [(r["subject"], r["rank"]) for r in a.publish_ranking(now=now, actor="sup-1")]
[('W02', 1), ('W01', 2), ('W03', 2)]
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.shared.errors import ValidationError
from services.shared.ids import stable_id
from services.supervision.errors import SupervisionStateError
from services.supervision.values import (
    PERIOD,
    AssessmentScope,
    parse_enum,
    require_code,
    require_text,
)

__all__ = ["Assessment", "rank"]

MAX_TEXT = 2000
MAX_SUBJECTS = 1000


def rank(scores: dict[str, float]) -> list[dict[str, Any]]:
    """Competition ranking (1, 2, 2, 4): the highest score first, ties share a rank,
    subjects in code order within a tie."""
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    ranking: list[dict[str, Any]] = []
    for position, (subject, score) in enumerate(ordered, start=1):
        tied = ranking and ranking[-1]["score"] == score
        ranking.append(
            {"subject": subject, "score": score, "rank": ranking[-1]["rank"] if tied else position}
        )
    return ranking


class Assessment(Aggregate):
    """One assessment of a hall per scope (windows, staff, items) and period."""

    class Opened(Aggregate.Created):
        """AssessmentOpened: a periodic assessment started."""

        hall_id: str
        period: str
        scope: str
        criteria: str
        actor: str

    class ScoreRecorded(Aggregate.Event):
        """AssessmentScoreRecorded: a subject's score (0-100); a later one replaces it."""

        subject: str
        score: float
        note: str
        actor: str

    class RankingPublished(Aggregate.Event):
        """AssessmentRankingPublished: the final ranking; the assessment is closed."""

        ranking: list[dict[str, Any]]
        actor: str

    @staticmethod
    def create_id(hall_id: str, scope: str, period: str) -> UUID:
        """One assessment per hall, scope and period."""
        return stable_id(hall_id, "assessment", f"{scope}/{period}")

    @event(Opened)
    def __init__(
        self,
        hall_id: str,
        period: str,
        scope: str,
        criteria: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        if not PERIOD.match(period):
            raise ValidationError(
                f"invalid period {period!r}: use 2026, 2026-H1, 2026-Q2 or 2026-05"
            )
        self.hall_id = hall_id
        self.period = period
        self.scope = parse_enum(AssessmentScope, scope, "assessment scope")
        self.criteria = require_text(criteria, "the criteria", MAX_TEXT, optional=True)
        self.scores: dict[str, float] = {}
        self.ranking: list[dict[str, Any]] = []
        self.published = False

    def record_score(
        self, subject: str, score: float, note: str, *, now: datetime, actor: str
    ) -> None:
        """Score a window, staff member or item (0-100) before the ranking is published."""
        if self.published:
            raise SupervisionStateError("the ranking was published; scores are final")
        require_code(subject, "subject")
        if not (math.isfinite(score) and 0 <= score <= 100):
            raise ValidationError("a score is between 0 and 100")
        if subject not in self.scores and len(self.scores) >= MAX_SUBJECTS:
            raise ValidationError(f"an assessment ranks at most {MAX_SUBJECTS} subjects")
        text = require_text(note, "the note", MAX_TEXT, optional=True)
        self._score_recorded(subject, float(score), text, actor, timestamp=now)

    @event(ScoreRecorded)
    def _score_recorded(
        self, subject: str, score: float, note: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.scores[subject] = score

    def publish_ranking(self, *, now: datetime, actor: str) -> list[dict[str, Any]]:
        """Rank the scored subjects and publish the result (recorded in the event)."""
        if self.published:
            raise SupervisionStateError("the ranking was already published")
        if not self.scores:
            raise SupervisionStateError("nothing was scored; record scores first")
        self._ranking_published(rank(self.scores), actor, timestamp=now)
        return self.ranking

    @event(RankingPublished)
    def _ranking_published(
        self, ranking: list[dict[str, Any]], actor: str, *, timestamp: datetime
    ) -> None:
        self.ranking = [dict(r) for r in ranking]
        self.published = True
