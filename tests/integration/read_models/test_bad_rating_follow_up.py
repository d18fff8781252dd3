"""The follow-up of bad ratings (差评核实率 / 整改率 / 回访率) in the evaluation statistics, fed
by real ratings and rectification steps through the store, read over GraphQL.

Bad ratings of hall A (window / staff; the month is the service's, in China):

====  ======================  =====  =====  ==================================================
ref   service (Beijing)       win    staff  rectification now
====  ======================  =====  =====  ==================================================
B1    05-11                   W01    S001   verified, fixed at once, fed back, review passed
B2    05-12 (非常不满意)       W01    S001   verified (rater not reached), explained
B3    05-13                   W01    S001   verified, on the ledger (in progress)
B4    05-14                   W01    S001   nothing yet
B5    05-15                   W01    S001   verified, fixed, fed back, reopened by the review
B6    05-18                   W01    S001   verified, fixed, fed back; the rating excluded
B7    05-31 23:30             W01    S001   verified
B8    06-01 00:30             W01    S001   verified, fixed at once
B9    05-19                   W02    S002   verified
G1    05-20 (满意)            W01    S001   (not a bad rating)
G2    07-01 (满意)            W01    S001   (not a bad rating)
====  ======================  =====  =====  ==================================================

Hall B has two bad ratings in May, both fed back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from gateway.auth import Role
from services.evaluations import EvaluationService, Invitation, Rating
from services.evaluations.policies import rectification_id_for
from services.rectifications import RectificationService
from tests.integration.read_models.conftest import data, edges, moment, serving

STATS = """query($by: StatisticsDimension!, $from: String, $to: String) {
  evaluationStatistics(by: $by, monthFrom: $from, monthTo: $to) {
    edges { node { key month rated dissatisfied veryDissatisfied excluded bad badVerified
                   badRectified badFedBack followUpRate rectificationRate feedbackRate } }
  }
}"""

MAY_END = datetime(2026, 5, 31, 15, 30, tzinfo=UTC)  # 2026-05-31 23:30 in Beijing
JUNE_START = datetime(2026, 5, 31, 16, 30, tzinfo=UTC)  # 2026-06-01 00:30 in Beijing


def _rate(app_at, hall: str, ref: str, at: datetime, level: str, window: str, staff: str):
    """An invitation served at ``at`` rated ``level`` at once; returns the evaluation."""
    app = app_at(EvaluationService, hall, at)
    invitation = Invitation("VISIT", ref, "OFFLINE", "a-1", window, staff, "")
    evaluation = app.invite_evaluation(invitation, staff or "S-window")
    return app.submit_rating(evaluation.id, Rating(level, {"OVERALL": 2}), "a-1")


def _steps(app_at, hall: str, rectification: UUID, day: str, *steps: str) -> None:
    """Take the rectification through ``steps`` on ``day``."""
    app = app_at(RectificationService, hall, moment(day))
    for step in steps:
        if step == "verify":
            app.record_verification_call(rectification, True, "已核实", "S001")
        elif step == "verify-unreached":
            app.record_verification_call(rectification, False, "未接通", "S001")
        elif step == "fix":
            app.fix_at_once(rectification, ["当场整改"], "S001")
        elif step == "explain":
            app.explain(rectification, "依法不能办理，已解释", "S001")
        elif step == "ledger":
            app.enter_ledger(rectification, ["优化流程"], "S001")
        elif step == "feed-back":
            app.feed_back(rectification, "PHONE", "已整改", "S001")
        elif step == "pass":
            app.pass_review(rectification, "", "sup-1")
        elif step == "reopen":
            app.reopen(rectification, "整改不到位", "sup-1")
        else:
            raise AssertionError(step)


BAD = {
    # ref: (served at, level, window, staff, steps)
    "B1": (
        moment("2026-05-11"),
        "DISSATISFIED",
        "W01",
        "S001",
        ("verify", "fix", "feed-back", "pass"),
    ),
    "B2": (
        moment("2026-05-12"),
        "VERY_DISSATISFIED",
        "W01",
        "S001",
        ("verify-unreached", "explain"),
    ),
    "B3": (moment("2026-05-13"), "DISSATISFIED", "W01", "S001", ("verify", "ledger")),
    "B4": (moment("2026-05-14"), "DISSATISFIED", "W01", "S001", ()),
    "B5": (
        moment("2026-05-15"),
        "DISSATISFIED",
        "W01",
        "S001",
        ("verify", "fix", "feed-back", "reopen"),
    ),
    "B6": (moment("2026-05-18"), "DISSATISFIED", "W01", "S001", ("verify", "fix", "feed-back")),
    "B7": (MAY_END, "DISSATISFIED", "W01", "S001", ("verify",)),
    "B8": (JUNE_START, "DISSATISFIED", "W01", "S001", ("verify", "fix")),
    "B9": (moment("2026-05-19"), "DISSATISFIED", "W02", "S002", ("verify",)),
}


@pytest.fixture
def rated(hall, other_hall, app_at, project) -> None:
    for h in (hall, other_hall):
        serving(app_at, h, "2026-05-04", "W01", "S001")
        serving(app_at, h, "2026-05-04", "W02", "S002")
    for ref, (at, level, window, staff, steps) in BAD.items():
        evaluation = _rate(app_at, hall, ref, at, level, window, staff)
        _steps(app_at, hall, rectification_id_for(evaluation), "2026-06-05", *steps)
        if ref == "B6":  # 甄别剔除: the rating no longer counts, its rectification goes on
            app = app_at(EvaluationService, hall, moment("2026-06-05"))
            app.appeal_rating(evaluation.id, "MALICIOUS", "与服务无关", "S-admin")
            app.exclude_rating(evaluation.id, "甄别属实", "sup-1")
    _rate(app_at, hall, "G1", moment("2026-05-20"), "SATISFIED", "W01", "S001")
    _rate(app_at, hall, "G2", moment("2026-07-01"), "SATISFIED", "W01", "S001")
    for ref in ("X1", "X2"):  # the other hall's bad ratings, every step done
        evaluation = _rate(app_at, other_hall, ref, moment("2026-05-11"), "DISSATISFIED", "W01", "")
        _steps(app_at, other_hall, rectification_id_for(evaluation), "2026-05-12", "verify", "fix")
        _steps(app_at, other_hall, rectification_id_for(evaluation), "2026-05-12", "feed-back")
    project()


def _figures(gql, token, hall: str, by: str = "HALL", **months: str) -> dict[tuple, dict]:
    variables = {"by": by, "from": months.get("start"), "to": months.get("end")}
    response = gql(STATS, variables, token=token(Role.SUPERVISOR, hall))
    rows = edges(data(response, "evaluationStatistics"))
    return {(r["key"], r["month"]): r for r in rows}


def _follow_up(bad: int, verified: int, rectified: int, fed_back: int) -> dict:
    """The follow-up figures from their counts: each rate is its count over ``bad``."""
    return {
        "bad": bad,
        "badVerified": verified,
        "badRectified": rectified,
        "badFedBack": fed_back,
        "followUpRate": verified / bad if bad else None,
        "rectificationRate": rectified / bad if bad else None,
        "feedbackRate": fed_back / bad if bad else None,
    }


def _of(row: dict) -> dict:
    return {k: row[k] for k in _follow_up(0, 0, 0, 0)}


def test_the_month_follows_its_bad_ratings_rectifications(gql, token, hall, rated):
    figures = _figures(gql, token, hall)
    may, june, july = (
        figures[(hall, "2026-05")],
        figures[(hall, "2026-06")],
        figures[(hall, "2026-07")],
    )
    # May: B1-B5, B7, B9 (B6 excluded, B8 served on June 1 in Beijing, G1 not bad)
    assert (may["dissatisfied"], may["veryDissatisfied"], may["excluded"]) == (6, 1, 1)
    # verified: all but B4 (B2's call reached nobody, but was made); rectified: B1 (fixed),
    # B2 (explained), not B3 (on the ledger) nor B5 (reopened); fed back: B1 only
    assert _of(may) == _follow_up(bad=7, verified=6, rectified=2, fed_back=1)
    assert may["followUpRate"] == pytest.approx(6 / 7)
    # June: B8 alone, verified and fixed, not fed back: 0, not null
    assert _of(june) == _follow_up(bad=1, verified=1, rectified=1, fed_back=0)
    assert june["feedbackRate"] == 0.0
    # July: a rating, no bad one: the rates have no denominator
    assert july["rated"] == 1
    assert _of(july) == _follow_up(bad=0, verified=0, rectified=0, fed_back=0)
    assert (july["followUpRate"], july["rectificationRate"], july["feedbackRate"]) == (
        None,
        None,
        None,
    )


def test_per_window_and_staff_the_follow_up_is_the_keys_own(gql, token, hall, rated):
    windows = _figures(gql, token, hall, by="WINDOW", start="2026-05", end="2026-05")
    assert set(windows) == {("W01", "2026-05"), ("W02", "2026-05")}
    assert _of(windows[("W01", "2026-05")]) == _follow_up(6, 5, 2, 1)
    assert _of(windows[("W02", "2026-05")]) == _follow_up(1, 1, 0, 0)
    staff = _figures(gql, token, hall, by="STAFF", start="2026-06")
    assert set(staff) == {("S001", "2026-06"), ("S001", "2026-07")}
    assert _of(staff[("S001", "2026-06")]) == _follow_up(1, 1, 1, 0)


def test_a_halls_follow_up_counts_only_its_own_ratings(gql, token, hall, other_hall, rated):
    mine = _figures(gql, token, hall)[(hall, "2026-05")]
    assert _of(mine) == _follow_up(7, 6, 2, 1)
    theirs = _figures(gql, token, other_hall)
    assert set(theirs) == {(other_hall, "2026-05")}
    assert _of(theirs[(other_hall, "2026-05")]) == _follow_up(2, 2, 2, 2)
