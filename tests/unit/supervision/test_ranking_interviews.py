"""约谈: a window ranked last (末位) in the monthly window ranking two months running is
called to an interview, recorded with the ranking that makes the second month, once."""

from __future__ import annotations

from datetime import date

import pytest

from services.supervision import Interview, InterviewStatus
from services.supervision.policies import bottom_of

MONTHS = {"2026-07": (8, 10), "2026-08": (9, 9), "2026-09": (10, 9), "2026-10": (11, 9)}
"""Each month's ranking is published early the next month (month, day of the clock)."""


def _scheduled(app) -> list[Interview]:
    topics = [
        n.originator_id
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith("Interview.Scheduled")
    ]
    return [app.get_interview(i) for i in topics]


def _rank(app, clock, period: str, scores: dict[str, float], scope: str = "WINDOW"):
    month, day = MONTHS.get(period, (12, 1))
    clock.set(2026, month, day)
    a = app.open_assessment(period, scope, "好评率", "sup-1")
    for code, score in scores.items():
        app.record_assessment_score(a.id, code, score, "", "sup-1")
    return a


def _publish(app, clock, period: str, scores: dict[str, float], scope: str = "WINDOW"):
    return app.publish_ranking(_rank(app, clock, period, scores, scope).id, "sup-1")


def test_a_window_ranked_last_two_months_running_is_called_to_an_interview(supervision, clock):
    """Brief, KPIs: 'monthly window ranking (bottom two months running → interview 约谈)'."""
    _publish(supervision, clock, "2026-08", {"W01": 99.0, "W02": 97.0, "W03": 80.0})
    assert _scheduled(supervision) == []
    september = _rank(supervision, clock, "2026-09", {"W01": 99.0, "W02": 97.0, "W03": 80.0})
    before = supervision.recorder.max_notification_id()
    supervision.publish_ranking(september.id, "sup-1")
    # the ranking, the interview it calls and the hall's series: one atomic save
    published = supervision.recorder.select_notifications(start=before + 1, limit=10)
    assert [n.topic.rpartition(":")[2] for n in published] == [
        "Assessment.RankingPublished",
        "Interview.Scheduled",
        "WindowRankingSeries.MonthRecorded",
    ]
    (interview,) = _scheduled(supervision)
    assert interview.id == Interview.ranking_interview_id("h1", "W03", "2026-09")
    assert (interview.interviewee_kind.value, interview.interviewee) == ("WINDOW", "W03")
    assert interview.status is InterviewStatus.SCHEDULED
    assert interview.source_id == str(september.id)
    assert interview.reason == (
        "连续两个月排名末位：2026-08 第3名（共3个窗口），2026-09 第3名（共3个窗口）"
    )
    # five working days after the publication on Friday 2026-10-09 (Saturday the 10th is a
    # make-up working day, 调休)
    assert interview.scheduled_on == date(2026, 10, 15)
    (event,) = [e for e in supervision.repository.event_store.get(interview.id)]
    assert (event.actor, event.timestamp) == ("system", clock.now)
    assert supervision.ranking_interviews(september.id) == [interview]


def test_last_in_one_month_only_calls_nobody(supervision, clock):
    _publish(supervision, clock, "2026-08", {"W01": 99.0, "W02": 97.0, "W03": 80.0})
    _publish(supervision, clock, "2026-09", {"W01": 99.0, "W02": 80.0, "W03": 97.0})
    _publish(supervision, clock, "2026-10", {"W01": 70.0, "W02": 99.0, "W03": 97.0})
    assert _scheduled(supervision) == []


def test_windows_tied_at_the_last_place_are_all_at_the_bottom(supervision, clock):
    _publish(supervision, clock, "2026-08", {"W01": 99.0, "W02": 80.0, "W03": 80.0})
    sept = _publish(supervision, clock, "2026-09", {"W01": 99.0, "W02": 85.0, "W03": 85.0})
    assert bottom_of(sept) == {"W02": 2, "W03": 2}
    assert sorted(i.interviewee for i in _scheduled(supervision)) == ["W02", "W03"]


def test_a_ranking_without_a_last_place_calls_nobody(supervision, clock):
    """One window, or all tied at the first place: nobody ranks below anybody."""
    _publish(supervision, clock, "2026-07", {"W01": 90.0})
    aug = _publish(supervision, clock, "2026-08", {"W01": 90.0, "W02": 90.0})
    _publish(supervision, clock, "2026-09", {"W01": 90.0, "W02": 90.0})
    assert bottom_of(aug) == {}
    assert _scheduled(supervision) == []


def test_a_window_not_ranked_in_the_month_before_is_not_called(supervision, clock):
    _publish(supervision, clock, "2026-08", {"W01": 99.0, "W02": 80.0})
    _publish(supervision, clock, "2026-09", {"W01": 99.0, "W02": 90.0, "W03": 70.0})
    assert _scheduled(supervision) == []


def test_an_unpublished_ranking_of_the_month_before_does_not_count(supervision, clock):
    _rank(supervision, clock, "2026-08", {"W01": 99.0, "W03": 80.0})
    _publish(supervision, clock, "2026-09", {"W01": 99.0, "W03": 80.0})
    assert _scheduled(supervision) == []


def test_rankings_published_out_of_order_call_the_interview_once(supervision, clock):
    august = _rank(supervision, clock, "2026-08", {"W01": 99.0, "W03": 80.0})
    _publish(supervision, clock, "2026-10", {"W01": 99.0, "W03": 80.0})
    september = _publish(supervision, clock, "2026-09", {"W01": 99.0, "W03": 80.0})
    # September and October: recorded with September's (the later) publication
    (interview,) = _scheduled(supervision)
    assert interview.id == Interview.ranking_interview_id("h1", "W03", "2026-10")
    assert interview.source_id == str(supervision.assessment_id("WINDOW", "2026-10"))
    assert supervision.ranking_interviews(september.id) == []
    # August, published last, makes August and September too: one more, for September
    supervision.publish_ranking(august.id, "sup-1")
    first_months = sorted(i.reason.split("：")[1][:7] for i in _scheduled(supervision))
    assert first_months == ["2026-08", "2026-09"]
    assert [i.interviewee for i in supervision.ranking_interviews(september.id)] == ["W03"]


def test_an_interview_already_recorded_is_not_called_again(supervision, clock):
    """The interview's id is the window's and the month's: a second call records nothing."""
    _publish(supervision, clock, "2026-08", {"W01": 99.0, "W03": 80.0})
    september = _rank(supervision, clock, "2026-09", {"W01": 99.0, "W03": 80.0})
    earlier = Interview.called_for_ranking(
        hall_id="h1",
        window_code="W03",
        period="2026-09",
        reason="已约谈",
        source_id="",
        scheduled_on=date(2026, 10, 12),
        actor="sup-1",
        now=clock.now,
    )
    supervision.save(earlier)
    supervision.publish_ranking(september.id, "sup-1")
    (interview,) = _scheduled(supervision)
    assert (interview.id, interview.reason) == (earlier.id, "已约谈")
    before = supervision.recorder.max_notification_id()
    with pytest.raises(Exception, match="already published"):
        supervision.publish_ranking(september.id, "sup-1")
    assert supervision.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("scope", "periods", "scores"),
    [
        ("STAFF", ("2026-08", "2026-09"), {"S001": 99.0, "S002": 80.0}),
        ("WINDOW", ("2026-Q2", "2026-Q3"), {"W01": 99.0, "W03": 80.0}),
        ("WINDOW", ("2025", "2026"), {"W01": 99.0, "W03": 80.0}),
    ],
)
def test_only_monthly_window_rankings_call_interviews(supervision, clock, scope, periods, scores):
    for period in periods:
        _publish(supervision, clock, period, scores, scope)
    assert _scheduled(supervision) == []


def test_december_and_january_are_two_months_running(supervision, clock):
    clock.set(2026, 1, 5)
    dec = supervision.open_assessment("2025-12", "WINDOW", "", "sup-1")
    jan = supervision.open_assessment("2026-01", "WINDOW", "", "sup-1")
    for a in (dec, jan):
        supervision.record_assessment_score(a.id, "W01", 99.0, "", "sup-1")
        supervision.record_assessment_score(a.id, "W02", 60.0, "", "sup-1")
    supervision.publish_ranking(dec.id, "sup-1")
    clock.set(2026, 2, 3)
    supervision.publish_ranking(jan.id, "sup-1")
    (interview,) = _scheduled(supervision)
    assert interview.id == Interview.ranking_interview_id("h1", "W02", "2026-01")
