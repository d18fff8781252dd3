"""The complaint register, fed by real complaint commands through the store, read over GraphQL.

Four complaints in one hall, on chosen days (October 2026; Saturday 10-10 is a make-up
working day): A is accepted as referred (5 working days), extended by 2, substantiated and
replied late, then followed up; B is handled on the spot, replied in time, then reopened;
C is rejected; D is only received.
"""

from __future__ import annotations

import base64
from uuid import UUID

import psycopg
import pytest

from gateway.auth import Role
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from tests.integration.read_models.conftest import codes, data, edges, moment

FIELDS = """id complaintId status channel anonymous applicantId respondentWindow respondentBadge
  complaintClass rejectionReason timeLimitWorkingDays acceptedDueOn dueOn
  extensions { workingDays reason previousDueOn dueOn actor }
  assignee finding handlingRound repliedOnTime overdue satisfied version"""
ONE = "query($id: ID!) { complaint(id: $id) { FIELDS } }".replace("FIELDS", FIELDS)
LIST = """query($first: Int, $after: String, $filter: ComplaintRegisterFilter) {
  complaints(first: $first, after: $after, filter: $filter) {
    edges { node { complaintId } } pageInfo { hasNextPage endCursor }
  }
}"""


def _receive(app_at, hall, day, window, badge="", applicant="", name="") -> UUID:
    details = ComplaintDetails(
        channel="IN_PERSON",
        facts="窗口人员态度生硬，王五很不满意",
        anonymous=not applicant,
        applicant_id=applicant,
        complainant_name=name,
        respondent_window=window,
        respondent_badge=badge,
    )
    app = app_at(ComplaintService, hall, moment(day))
    return app.receive_complaint(details, applicant or "staff-1").id


@pytest.fixture
def complaints(hall, app_at, project) -> dict[str, str]:
    def on(day: str) -> ComplaintService:
        return app_at(ComplaintService, hall, moment(day))

    a = _receive(app_at, hall, "2026-10-08", "W01", "S001", "citizen-1", "王五")
    on("2026-10-08").accept_complaint(a, "REFERRED", "admin-1")  # due 10-14
    on("2026-10-08").assign_complaint(a, "S009", "admin-1")
    on("2026-10-09").extend_complaint_deadline(a, 2, "需调取录像", "admin-1")  # due 10-16
    on("2026-10-13").investigate_complaint(a, "SUBSTANTIATED", "录像证实", "S009")
    on("2026-10-13").dispose_complaint(a, ["批评教育"], "S009")
    on("2026-10-19").reply_to_complaint(a, "投诉属实，已处理", "S009")  # after 10-16: late
    on("2026-10-20").follow_up_complaint(a, False, "", "S009")

    b = _receive(app_at, hall, "2026-10-09", "W02")
    on("2026-10-09").accept_complaint(b, "ON_THE_SPOT", "admin-1")  # due 10-10 (make-up day)
    on("2026-10-09").investigate_complaint(b, "NOT_SUBSTANTIATED", "误会", "S002")
    on("2026-10-09").dispose_complaint(b, ["当场解释"], "S002")
    on("2026-10-09").reply_to_complaint(b, "已当场解释", "S002")
    on("2026-10-12").reopen_complaint(b, "复查", "admin-1")  # round 2, due 10-19

    c = _receive(app_at, hall, "2026-10-12", "W01", "S002", "citizen-2", "赵六")
    on("2026-10-12").reject_complaint(c, "OUT_OF_SCOPE", "不属本中心职责", "admin-1")
    d = _receive(app_at, hall, "2026-10-13", "W03", "", "citizen-1", "王五")
    project()
    return {"a": str(a), "b": str(b), "c": str(c), "d": str(d)}


def _ids(response) -> list[str]:
    return [n["complaintId"] for n in edges(data(response, "complaints"))]


def test_the_register_shows_class_respondent_due_date_extensions_finding_and_overdue(
    gql, token, hall, complaints
):
    staff = token(Role.STAFF, hall)
    a = data(gql(ONE, {"id": complaints["a"]}, token=staff), "complaint")
    assert (a["status"], a["complaintClass"], a["finding"]) == (
        "FOLLOWED_UP",
        "REFERRED",
        "SUBSTANTIATED",
    )
    assert (a["respondentWindow"], a["respondentBadge"], a["applicantId"]) == (
        "W01",
        "S001",
        "citizen-1",
    )
    assert (a["timeLimitWorkingDays"], a["acceptedDueOn"], a["dueOn"]) == (
        5,
        "2026-10-14",
        "2026-10-16",
    )
    assert a["extensions"] == [
        {
            "workingDays": 2,
            "reason": "需调取录像",
            "previousDueOn": "2026-10-14",
            "dueOn": "2026-10-16",
            "actor": "admin-1",
        }
    ]
    assert (a["repliedOnTime"], a["overdue"], a["satisfied"]) == (False, True, False)
    assert (a["assignee"], a["handlingRound"], a["version"]) == ("S009", 1, 8)

    b = data(gql(ONE, {"id": complaints["b"]}, token=staff), "complaint")
    assert (b["status"], b["anonymous"], b["applicantId"]) == ("ACCEPTED", True, "")
    # Reopened: the round's limit (the hall's complex limit) and due dates, not the first's.
    assert (b["handlingRound"], b["timeLimitWorkingDays"], b["dueOn"], b["acceptedDueOn"]) == (
        2,
        5,
        "2026-10-19",
        "2026-10-19",
    )
    assert (b["finding"], b["repliedOnTime"], b["overdue"]) == (None, None, False)
    assert b["assignee"] is None  # never assigned: null, and the rest of the answer stands

    c = data(gql(ONE, {"id": complaints["c"]}, token=staff), "complaint")
    assert (c["status"], c["rejectionReason"], c["dueOn"]) == ("REJECTED", "OUT_OF_SCOPE", None)
    d = data(gql(ONE, {"id": complaints["d"]}, token=staff), "complaint")
    assert (d["status"], d["assignee"], d["complaintClass"]) == ("RECEIVED", None, None)


def test_a_substantiated_complaint_links_its_rectification(gql, token, hall, complaints):
    query = """query($id: ID!) { complaint(id: $id) {
      finding rectification { source sourceId status windowCode staffBadge } } }"""
    a = data(gql(query, {"id": complaints["a"]}, token=token(Role.STAFF, hall)), "complaint")
    assert a["rectification"] == {
        "source": "COMPLAINT",
        "sourceId": f"{complaints['a']}#1",
        "status": "OPEN",
        "windowCode": "W01",
        "staffBadge": "S001",
    }
    b = data(gql(query, {"id": complaints["b"]}, token=token(Role.STAFF, hall)), "complaint")
    assert b["rectification"] is None  # reopened: no finding in this round
    citizen = token(Role.APPLICANT, hall, "citizen-1")
    assert codes(gql(query, {"id": complaints["a"]}, token=citizen)) == ["FORBIDDEN"]


def test_the_register_keeps_no_personal_data(hall, complaints, database_url):
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM complaint_register t WHERE tenant_id = %s"
            " AND (t::text LIKE '%%王五%%' OR t::text LIKE '%%态度生硬%%')",
            (hall,),
        ).fetchone()
    assert row == (0,)


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({}, ["d", "c", "b", "a"]),
        ({"status": "ACCEPTED"}, ["b"]),
        ({"window": "W01"}, ["c", "a"]),
        ({"staff": "S001"}, ["a"]),
        ({"overdue": True}, ["a"]),
        ({"overdue": False}, ["d", "c", "b"]),
        ({"receivedFrom": "2026-10-12"}, ["d", "c"]),
        ({"receivedTo": "2026-10-08"}, ["a"]),
        ({"complaintClass": "ON_THE_SPOT"}, ["b"]),
        ({"window": "W01", "overdue": False}, ["c"]),
    ],
)
def test_the_register_filters(gql, token, hall, complaints, filter_, expected):
    response = gql(LIST, {"filter": filter_}, token=token(Role.HALL_ADMIN, hall))
    assert _ids(response) == [complaints[k] for k in expected]


def test_the_register_pages_to_the_end_and_beyond(gql, token, hall, complaints):
    staff = token(Role.SUPERVISOR, hall)
    first = data(gql(LIST, {"first": 3}, token=staff), "complaints")
    assert first["pageInfo"]["hasNextPage"] is True
    end = first["pageInfo"]["endCursor"]
    second = data(gql(LIST, {"first": 3, "after": end}, token=staff), "complaints")
    assert [e["node"]["complaintId"] for e in second["edges"]] == [complaints["a"]]
    assert second["pageInfo"]["hasNextPage"] is False
    beyond = gql(LIST, {"first": 3, "after": second["pageInfo"]["endCursor"]}, token=staff)
    assert _ids(beyond) == []
    bogus = base64.urlsafe_b64encode(b'["2026-10-08"]').decode()
    assert codes(gql(LIST, {"after": bogus}, token=staff)) == ["VALIDATION"]
    assert codes(gql(LIST, {"after": "%%%"}, token=staff)) == ["VALIDATION"]
    reversed_range = {"receivedFrom": "2026-10-13", "receivedTo": "2026-10-12"}
    assert codes(gql(LIST, {"filter": reversed_range}, token=staff)) == ["VALIDATION"]


def test_an_applicant_sees_only_their_own_complaints(gql, token, hall, complaints):
    citizen = token(Role.APPLICANT, hall, "citizen-1")
    assert _ids(gql(LIST, token=citizen)) == [complaints["d"], complaints["a"]]
    assert data(gql(ONE, {"id": complaints["c"]}, token=citizen), "complaint") is None
    assert data(gql(ONE, {"id": complaints["b"]}, token=citizen), "complaint") is None  # anonymous
    assert data(gql(ONE, {"id": complaints["a"]}, token=citizen), "complaint")["overdue"] is True


def test_another_hall_and_other_roles_see_nothing(gql, token, hall, other_hall, complaints):
    stranger = token(Role.STAFF, other_hall)
    assert data(gql(ONE, {"id": complaints["a"]}, token=stranger), "complaint") is None
    assert _ids(gql(LIST, token=stranger)) == []
    assert codes(gql(LIST, token=token(Role.AUDITOR, hall))) == ["FORBIDDEN"]
    assert codes(gql(ONE, {"id": complaints["a"]})) == ["UNAUTHENTICATED"]
    node = "query($id: ID!) { node(id: $id) { ... on ComplaintRegisterEntry { complaintId } } }"
    entry = data(gql(ONE, {"id": complaints["a"]}, token=token(Role.STAFF, hall)), "complaint")
    found = data(gql(node, {"id": entry["id"]}, token=token(Role.STAFF, hall)), "node")
    assert found == {"complaintId": complaints["a"]}
    assert data(gql(node, {"id": entry["id"]}, token=stranger), "node") is None
