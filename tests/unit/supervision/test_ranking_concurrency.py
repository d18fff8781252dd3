"""约谈 under concurrency: two neighbouring monthly window rankings published at the same
moment still call the window ranked last in both, once. Both publications record their
month in the hall's window ranking series in the same save, so they conflict there and the
loser, tried again, sees the other month."""

from __future__ import annotations

import pytest

from services.supervision import (
    Assessment,
    Interview,
    RankingSeriesChangedError,
    SupervisionService,
    SupervisionStateError,
    WindowRankingSeries,
)
from tests.fixtures.races import meanwhile as _meanwhile

SCORES = {"W01": 99.0, "W02": 90.0, "W03": 80.0}
"""W03 last every month."""


@pytest.fixture
def other(hall_apps, hall, clock) -> SupervisionService:
    """Another SupervisionService of the same hall (another gateway process)."""
    app = hall_apps(SupervisionService, hall)
    app.clock = clock
    return app


def _rank(app: SupervisionService, period: str, scores: dict[str, float] = SCORES) -> Assessment:
    a = app.open_assessment(period, "WINDOW", "好评率", "sup-1")
    for code, score in scores.items():
        app.record_assessment_score(a.id, code, score, "", "sup-1")
    return a


def _ranking_interviews(app: SupervisionService) -> list[Interview]:
    ids = [
        n.originator_id
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("Interview.Scheduled")
    ]
    return [app.get_interview(i) for i in ids]


@pytest.mark.parametrize("series_exists", [False, True], ids=["first-months", "series-exists"])
def test_neighbouring_months_published_at_once_call_the_interview(
    supervision, other, clock, series_exists
):
    """While September is published, right after it read August's (unpublished) assessment,
    another process publishes August: September's save conflicts on the series, is tried
    again, sees August and calls W03."""
    if series_exists:  # a month already in the series: the race is on its version
        supervision.publish_ranking(_rank(supervision, "2026-05").id, "sup-1")
    august, september = _rank(supervision, "2026-08"), _rank(supervision, "2026-09")
    _meanwhile(supervision, august.id, lambda: other.publish_ranking(august.id, "sup-2"))
    supervision.publish_ranking(september.id, "sup-1")
    (interview,) = _ranking_interviews(other)
    assert interview.id == Interview.ranking_interview_id("h1", "W03", "2026-09")
    assert interview.source_id == str(september.id)
    assert interview.reason == (
        "连续两个月排名末位：2026-08 第3名（共3个窗口），2026-09 第3名（共3个窗口）"
    )
    series = other.repository.get(WindowRankingSeries.create_id("h1"))
    assert sorted(series.months) == [*(["2026-05"] if series_exists else []), "2026-08", "2026-09"]
    assert series.months["2026-09"].bottom == ("W03",)


def test_the_later_month_published_meanwhile_calls_the_interview_once(supervision, other):
    """Out of order: October is published while September reads it."""
    september, october = _rank(supervision, "2026-09"), _rank(supervision, "2026-10")
    _meanwhile(supervision, october.id, lambda: other.publish_ranking(october.id, "sup-2"))
    supervision.publish_ranking(september.id, "sup-1")
    (interview,) = _ranking_interviews(other)
    assert interview.id == Interview.ranking_interview_id("h1", "W03", "2026-10")
    assert interview.source_id == str(october.id)


def test_one_ranking_published_twice_at_once_is_published_once(supervision, other):
    september = _rank(supervision, "2026-09")
    _meanwhile(
        supervision,
        WindowRankingSeries.create_id("h1"),
        lambda: other.publish_ranking(september.id, "sup-2"),
    )
    with pytest.raises(SupervisionStateError, match="already published"):
        supervision.publish_ranking(september.id, "sup-1")
    events = [type(e).__name__ for e in other.repository.event_store.get(september.id)]
    assert events.count("RankingPublished") == 1


def test_endless_concurrent_publications_end_as_a_conflict(supervision, other):
    """Another month is published each time this one reads the series: it gives up after
    :attr:`SupervisionService.conflict_attempts` tries, recording nothing."""
    september = _rank(supervision, "2026-09")
    months = iter(_rank(other, f"2025-{m:02d}") for m in range(1, 13))
    _meanwhile(
        supervision,
        WindowRankingSeries.create_id("h1"),
        lambda: other.publish_ranking(next(months).id, "sup-2"),
        times=SupervisionService.conflict_attempts,
    )
    with pytest.raises(RankingSeriesChangedError) as raised:
        supervision.publish_ranking(september.id, "sup-1")
    assert raised.value.code == "CONFLICT"
    assert not other.get_assessment(september.id).published


def test_a_month_published_before_the_series_existed_still_counts(supervision, clock):
    """Old data: August was published before the series existed (no month in it); its
    assessment is read instead, and the series records September only."""
    august = supervision.get_assessment(_rank(supervision, "2026-08").id)
    august.publish_ranking(now=clock(), actor="sup-1")
    supervision.save(august)  # as recorded before the series existed
    september = _rank(supervision, "2026-09")
    supervision.publish_ranking(september.id, "sup-1")
    (interview,) = _ranking_interviews(supervision)
    assert interview.id == Interview.ranking_interview_id("h1", "W03", "2026-09")
    series = supervision.repository.get(WindowRankingSeries.create_id("h1"))
    assert list(series.months) == ["2026-09"]


def test_other_rankings_do_not_touch_the_series(supervision):
    for period, scope in (("2026-Q3", "WINDOW"), ("2026-09", "STAFF")):
        a = supervision.open_assessment(period, scope, "", "sup-1")
        subject = "W01" if scope == "WINDOW" else "S001"
        supervision.record_assessment_score(a.id, subject, 90.0, "", "sup-1")
        supervision.publish_ranking(a.id, "sup-1")
    assert supervision.get_or_none(WindowRankingSeries.create_id("h1")) is None
