"""The rectification ledger (整改台账), fed by real bad ratings, complaints and rectification
commands through the store, read over GraphQL. Overdue comes only from the
``RectificationOverdue`` events the deadline check records (``mark_overdue``, the command the
scheduler runs), never from comparing dates with today.

R1: a bad rating at W01/S001 (2026-05-07): the verification call (due 05-08) is recorded
missed on 05-11, made late on 05-12, put on the ledger (due 05-19), missed again on 05-21.
R2: a substantiated complaint against W02/S002: verified, fixed at once, fed back, closed.
R3: a bad rating at W02: verified, explained, fed back, reopened by the review, put on the
ledger and completed in time.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from gateway.auth import Role
from services.evaluations import EvaluationService
from services.rectifications import Rectification, RectificationService
from tests.integration.read_models.conftest import (
    bad_rating,
    codes,
    data,
    edges,
    moment,
    substantiated_complaint,
)

FIELDS = """id rectificationId source sourceId windowCode staffBadge summary status disposition
  handlingRound handledBy verificationDueOn contacted verifiedOnTime plan workingDays dueOn
  completedOnTime overdue overdueDeadline overdueSince missedDeadlines closedAt"""
ONE = "query($id: ID!) { rectification(id: $id) { FIELDS } }".replace("FIELDS", FIELDS)
LIST = """query($first: Int, $after: String, $filter: RectificationLedgerFilter) {
  rectifications(first: $first, after: $after, filter: $filter) {
    edges { node { rectificationId } } pageInfo { hasNextPage endCursor }
  }
}"""


def _ledger(app_at, hall: str, day: str) -> RectificationService:
    return app_at(RectificationService, hall, moment(day))


def _entry(gql, token, hall: str, rid: UUID) -> dict:
    return data(gql(ONE, {"id": str(rid)}, token=token(Role.STAFF, hall)), "rectification")


def test_overdue_follows_the_recorded_misses_of_the_open_step(gql, token, hall, app_at, project):
    r1 = bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001")
    project()
    entry = _entry(gql, token, hall, r1)
    assert (entry["source"], entry["status"], entry["verificationDueOn"]) == (
        "BAD_RATING",
        "OPEN",
        "2026-05-08",
    )
    assert (entry["windowCode"], entry["staffBadge"], entry["summary"]) == (
        "W01",
        "S001",
        "差评：不满意",
    )
    assert (entry["overdue"], entry["missedDeadlines"]) == (False, 0)

    # past its due date, but nothing recorded the miss yet: not overdue
    _ledger(app_at, hall, "2026-05-09")
    project()
    assert _entry(gql, token, hall, r1)["overdue"] is False

    assert _ledger(app_at, hall, "2026-05-11").mark_overdue() == 1
    project()
    entry = _entry(gql, token, hall, r1)
    assert (entry["overdue"], entry["overdueDeadline"], entry["overdueSince"]) == (
        True,
        "VERIFICATION",
        "2026-05-11",
    )

    _ledger(app_at, hall, "2026-05-12").record_verification_call(r1, True, "已联系", "S001")
    _ledger(app_at, hall, "2026-05-12").enter_ledger(r1, ["整改窗口礼仪"], "S001")
    project()
    entry = _entry(gql, token, hall, r1)
    assert (entry["status"], entry["verifiedOnTime"], entry["handledBy"]) == (
        "IN_PROGRESS",
        False,
        "S001",
    )
    assert (entry["disposition"], entry["plan"], entry["workingDays"], entry["dueOn"]) == (
        "LEDGER",
        ["整改窗口礼仪"],
        5,
        "2026-05-19",
    )
    assert (entry["overdue"], entry["overdueDeadline"], entry["missedDeadlines"]) == (
        False,
        None,
        1,
    )

    assert _ledger(app_at, hall, "2026-05-21").mark_overdue() == 1
    assert _ledger(app_at, hall, "2026-05-22").mark_overdue() == 0  # recorded once
    project()
    entry = _entry(gql, token, hall, r1)
    assert (entry["overdue"], entry["overdueDeadline"], entry["overdueSince"]) == (
        True,
        "RECTIFICATION",
        "2026-05-21",
    )
    assert entry["missedDeadlines"] == 2


@pytest.fixture
def ledger(hall, app_at, project) -> dict[str, str]:
    """R1, R2, R3 as the module docstring tells; the ledger is up to date."""
    r1 = bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001")
    _ledger(app_at, hall, "2026-05-11").mark_overdue()
    _ledger(app_at, hall, "2026-05-12").record_verification_call(r1, True, "已联系", "S001")
    _ledger(app_at, hall, "2026-05-12").enter_ledger(r1, ["整改窗口礼仪"], "S001")
    _ledger(app_at, hall, "2026-05-21").mark_overdue()

    r2 = substantiated_complaint(app_at, hall, "2026-05-13")
    steps = _ledger(app_at, hall, "2026-05-14")
    steps.record_verification_call(r2, True, "已核实", "S002")
    steps.fix_at_once(r2, ["当面致歉"], "S002")
    steps.feed_back(r2, "PHONE", "已整改", "S002")
    steps.pass_review(r2, "同意", "sup-1")

    r3 = bad_rating(app_at, hall, "T03", "2026-05-15", "W02", "")
    steps = _ledger(app_at, hall, "2026-05-18")
    steps.record_verification_call(r3, False, "未接通，已短信", "S003")
    steps.explain(r3, "系统限制，已解释", "S003")
    steps.feed_back(r3, "SMS", "已解释", "S003")
    steps.reopen(r3, "解释不充分", "sup-1")
    steps.enter_ledger(r3, ["优化系统提示"], "S003")  # due 05-25
    _ledger(app_at, hall, "2026-05-25").complete(r3, ["已上线新提示"], "S003")
    project()
    return {"r1": str(r1), "r2": str(r2), "r3": str(r3)}


def _ids(response) -> list[str]:
    return [n["rectificationId"] for n in edges(data(response, "rectifications"))]


def test_the_ledger_shows_source_owner_state_and_dates(gql, token, hall, ledger):
    r2 = _entry(gql, token, hall, UUID(ledger["r2"]))
    assert (r2["source"], r2["status"], r2["disposition"]) == ("COMPLAINT", "CLOSED", "FIX_AT_ONCE")
    assert r2["sourceId"].endswith("#1")
    assert (r2["windowCode"], r2["staffBadge"], r2["verifiedOnTime"]) == ("W02", "S002", True)
    assert r2["closedAt"] is not None
    assert (r2["overdue"], r2["missedDeadlines"], r2["dueOn"]) == (False, 0, None)

    r3 = _entry(gql, token, hall, UUID(ledger["r3"]))
    assert (r3["status"], r3["disposition"], r3["handlingRound"]) == ("COMPLETED", "LEDGER", 2)
    assert (r3["contacted"], r3["dueOn"], r3["completedOnTime"]) == (False, "2026-05-25", True)
    assert (r3["plan"], r3["handledBy"], r3["overdue"]) == (["优化系统提示"], "S003", False)


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({}, ["r3", "r2", "r1"]),
        ({"status": "IN_PROGRESS"}, ["r1"]),
        ({"source": "COMPLAINT"}, ["r2"]),
        ({"source": "BAD_RATING"}, ["r3", "r1"]),
        ({"window": "W02"}, ["r3", "r2"]),
        ({"staff": "S001"}, ["r1"]),
        ({"overdue": True}, ["r1"]),
        ({"overdue": False, "window": "W02"}, ["r3", "r2"]),
        ({"openedFrom": "2026-05-13"}, ["r3", "r2"]),
        ({"openedTo": "2026-05-13"}, ["r2", "r1"]),
    ],
)
def test_the_ledger_filters(gql, token, hall, ledger, filter_, expected):
    response = gql(LIST, {"filter": filter_}, token=token(Role.SUPERVISOR, hall))
    assert _ids(response) == [ledger[k] for k in expected]


def test_the_ledger_pages_to_the_end_and_beyond(gql, token, hall, ledger):
    staff = token(Role.HALL_ADMIN, hall)
    first = data(gql(LIST, {"first": 2}, token=staff), "rectifications")
    assert first["pageInfo"]["hasNextPage"] is True
    second = data(
        gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=staff),
        "rectifications",
    )
    assert [e["node"]["rectificationId"] for e in second["edges"]] == [ledger["r1"]]
    assert second["pageInfo"]["hasNextPage"] is False
    beyond = gql(LIST, {"after": second["pageInfo"]["endCursor"]}, token=staff)
    assert _ids(beyond) == []
    assert codes(gql(LIST, {"after": "bm90IGpzb24"}, token=staff)) == ["VALIDATION"]


def test_the_ledger_is_for_the_halls_staff_only(gql, token, hall, other_hall, ledger):
    r1 = ledger["r1"]
    assert codes(gql(LIST, token=token(Role.APPLICANT, hall, "a-1"))) == ["FORBIDDEN"]
    assert codes(gql(ONE, {"id": r1}, token=token(Role.APPLICANT, hall, "a-1"))) == ["FORBIDDEN"]
    assert codes(gql(ONE, {"id": r1})) == ["UNAUTHENTICATED"]
    stranger = token(Role.SUPERVISOR, other_hall)
    assert data(gql(ONE, {"id": r1}, token=stranger), "rectification") is None
    assert _ids(gql(LIST, token=stranger)) == []
    assert data(gql(ONE, {"id": "nonsense"}, token=stranger), "rectification") is None
    entry = _entry(gql, token, hall, UUID(r1))
    node = "query($id: ID!) { node(id: $id) { ... on RectificationLedgerEntry { status } } }"
    assert data(gql(node, {"id": entry["id"]}, token=token(Role.STAFF, hall)), "node") == {
        "status": "IN_PROGRESS"
    }
    assert data(gql(node, {"id": entry["id"]}, token=stranger), "node") is None


def test_overdue_rectifications_marked_by_an_admin_or_supervisor_are_recorded_as_theirs(
    gql, token, hall, app_at, project
):
    """The mutation records the missed deadlines with the caller as actor (the deadline
    scheduler's misses are the ``system``'s), once each whoever records them."""
    r1 = bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001")  # call due 05-08
    app = _ledger(app_at, hall, "2026-05-11")
    mark = "mutation { markOverdueRectifications }"
    marked = gql(mark, token=token(Role.HALL_ADMIN, hall, "admin-7"))
    assert data(marked, "markOverdueRectifications") == 1
    again = gql(mark, token=token(Role.SUPERVISOR, hall, "sup-3"))
    assert data(again, "markOverdueRectifications") == 0
    events = list(app.repository.event_store.get(r1))
    overdue = [e for e in events if isinstance(e, Rectification.Overdue)]
    assert [(e.deadline, e.due_on, e.detected_on, e.actor) for e in overdue] == [
        ("VERIFICATION", "2026-05-08", "2026-05-11", "admin-7")
    ]

    app.record_verification_call(r1, True, "已联系", "S001")
    app.enter_ledger(r1, ["整改窗口礼仪"], "S001")  # due 05-18
    _ledger(app_at, hall, "2026-05-19")
    late = gql(mark, token=token(Role.SUPERVISOR, hall, "sup-3"))
    assert data(late, "markOverdueRectifications") == 1
    events = list(app.repository.event_store.get(r1))
    overdue = [e for e in events if isinstance(e, Rectification.Overdue)]
    assert [(e.deadline, e.actor) for e in overdue] == [
        ("VERIFICATION", "admin-7"),
        ("RECTIFICATION", "sup-3"),
    ]
    project()
    entry = _entry(gql, token, hall, r1)
    assert (entry["overdue"], entry["overdueDeadline"], entry["missedDeadlines"]) == (
        True,
        "RECTIFICATION",
        2,
    )


EXCLUDE = """mutation($id: ID!) { excludeRating(evaluationId: $id, note: "经核实为恶意差评") {
  excluded rectificationId } }"""
CALL = """mutation($id: ID!) { recordVerificationCall(id: $id, contacted: true, notes: "已联系")
  { status } }"""


def test_a_rectification_withdrawn_on_appeal_is_withdrawn_and_not_overdue(
    gql, token, hall, app_at, project
):
    """R1's call was missed (recorded 05-11) when the supervisor upholds the appeal against
    its rating (excludeRating, 05-12): the ledger shows it WITHDRAWN, ended and not overdue,
    the miss counted; no step is taken any more. R2, rated badly too and already fixed at
    once, stays COMPLETED when its rating is excluded."""
    r1 = bad_rating(app_at, hall, "T01", "2026-05-07", "W01", "S001")  # call due 05-08
    r2 = bad_rating(app_at, hall, "T02", "2026-05-07", "W01", "S001")
    steps = _ledger(app_at, hall, "2026-05-08")
    steps.record_verification_call(r2, True, "已联系", "S001")
    steps.fix_at_once(r2, ["当面致歉"], "S001")
    _ledger(app_at, hall, "2026-05-11").mark_overdue()
    evaluations = app_at(EvaluationService, hall, moment("2026-05-12"))
    e1, e2 = (evaluations.evaluation_id("VISIT", ref) for ref in ("T01", "T02"))
    for evaluation_id in (e1, e2):
        evaluations.appeal_rating(evaluation_id, "MALICIOUS", "与服务无关", "S001")
    project()
    assert _entry(gql, token, hall, r1)["overdue"] is True

    supervisor = token(Role.SUPERVISOR, hall, "sup-1")
    for evaluation_id, rid in ((e1, r1), (e2, r2)):
        excluded = data(gql(EXCLUDE, {"id": str(evaluation_id)}, token=supervisor), "excludeRating")
        assert excluded == {"excluded": True, "rectificationId": str(rid)}
    project()
    entry = _entry(gql, token, hall, r1)
    assert (entry["status"], entry["overdue"], entry["overdueDeadline"]) == (
        "WITHDRAWN",
        False,
        None,
    )
    assert (entry["overdueSince"], entry["missedDeadlines"], entry["handledBy"]) == (None, 1, None)
    assert entry["closedAt"].startswith("2026-05-12")
    kept = _entry(gql, token, hall, r2)
    assert (kept["status"], kept["disposition"], kept["closedAt"]) == (
        "COMPLETED",
        "FIX_AT_ONCE",
        None,
    )

    staff = token(Role.STAFF, hall, "S001")
    assert codes(gql(CALL, {"id": str(r1)}, token=staff)) == ["CONFLICT"]
    assert _ledger(app_at, hall, "2026-06-01").mark_overdue() == 0
    project()
    listed = gql(LIST, {"filter": {"status": "WITHDRAWN"}}, token=supervisor)
    assert _ids(listed) == [str(r1)]
    assert _ids(gql(LIST, {"filter": {"overdue": True}}, token=supervisor)) == []
    assert _entry(gql, token, hall, r1)["missedDeadlines"] == 1
