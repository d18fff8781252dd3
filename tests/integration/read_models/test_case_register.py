"""The 帮办代办 case register, fed by real case commands through the store, read over GraphQL.

Three cases in one hall: case 1 lives from request (2026-09-29) through a one-time notice, a
supplement, a reassignment, a suspension, and a late completion to the archive; case 2 is
only accepted; case 3 only requested. Dates come from the events (the applications' clocks
are set); the due dates are the working-day calendar's (National Day 2026, make-up day 10-10).
"""

from __future__ import annotations

import base64
import json
from uuid import UUID

import psycopg
import pytest

from gateway.auth import Role
from services.cases import Applicant, CaseRequest, CaseService
from services.privacy import PrivacyService
from tests.integration.read_models.conftest import ITEM, codes, data, edges, moment

FIELDS = """id caseId status mode applicantId applicantName firstResponsible responsible
  acceptedOn promisedWorkingDays dueDate noticeDueDate requiredMaterials receivedMaterials
  missingMaterials noticeMaterials noticeIssuedOn noticeStoppedClock outstandingMaterials
  clockStopped clockStoppedWorkingDays endedOn onTime overdue followUpCalls satisfied version"""
LIST = """query($first: Int, $after: String, $filter: CaseRegisterFilter) {
  assistanceCases(first: $first, after: $after, filter: $filter) {
    edges { cursor node { caseId status } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""
ONE = (
    "query($id: ID!) { assistanceCase(id: $id) { FIELDS history { event status actor details } } }"
)
ONE = ONE.replace("FIELDS", FIELDS)


def _request(app_at, hall: str, day: str, applicant: str, name: str, mode: str) -> str:
    app = app_at(CaseService, hall, moment(day))
    person = Applicant(applicant, name, "110101199003070011", "13800000000")
    request = CaseRequest(mode, ITEM, "企业设立登记", "HALL", person)
    return str(app.request_case(request, applicant).id)


def _lifecycle(app_at, hall: str) -> str:
    """Case 1: every step of the register's columns, on chosen days."""
    case = _request(app_at, hall, "2026-09-29", "citizen-1", "张三", "ONSITE_GUIDANCE")
    cid = UUID(case)

    def on(day: str) -> CaseService:
        return app_at(CaseService, hall, moment(day))

    on("2026-09-29").accept_case(cid, "S001", "agent-1")  # due 10-12 (5 working days)
    on("2026-09-30").check_materials(cid, ["身份证"], "agent-1")
    on("2026-09-30").issue_notice(cid, ["授权委托书", "营业执照"], "请补交", "agent-1")
    on("2026-10-10").supplement_materials(cid, ["授权委托书", "营业执照"], "agent-1")  # +3: 10-15
    on("2026-10-12").reassign_case(cid, "S002", "S001 休假", "agent-1")
    on("2026-10-12").suspend_case(cid, "等待部门答复", "agent-2")
    on("2026-10-14").resume_case(cid, "已答复", "agent-2")  # +2 working days: 10-19
    on("2026-10-20").complete_case(cid, "", "agent-2")  # after 10-19: late
    on("2026-10-21").record_follow_up(cid, True, False, "申请人说等太久", "sup-1")
    on("2026-10-21").archive_case(cid, "agent-2")
    return case


@pytest.fixture
def cases(hall, app_at, project) -> dict[str, str]:
    """Case ids by name; the register is up to date."""
    one = _lifecycle(app_at, hall)
    two = _request(app_at, hall, "2026-10-08", "citizen-2", "李四", "FULL_AGENCY")
    app_at(CaseService, hall, moment("2026-10-08")).accept_case(UUID(two), "S002", "agent-2")
    three = _request(app_at, hall, "2026-10-09", "citizen-1", "张三", "STEP_ASSISTANCE")
    project()
    return {"one": one, "two": two, "three": three}


def _ids(response) -> list[str]:
    return [n["caseId"] for n in edges(data(response, "assistanceCases"))]


def test_the_register_shows_a_case_as_its_events_left_it(gql, token, hall, cases):
    staff = token(Role.STAFF, hall, "agent-2")
    case = data(gql(ONE, {"id": cases["one"]}, token=staff), "assistanceCase")
    assert case["caseId"] == cases["one"]
    assert (case["status"], case["mode"], case["applicantId"]) == (
        "ARCHIVED",
        "ONSITE_GUIDANCE",
        "citizen-1",
    )
    assert case["applicantName"] == "张三"  # staff need the name
    assert (case["firstResponsible"], case["responsible"]) == ("S001", "S002")  # 首问负责 stays
    assert (case["acceptedOn"], case["promisedWorkingDays"]) == ("2026-09-29", 5)
    assert case["noticeDueDate"] == "2026-10-12"
    # 限时办结: 10-12, moved 3 working days by the notice and 2 by the suspension
    assert (case["dueDate"], case["clockStoppedWorkingDays"]) == ("2026-10-19", 5)
    assert case["requiredMaterials"] == ["身份证", "授权委托书", "营业执照"]
    assert case["receivedMaterials"] == ["身份证", "授权委托书", "营业执照"]
    assert case["missingMaterials"] == []  # the check found two missing; both supplied since
    assert case["noticeMaterials"] == ["授权委托书", "营业执照"]
    assert (case["noticeIssuedOn"], case["noticeStoppedClock"]) == ("2026-09-30", True)
    assert (case["outstandingMaterials"], case["clockStopped"]) == ([], False)
    assert (case["endedOn"], case["onTime"], case["overdue"]) == ("2026-10-20", False, True)
    assert (case["followUpCalls"], case["satisfied"], case["version"]) == (1, False, 11)

    history = case["history"]
    assert [(h["event"], h["status"]) for h in history] == [
        ("CaseRequested", "REQUESTED"),
        ("CaseAccepted", "ACCEPTED"),
        ("CaseMaterialsChecked", "ACCEPTED"),
        ("CaseOneTimeNoticeIssued", "ACCEPTED"),
        ("CaseMaterialsSupplemented", "ACCEPTED"),
        ("CaseReassigned", "ACCEPTED"),
        ("CaseSuspended", "SUSPENDED"),
        ("CaseResumed", "ACCEPTED"),
        ("CaseCompleted", "COMPLETED"),
        ("CaseFollowUpCalled", "COMPLETED"),
        ("CaseArchived", "ARCHIVED"),
    ]
    assert history[1]["details"]["due_date"] == "2026-10-12"
    assert history[4]["details"] == {
        "materials": ["授权委托书", "营业执照"],
        "outstanding": [],
        "clock_stopped_working_days": 3,
        "due_date": "2026-10-15",
    }
    assert history[9]["details"] == {"reached": True, "satisfied": False}  # no note: personal
    assert history[9]["actor"] == "sup-1"
    assert "张三" not in json.dumps(history, ensure_ascii=False)


def test_a_case_links_its_catalog_item(gql, token, hall, cases):
    query = "query($id: ID!) { assistanceCase(id: $id) { item { code name promisedWorkingDays } } }"
    case = data(gql(query, {"id": cases["two"]}, token=token(Role.STAFF, hall)), "assistanceCase")
    assert case["item"] == {"code": ITEM, "name": "帮办代办（全程代办）", "promisedWorkingDays": 5}


def test_an_open_case_is_not_overdue_and_its_clock_runs(gql, token, hall, cases):
    case = data(
        gql(ONE, {"id": cases["two"]}, token=token(Role.HALL_ADMIN, hall)), "assistanceCase"
    )
    assert (case["status"], case["dueDate"], case["overdue"], case["onTime"]) == (
        "ACCEPTED",
        "2026-10-14",  # 5 working days from 10-08, the make-up Saturday 10-10 included
        False,
        None,
    )
    assert (case["firstResponsible"], case["noticeMaterials"], case["clockStopped"]) == (
        "S002",
        [],
        False,
    )


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({}, ["three", "two", "one"]),
        ({"status": "ACCEPTED"}, ["two"]),
        ({"staff": "S002"}, ["two", "one"]),
        ({"staff": "S001"}, ["one"]),
        ({"overdue": True}, ["one"]),
        ({"overdue": False}, ["three", "two"]),
        ({"requestedFrom": "2026-10-01"}, ["three", "two"]),
        ({"requestedTo": "2026-09-30"}, ["one"]),
        ({"requestedFrom": "2026-10-08", "requestedTo": "2026-10-08"}, ["two"]),
        ({"itemCode": "NO-SUCH"}, []),
        ({"applicantId": "citizen-1"}, ["three", "one"]),
    ],
)
def test_the_register_filters(gql, token, hall, cases, filter_, expected):
    response = gql(LIST, {"filter": filter_}, token=token(Role.SUPERVISOR, hall))
    assert _ids(response) == [cases[name] for name in expected]


def test_the_register_pages_with_cursors_to_the_end_and_beyond(gql, token, hall, cases):
    staff = token(Role.STAFF, hall)
    seen, after = [], None
    for expected_next in (True, True, False):
        page = data(gql(LIST, {"first": 1, "after": after}, token=staff), "assistanceCases")
        seen += [e["node"]["caseId"] for e in page["edges"]]
        assert page["pageInfo"]["hasNextPage"] is expected_next
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["pageInfo"]["endCursor"]
    assert seen == [cases["three"], cases["two"], cases["one"]]
    beyond = data(gql(LIST, {"first": 1, "after": after}, token=staff), "assistanceCases")
    assert (beyond["edges"], beyond["pageInfo"]["hasNextPage"]) == ([], False)


@pytest.mark.parametrize(
    "variables",
    [
        {"after": "not-a-cursor!"},
        {"after": base64.urlsafe_b64encode(b'["x"]').decode()},
        {"after": base64.urlsafe_b64encode(b"[1, 2]").decode()},
        {"first": 1000},
        {"first": -1},
        {"filter": {"requestedFrom": "2026-10-09", "requestedTo": "2026-10-08"}},
    ],
)
def test_bad_cursors_page_sizes_and_ranges_are_validation_errors(
    gql, token, hall, cases, variables
):
    assert codes(gql(LIST, variables, token=token(Role.STAFF, hall))) == ["VALIDATION"]


def test_an_applicant_sees_only_their_own_cases(gql, token, hall, cases):
    citizen = token(Role.APPLICANT, hall, "citizen-1")
    assert _ids(gql(LIST, token=citizen)) == [cases["three"], cases["one"]]
    # naming someone else changes nothing: an applicant's filter is always themselves
    other = gql(LIST, {"filter": {"applicantId": "citizen-2"}}, token=citizen)
    assert _ids(other) == [cases["three"], cases["one"]]
    assert data(gql(ONE, {"id": cases["two"]}, token=citizen), "assistanceCase") is None
    own = data(gql(ONE, {"id": cases["one"]}, token=citizen), "assistanceCase")
    assert own["applicantName"] == "张三"


def test_another_hall_answers_like_nothing_exists(gql, token, hall, other_hall, cases):
    stranger = token(Role.HALL_ADMIN, other_hall)
    assert data(gql(ONE, {"id": cases["one"]}, token=stranger), "assistanceCase") is None
    assert _ids(gql(LIST, token=stranger)) == []
    assert data(gql(ONE, {"id": "not-a-uuid"}, token=stranger), "assistanceCase") is None
    missing = "00000000-0000-0000-0000-000000000000"
    assert data(gql(ONE, {"id": missing}, token=stranger), "assistanceCase") is None


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.PARTNER_ADMIN])
def test_roles_outside_the_hall_service_are_forbidden(gql, token, hall, cases, role):
    assert codes(gql(LIST, token=token(role, hall))) == ["FORBIDDEN"]
    assert codes(gql(ONE, {"id": cases["one"]}, token=token(role, hall))) == ["FORBIDDEN"]


def test_anonymous_callers_and_operators_get_no_register(gql, token, hall, cases):
    assert codes(gql(LIST)) == ["UNAUTHENTICATED"]
    assert codes(gql(LIST, token=token(Role.PLATFORM_OPERATOR))) == ["FORBIDDEN"]


def test_a_register_entry_is_a_node_for_its_hall_staff_only(gql, token, hall, other_hall, cases):
    staff = token(Role.STAFF, hall)
    entry = data(gql(ONE, {"id": cases["two"]}, token=staff), "assistanceCase")
    query = "query($id: ID!) { node(id: $id) { ... on CaseRegisterEntry { caseId status } } }"
    node = data(gql(query, {"id": entry["id"]}, token=staff), "node")
    assert node == {"caseId": cases["two"], "status": "ACCEPTED"}
    assert (
        data(gql(query, {"id": entry["id"]}, token=token(Role.STAFF, other_hall)), "node") is None
    )
    citizen = token(Role.APPLICANT, hall, "citizen-2")
    assert data(gql(query, {"id": entry["id"]}, token=citizen), "node") is None


def test_erasing_an_applicant_blanks_their_name_in_the_register(
    gql, token, hall, cases, platform, project, database_url
):
    platform.hall_app(PrivacyService, hall).erase_personal_data(
        "citizen-1", "申请人请求删除个人信息", "admin-1"
    )
    project()
    staff = token(Role.STAFF, hall)
    names = {
        name: data(gql(ONE, {"id": cases[name]}, token=staff), "assistanceCase")["applicantName"]
        for name in cases
    }
    assert names == {"one": "[erased]", "two": "李四", "three": "[erased]"}
    with psycopg.connect(database_url) as conn:
        left = conn.execute(
            "SELECT count(*) FROM case_register WHERE tenant_id = %s AND applicant_name = '张三'",
            (hall,),
        ).fetchone()
    assert left == (0,)
