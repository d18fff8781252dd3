"""Evaluation statistics (好差评), fed by real invitations, ratings, defaults and appeals
through the store, read over GraphQL, checked against hand-computed counts and rates.

Twelve visits, nine in May 2026 and three in June (window / staff / item / applicant):

====  =====  =====  ====  ======  ==========================================================
ref   win    staff  item  person  what happened
====  =====  =====  ====  ======  ==========================================================
T01   W01    S001   A     a-1     非常满意, voluntary
T02   W01    S001   A     a-1     满意, prompted (not voluntary)
T03   W01    S002   B     a-1     基本满意, voluntary
T04   W01    S002   B     a-1     不满意, voluntary → rectification (then verified)
T05   W02    S003   A     a-2     非常不满意, voluntary → rectification; appealed, excluded
T06   W02    S003   A     a-2     not rated: defaulted (基本满意, not voluntary)
T07   W02    S003   -     a-2     满意, voluntary; appealed, appeal rejected (counts)
T08   W02    S001   B     a-2     not rated yet (pending)
T09   W03    -      A     (a-3)   满意, voluntary (invited without applicant, its code lost
                                  and reissued; a-3 rated with the new code)
T10   W01    S001   A     a-1     June: 不满意, prompted → rectification
T11   W02    S003   A     a-2     June: 非常满意, voluntary
T12   W01    S002   B     a-1     June: pending
====  =====  =====  ====  ======  ==========================================================
"""

from __future__ import annotations

import psycopg
import pytest

from gateway.auth import Role
from projections.evaluations import ratings_by_id
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.evaluations import EvaluationService, Invitation, Rating
from services.evaluations.policies import rectification_id_for
from services.places import PlacesService
from services.queue import QueueService
from services.rectifications import RectificationService
from services.staff import StaffService
from tests.integration.read_models.conftest import ITEM, codes, data, edges, moment, serving

STATS = """query($by: StatisticsDimension!, $from: String, $to: String, $key: String,
               $first: Int, $after: String) {
  evaluationStatistics(by: $by, monthFrom: $from, monthTo: $to, key: $key, first: $first,
                       after: $after) {
    edges { node { key month invited pending closed defaulted unrated excluded rated
                   verySatisfied satisfied basic dissatisfied veryDissatisfied voluntary
                   voluntaryGood goodRate badRate unratedRate voluntaryRate voluntaryGoodRate
                   rank } }
    pageInfo { hasNextPage endCursor }
  }
}"""
BAD = """query($filter: RatingsFilter) {
  badRatings(filter: $filter) { edges { node {
    subjectRef level excluded appealState month rectificationId
    rectification { rectificationId source sourceId status windowCode staffBadge }
  } } }
}"""
RATINGS = """query($filter: RatingsFilter, $first: Int, $after: String) {
  ratings(filter: $filter, first: $first, after: $after) {
    edges { node { subjectRef status level voluntary raterId month } }
    pageInfo { hasNextPage endCursor }
  }
}"""

VISITS = {
    # ref: (day, window, staff, item, applicant)
    "T01": ("2026-05-04", "W01", "S001", "ITEM-A", "a-1"),
    "T02": ("2026-05-05", "W01", "S001", "ITEM-A", "a-1"),
    "T03": ("2026-05-06", "W01", "S002", "ITEM-B", "a-1"),
    "T04": ("2026-05-07", "W01", "S002", "ITEM-B", "a-1"),
    "T05": ("2026-05-08", "W02", "S003", "ITEM-A", "a-2"),
    "T06": ("2026-05-11", "W02", "S003", "ITEM-A", "a-2"),
    "T07": ("2026-05-12", "W02", "S003", "", "a-2"),
    "T08": ("2026-05-29", "W02", "S001", "ITEM-B", "a-2"),
    "T09": ("2026-05-20", "W03", "", "ITEM-A", ""),
    "T10": ("2026-06-02", "W01", "S001", "ITEM-A", "a-1"),
    "T11": ("2026-06-03", "W02", "S003", "ITEM-A", "a-2"),
    "T12": ("2026-06-04", "W01", "S002", "ITEM-B", "a-1"),
}
RATED = {
    # ref: (level, voluntary, rater)
    "T01": ("VERY_SATISFIED", True, "a-1"),
    "T02": ("SATISFIED", False, "a-1"),
    "T03": ("BASIC", True, "a-1"),
    "T04": ("DISSATISFIED", True, "a-1"),
    "T05": ("VERY_DISSATISFIED", True, "a-2"),
    "T07": ("SATISFIED", True, "a-2"),
    "T09": ("SATISFIED", True, "a-3"),
    "T10": ("DISSATISFIED", False, "a-1"),
    "T11": ("VERY_SATISFIED", True, "a-2"),
}


@pytest.fixture
def visits(hall, app_at, project) -> dict[str, str]:
    """Evaluation ids by reference; the statistics are up to date."""
    catalog = app_at(CatalogService, hall, moment("2026-05-01"))
    for code in ("ITEM-A", "ITEM-B"):  # invitations name published, rated items
        catalog.publish_service_item(code, ItemTerms(name=code, category="OTHER"), "admin-1")
    for _, window, staff, _, _ in VISITS.values():  # and name the hall's windows and staff
        serving(app_at, hall, "2026-05-01", window, staff)
    ids = {}
    for ref, (day, window, staff, item, applicant) in VISITS.items():
        app = app_at(EvaluationService, hall, moment(day))
        invitation = Invitation("VISIT", ref, "OFFLINE", applicant, window, staff, item)
        invited = app.invite_evaluation(invitation, "S-window")
        ids[ref] = invited.id
        code = invited.rating_code
        if code:  # 补发评价码: the first code was lost; the reissue counts as nothing
            code = app.reissue_rating_code(invited.id, "S-desk").rating_code
        if ref in RATED:  # rated the next day, within the 7-day period
            level, voluntary, rater = RATED[ref]
            rating = Rating(
                level, {"OVERALL": 3}, comment=f"{ref} 欧阳评价留言", voluntary=voluntary
            )
            later = app_at(EvaluationService, hall, moment(day, hour=23))
            later.submit_rating(ids[ref], rating, rater, rating_code=code)
    later = app_at(EvaluationService, hall, moment("2026-05-19"))
    later.apply_default_rating(ids["T06"], "system")  # its period ended on 05-18
    later.appeal_rating(ids["T05"], "MALICIOUS", "与服务无关", "S-admin")
    later.exclude_rating(ids["T05"], "甄别属实", "sup-1")
    later.appeal_rating(ids["T07"], "MISTAKEN", "评错窗口", "S-admin")
    later.reject_rating_appeal(ids["T07"], "证据不足", "sup-1")
    t04 = rectification_id_for(later.get_evaluation(ids["T04"]))
    app_at(RectificationService, hall, moment("2026-05-09")).record_verification_call(
        t04, True, "已回访", "S002"
    )
    project()
    return {ref: str(i) for ref, i in ids.items()}


def _rows(response) -> list[dict]:
    return edges(data(response, "evaluationStatistics"))


def _rows_of(body: dict) -> list[dict]:
    return edges(body["data"]["evaluationStatistics"])


def _stat(node: dict) -> dict:
    """The counts and rates of a statistics row, as the expectations below write them."""
    return {k: v for k, v in node.items() if k not in {"key", "month"}}


def _expect(invited, pending, defaulted, excluded, levels, voluntary, voluntary_good, rank):
    """A statistics row computed by hand from its counts: ``levels`` are 非常满意, 满意,
    基本满意, 不满意, 非常不满意 (excluded ratings not in them, defaults as 基本满意);
    ``voluntary_good`` the voluntary ones that are 非常满意 or 满意.

    未评率 is defaulted / closed (closed: the period has ended, invited − pending);
    主动评价好评率 is voluntary_good / voluntary."""
    rated = sum(levels)
    unrated = pending + defaulted
    closed = invited - pending
    return {
        "invited": invited,
        "pending": pending,
        "closed": closed,
        "defaulted": defaulted,
        "unrated": unrated,
        "excluded": excluded,
        "rated": rated,
        "verySatisfied": levels[0],
        "satisfied": levels[1],
        "basic": levels[2],
        "dissatisfied": levels[3],
        "veryDissatisfied": levels[4],
        "voluntary": voluntary,
        "voluntaryGood": voluntary_good,
        "goodRate": (levels[0] + levels[1]) / rated if rated else None,
        "badRate": (levels[3] + levels[4]) / rated if rated else None,
        "unratedRate": defaulted / closed if closed else None,
        "voluntaryRate": voluntary / rated if rated else None,
        "voluntaryGoodRate": voluntary_good / voluntary if voluntary else None,
        "rank": rank,
    }


def test_hall_statistics_per_month_are_exact(gql, token, hall, visits):
    rows = _rows(gql(STATS, {"by": "HALL"}, token=token(Role.HALL_ADMIN, hall)))
    assert [(r["key"], r["month"]) for r in rows] == [(hall, "2026-05"), (hall, "2026-06")]
    may, june = (_stat(r) for r in rows)
    # May: 9 invited; T08 pending, T06 defaulted (BASIC), T05 excluded; 7 ratings count:
    # 非常满意 T01; 满意 T02 T07 T09; 基本满意 T03 T06; 不满意 T04. Voluntary: T01 T03 T04 T07
    # T09 (T02 was prompted, T06 is a default, T05 is excluded); good among them: T01 T07 T09.
    # 未评率: T06 ended unrated among the 8 whose period ended (T08 is still open).
    assert may == _expect(9, 1, 1, 1, (1, 3, 2, 1, 0), 5, 3, 1)
    assert (may["goodRate"], may["unratedRate"], may["voluntaryRate"]) == (4 / 7, 1 / 8, 5 / 7)
    assert (may["closed"], may["voluntaryGoodRate"]) == (8, 3 / 5)
    assert june == _expect(3, 1, 0, 0, (1, 0, 0, 1, 0), 1, 1, 1)
    assert (june["goodRate"], june["unratedRate"], june["voluntaryRate"]) == (1 / 2, 0.0, 1 / 2)
    assert june["voluntaryGoodRate"] == 1.0


def test_window_statistics_rank_by_good_rate_with_ties(gql, token, hall, visits):
    rows = _rows(gql(STATS, {"by": "WINDOW"}, token=token(Role.SUPERVISOR, hall)))
    got = {(r["month"], r["key"]): _stat(r) for r in rows}
    assert list(got) == [  # by month, then rank, then key
        ("2026-05", "W03"),
        ("2026-05", "W01"),
        ("2026-05", "W02"),
        ("2026-06", "W02"),
        ("2026-06", "W01"),
    ]
    assert got[("2026-05", "W01")] == _expect(4, 0, 0, 0, (1, 1, 1, 1, 0), 3, 1, 2)
    assert got[("2026-05", "W02")] == _expect(4, 1, 1, 1, (0, 1, 1, 0, 0), 1, 1, 2)  # tie: 1/2
    assert got[("2026-05", "W03")] == _expect(1, 0, 0, 0, (0, 1, 0, 0, 0), 1, 1, 1)
    assert got[("2026-06", "W01")] == _expect(2, 1, 0, 0, (0, 0, 0, 1, 0), 0, 0, 2)
    assert got[("2026-06", "W02")] == _expect(1, 0, 0, 0, (1, 0, 0, 0, 0), 1, 1, 1)
    # W02 in May: T06 defaulted among T05 T06 T07 (T08 still open); 主动评价 T07 only, 满意.
    assert got[("2026-05", "W02")]["unratedRate"] == 1 / 3
    assert got[("2026-05", "W01")]["voluntaryGoodRate"] == 1 / 3  # T01 of T01 T03 T04
    assert got[("2026-06", "W01")]["voluntaryGoodRate"] is None  # no voluntary rating


def test_staff_and_item_statistics_leave_out_unattributed_visits(gql, token, hall, visits):
    staff = token(Role.STAFF, hall)
    may = {"by": "STAFF", "from": "2026-05", "to": "2026-05"}
    rows = {r["key"]: _stat(r) for r in _rows(gql(STATS, may, token=staff))}
    assert rows == {  # T09 has no staff member
        "S001": _expect(3, 1, 0, 0, (1, 1, 0, 0, 0), 1, 1, 1),
        "S003": _expect(3, 0, 1, 1, (0, 1, 1, 0, 0), 1, 1, 2),
        "S002": _expect(2, 0, 0, 0, (0, 0, 1, 1, 0), 2, 0, 3),
    }
    items = {"by": "ITEM", "from": "2026-05", "to": "2026-05"}
    rows = {r["key"]: _stat(r) for r in _rows(gql(STATS, items, token=staff))}
    assert rows == {  # T07 has no item
        "ITEM-A": _expect(5, 0, 1, 1, (1, 2, 1, 0, 0), 2, 2, 1),
        "ITEM-B": _expect(3, 1, 0, 0, (0, 0, 1, 1, 0), 2, 0, 2),
    }
    assert rows["ITEM-A"]["goodRate"] == 3 / 4
    assert (rows["ITEM-A"]["voluntaryGoodRate"], rows["ITEM-B"]["voluntaryGoodRate"]) == (1, 0)
    assert (rows["ITEM-A"]["unratedRate"], rows["ITEM-B"]["unratedRate"]) == (1 / 5, 0)


def test_one_key_keeps_its_rank_among_all_keys(gql, token, hall, visits):
    rows = _rows(gql(STATS, {"by": "WINDOW", "key": "W02"}, token=token(Role.STAFF, hall)))
    assert [(r["month"], r["key"], r["rank"]) for r in rows] == [
        ("2026-05", "W02", 2),
        ("2026-06", "W02", 1),
    ]


def test_statistics_page_and_validate_their_arguments(gql, token, hall, visits):
    staff = token(Role.STAFF, hall)
    page = data(gql(STATS, {"by": "WINDOW", "first": 3}, token=staff), "evaluationStatistics")
    assert [e["node"]["key"] for e in page["edges"]] == ["W03", "W01", "W02"]
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    rest = gql(STATS, {"by": "WINDOW", "first": 3, "after": after}, token=staff)
    assert [(r["month"], r["key"]) for r in _rows(rest)] == [("2026-06", "W02"), ("2026-06", "W01")]
    assert _rows(gql(STATS, {"by": "HALL", "from": "2026-07"}, token=staff)) == []
    for bad in (
        {"from": "2026-13"},
        {"to": "May"},
        {"from": "2026-06", "to": "2026-05"},
        {"from": "2026-05\n"},  # a line break after a month is no month
        {"from": "２０２６-05"},  # nor are full-width digits
    ):
        assert codes(gql(STATS, {"by": "HALL", **bad}, token=staff)) == ["VALIDATION"]
    assert codes(gql(STATS, {"by": "HALL", "after": "???"}, token=staff)) == ["VALIDATION"]


def test_statistics_are_for_the_halls_staff_only(gql, token, hall, other_hall, visits):
    assert codes(gql(STATS, {"by": "HALL"}, token=token(Role.APPLICANT, hall, "a-1"))) == [
        "FORBIDDEN"
    ]
    assert codes(gql(STATS, {"by": "HALL"}, token=token(Role.AUDITOR, hall))) == ["FORBIDDEN"]
    assert codes(gql(STATS, {"by": "HALL"})) == ["UNAUTHENTICATED"]
    other = _rows(gql(STATS, {"by": "HALL"}, token=token(Role.HALL_ADMIN, other_hall)))
    assert other == []  # the other hall has no ratings; this hall's never show there


def test_bad_ratings_come_with_their_rectification(gql, token, hall, visits):
    rows = edges(data(gql(BAD, token=token(Role.STAFF, hall)), "badRatings"))
    assert [(r["subjectRef"], r["level"], r["excluded"], r["appealState"]) for r in rows] == [
        ("T10", "DISSATISFIED", False, "NONE"),
        ("T05", "VERY_DISSATISFIED", True, "UPHELD"),
        ("T04", "DISSATISFIED", False, "NONE"),
    ]
    for row in rows:
        rectification = row["rectification"]
        assert rectification["rectificationId"] == row["rectificationId"]
        assert (rectification["source"], rectification["sourceId"]) == (
            "BAD_RATING",
            visits[row["subjectRef"]],
        )
    # T05's rating was excluded on appeal: its rectification, still linked, is withdrawn
    assert [r["rectification"]["status"] for r in rows] == ["OPEN", "WITHDRAWN", "VERIFIED"]
    assert rows[2]["rectification"]["staffBadge"] == "S002"
    counted = gql(
        BAD, {"filter": {"excluded": False, "window": "W01"}}, token=token(Role.STAFF, hall)
    )
    assert [r["subjectRef"] for r in edges(data(counted, "badRatings"))] == ["T10", "T04"]


def test_applicants_see_their_own_ratings_and_no_rectification(gql, token, hall, visits):
    mine = gql(RATINGS, token=token(Role.APPLICANT, hall, "a-1"))
    refs = [r["subjectRef"] for r in edges(data(mine, "ratings"))]
    assert refs == ["T12", "T10", "T04", "T03", "T02", "T01"]
    rater = edges(data(gql(RATINGS, token=token(Role.APPLICANT, hall, "a-3")), "ratings"))
    assert [(r["subjectRef"], r["raterId"], r["level"]) for r in rater] == [
        ("T09", "a-3", "SATISFIED")
    ]
    sneaky = "query { ratings { edges { node { rectification { status } } } } }"
    assert "FORBIDDEN" in codes(gql(sneaky, token=token(Role.APPLICANT, hall, "a-1")))
    assert codes(gql(BAD, token=token(Role.APPLICANT, hall, "a-1"))) == ["FORBIDDEN"]


def test_ratings_filter_and_page(gql, token, hall, visits):
    staff = token(Role.STAFF, hall)
    defaulted = gql(RATINGS, {"filter": {"status": "DEFAULTED"}}, token=staff)
    assert [
        (r["subjectRef"], r["level"], r["voluntary"]) for r in edges(data(defaulted, "ratings"))
    ] == [("T06", "BASIC", False)]
    june = gql(RATINGS, {"filter": {"invitedFrom": "2026-06-01"}}, token=staff)
    assert [r["subjectRef"] for r in edges(data(june, "ratings"))] == ["T12", "T11", "T10"]
    page = data(gql(RATINGS, {"first": 10}, token=staff), "ratings")
    assert page["pageInfo"]["hasNextPage"] is True
    rest = data(
        gql(RATINGS, {"first": 10, "after": page["pageInfo"]["endCursor"]}, token=staff), "ratings"
    )
    assert [r["node"]["subjectRef"] for r in rest["edges"]] == ["T02", "T01"]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_the_ratings_keep_no_comments(hall, visits, database_url):
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM evaluation_ratings t WHERE t::text LIKE '%%欧阳评价留言%%'"
        ).fetchone()
    assert row == (0,)


def test_default_ratings_applied_by_an_admin_are_recorded_as_theirs(
    gql, token, hall, app_at, project
):
    """The admin mutation defaults the invitations whose period is over, as the admin (the
    deadline scheduler's defaults are the ``system``'s)."""
    serving(app_at, hall, "2026-05-04", "W01")
    app = app_at(EvaluationService, hall, moment("2026-05-04"))
    due = app.invite_evaluation(Invitation("VISIT", "D01", "OFFLINE", "a-1", "W01"), "S001").id
    app_at(EvaluationService, hall, moment("2026-05-08"))
    still_open = app.invite_evaluation(Invitation("VISIT", "D02", "OFFLINE", "a-1"), "S001").id
    app_at(EvaluationService, hall, moment("2026-05-11"))  # D01's default day, D02's day 4
    applied = gql("mutation { applyDefaultRatings }", token=token(Role.HALL_ADMIN, hall, "admin-7"))
    assert data(applied, "applyDefaultRatings") == 1
    events = list(app.repository.event_store.get(due))
    assert [type(e).__name__ for e in events] == ["Invited", "RatingDefaulted"]
    assert events[-1].actor == "admin-7"
    assert app.get_evaluation(still_open).status.value == "INVITED"
    project()
    rows = _rows(gql(STATS, {"by": "HALL"}, token=token(Role.HALL_ADMIN, hall)))
    assert [(r["invited"], r["pending"], r["closed"], r["unratedRate"]) for r in rows] == [
        (2, 1, 1, 1.0)
    ]


def test_a_served_visit_nobody_rated_counts_as_unrated(gql, token, hall, app_at, project):
    """一次一评 without anybody asking: the end of the service invited the visit (no
    ``invite_evaluation``), so the statistics count it, pending while its period runs and
    in 未评率 once it ended unrated."""
    places = app_at(PlacesService, hall, moment("2026-05-04"))
    queues = app_at(QueueService, hall, moment("2026-05-04"))
    queues.configure_queue("ZH", "综合受理", "A", [ITEM], "admin-1")
    places.configure_window(
        "W01", "窗口W01", "COMPREHENSIVE", [ITEM], "admin-1", queue_codes=["ZH"]
    )
    places.open_window("W01", "admin-1")
    staff = app_at(StaffService, hall, moment("2026-05-04"))
    staff.assign_to_window("S001", "W01", "A", "admin-1")
    staff.sign_in("S001", "W01", "S001")
    ticket = queues.issue_ticket("ZH", "KIOSK", "kiosk-1")
    queues.call_next("W01", "S001", "S001")
    queues.start_service("ZH", ticket.number, "S001", "S001")
    ended = queues.end_service("ZH", ticket.number, "S001", "COMPLETED", "S001")
    assert ended.invitation is not None
    project()

    admin = token(Role.HALL_ADMIN, hall)
    counts = ("key", "month", "invited", "pending", "closed", "defaulted", "unratedRate")
    for by, key in (("HALL", hall), ("WINDOW", "W01"), ("STAFF", "S001"), ("ITEM", ITEM)):
        rows = _rows(gql(STATS, {"by": by}, token=admin))
        assert [tuple(r[c] for c in counts) for r in rows] == [
            (key, "2026-05", 1, 1, 0, 0, None)
        ], by

    # Nobody rated it: from its default day on, the scheduler's default closes it unrated.
    evaluations = app_at(EvaluationService, hall, moment("2026-05-11"))
    evaluations.apply_default_rating(ended.invitation.id)
    project()
    rows = _rows(gql(STATS, {"by": "HALL"}, token=admin))
    assert [tuple(r[c] for c in counts) for r in rows] == [(hall, "2026-05", 1, 0, 1, 1, 1.0)]
    ratings = data(gql(RATINGS, {}, token=token(Role.STAFF, hall)), "ratings")
    assert [(r["subjectRef"], r["status"], r["level"]) for r in edges(ratings)] == [
        (f"ZH:2026-05-04:{ticket.number}", "DEFAULTED", "BASIC")
    ]


def test_a_reissued_rating_code_changes_no_rating_row_or_statistic(
    gql, token, hall, app_at, project, platform
):
    """补发评价码 is not a rating: the open invitation's row and the statistics are the same
    before and after it (still pending; the reissue is in the audit trail only)."""
    serving(app_at, hall, "2026-05-04", "W01")
    app = app_at(EvaluationService, hall, moment("2026-05-04"))
    invited = app.invite_evaluation(Invitation("VISIT", "R01", "OFFLINE", "", "W01"), "S001")
    project()
    admin = token(Role.HALL_ADMIN, hall)
    before = (
        ratings_by_id(platform.app_pool, hall, [invited.id]),
        gql(STATS, {"by": "HALL"}, token=admin).json(),
    )
    app_at(EvaluationService, hall, moment("2026-05-06")).reissue_rating_code(invited.id, "S002")
    project()
    after = (
        ratings_by_id(platform.app_pool, hall, [invited.id]),
        gql(STATS, {"by": "HALL"}, token=admin).json(),
    )
    assert after == before
    assert before[0][invited.id].status == "INVITED"
    assert [(r["invited"], r["pending"]) for r in _rows_of(before[1])] == [(1, 1)]


def test_a_visit_ended_naming_its_item_counts_under_that_item(gql, token, hall, app_at, project):
    """好评率 per 事项 of a queue of several items: the visit whose item staff named when
    ending its service counts under that item; the one ended without is the hall's only."""
    catalog = app_at(CatalogService, hall, moment("2026-05-04"))
    catalog.publish_service_item("ITEM-2", ItemTerms(name="变更", category="OTHER"), "admin-1")
    queues = app_at(QueueService, hall, moment("2026-05-04"))
    queues.configure_queue("ZH", "综合受理", "A", [ITEM, "ITEM-2"], "admin-1")
    places = app_at(PlacesService, hall, moment("2026-05-04"))
    places.configure_window(
        "W01", "窗口W01", "COMPREHENSIVE", [ITEM], "admin-1", queue_codes=["ZH"]
    )
    places.open_window("W01", "admin-1")
    staff = app_at(StaffService, hall, moment("2026-05-04"))
    staff.assign_to_window("S001", "W01", "A", "admin-1")
    staff.sign_in("S001", "W01", "S001")
    ended = []
    for item in ("ITEM-2", ""):
        ticket = queues.issue_ticket("ZH", "MOBILE", "a-1", applicant_id="a-1")
        queues.call_next("W01", "S001", "S001")
        queues.start_service("ZH", ticket.number, "S001", "S001")
        ended.append(
            queues.end_service("ZH", ticket.number, "S001", "COMPLETED", "S001", item_code=item)
        )
    named = ended[0].invitation
    assert named is not None
    evaluations = app_at(EvaluationService, hall, moment("2026-05-04", hour=3))
    evaluations.submit_rating(named.id, Rating("SATISFIED", {"OVERALL": 5}), "a-1")
    project()

    admin = token(Role.HALL_ADMIN, hall)
    counts = ("key", "month", "invited", "pending", "rated", "goodRate")
    by_item = _rows(gql(STATS, {"by": "ITEM"}, token=admin))
    assert [tuple(r[c] for c in counts) for r in by_item] == [("ITEM-2", "2026-05", 1, 0, 1, 1.0)]
    by_hall = _rows(gql(STATS, {"by": "HALL"}, token=admin))
    assert [tuple(r[c] for c in counts) for r in by_hall] == [(hall, "2026-05", 2, 1, 1, 1.0)]
