"""The hall setup lists through GraphQL and the real store: what a hall admin registered
(staff, places, queues, windows) is listed afterwards, changes show after the projection
ran, pages follow each other, and each hall and role reads what the rules say
(``gateway/hall_setup/queries.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.auth import Role
from tests.conftest import GraphQL
from tests.e2e.gateway.conftest import codes

PLACE = """mutation {
  registerServicePlace(input: {code: "ZX", name: "镇便民服务中心", placeType: GRASSROOTS_STATION,
    address: "某镇某路1号"}) { code name placeType address registeredAt }
}"""
QUEUE = """mutation($code: String!, $prefix: String!, $items: [String!]!) {
  configureQueue(input: {code: $code, name: "综合受理", prefix: $prefix, itemCodes: $items}) {
    code name prefix itemCodes }
}"""
WINDOW_FIELDS = "code name windowType placeCode itemCodes queueCodes status suspensionReason"
WINDOW = f"""mutation($input: ConfigureWindowInput!) {{
  configureWindow(input: $input) {{ {WINDOW_FIELDS} updatedAt }}
}}"""
ONBOARD = """mutation($badge: String!, $name: String!, $role: StaffRole!) {
  onboardStaff(input: {badgeNumber: $badge, name: $name, role: $role, skills: ["综合受理"]}) {
    badgeNumber }
}"""
ASSIGN = """mutation($badge: String!, $window: String!, $post: StaffPost!) {
  assignStaffToWindow(badgeNumber: $badge, windowCode: $window, post: $post) { badgeNumber }
}"""
SIGN_IN = """mutation($badge: String!, $window: String!) {
  signInStaff(badgeNumber: $badge, windowCode: $window) { badgeNumber }
}"""
TRAINING = """mutation($badge: String!) {
  recordStaffTraining(badgeNumber: $badge, input: {course: "政务礼仪", hours: 4.5,
    completedOn: "2025-01-10", certificate: "C-17"}) { badgeNumber }
}"""
OFFBOARD = """mutation($badge: String!) {
  offboardStaff(badgeNumber: $badge, reason: "调离") { badgeNumber }
}"""

MEMBER = """recordId badgeNumber name role skills posts { windowCode post } onDutyWindow
  trainings { course hours completedOn certificate } offboarded onboardedAt offboardedAt"""
STAFF = f"""query($first: Int, $after: String, $filter: StaffMemberFilter) {{
  staffMembers(first: $first, after: $after, filter: $filter) {{
    edges {{ cursor node {{ {MEMBER} }} }}
    pageInfo {{ hasNextPage hasPreviousPage endCursor }}
  }}
}}"""
PAGE = "pageInfo { hasNextPage endCursor }"
PLACES = f"""query($first: Int, $after: String) {{ servicePlaces(first: $first, after: $after) {{
  edges {{ node {{ code name placeType address registeredAt }} }} {PAGE} }} }}"""
QUEUES = f"""query($first: Int, $after: String) {{ queues(first: $first, after: $after) {{
  edges {{ node {{ code name prefix itemCodes }} }} {PAGE} }} }}"""
WINDOWS = f"""query($first: Int, $after: String) {{ windows(first: $first, after: $after) {{
  edges {{ node {{ {WINDOW_FIELDS} updatedAt }} }} {PAGE} }} }}"""
LISTS = {"staffMembers": STAFF, "servicePlaces": PLACES, "queues": QUEUES, "windows": WINDOWS}


def _data(response: Any, field: str) -> Any:
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


def _nodes(response: Any, field: str) -> list[dict[str, Any]]:
    return [edge["node"] for edge in _data(response, field)["edges"]]


class SetUp:
    """One hall set up over GraphQL by its admin: the mutations' answers are kept."""

    def __init__(self, gql: GraphQL, admin: str) -> None:
        self.gql = gql
        self.admin = admin
        self.answers: dict[str, Any] = {}

    def run(self, mutation: str, field: str, **variables: Any) -> Any:
        return _data(self.gql(mutation, variables, token=self.admin), field)

    def window(self, code: str, **fields: Any) -> dict[str, Any]:
        window = {"code": code, "name": f"{code} 窗口", "windowType": "COMPREHENSIVE", **fields}
        return dict(self.run(WINDOW, "configureWindow", input=window))

    def onboard(self, badge: str, name: str, role: str = "WINDOW_STAFF") -> None:
        self.run(ONBOARD, "onboardStaff", badge=badge, name=name, role=role)


@pytest.fixture
def set_up(
    gql: GraphQL, token: Callable[..., str], hall: str, publish: Callable[..., None]
) -> SetUp:
    """The hall with a place, two queues, two windows and three staff members: S001 (A post
    at W01, signed in there, one training), S002 (B post at W01), S003 (an agent)."""
    publish(hall, "RX-001", "RX-002")
    hall_setup = SetUp(gql, token(Role.HALL_ADMIN, hall, subject="admin-1"))
    run = hall_setup.run
    hall_setup.answers["place"] = run(PLACE, "registerServicePlace")
    hall_setup.answers["Q1"] = run(QUEUE, "configureQueue", code="Q1", prefix="A", items=["RX-001"])
    hall_setup.answers["Q2"] = run(QUEUE, "configureQueue", code="Q2", prefix="B", items=[])
    hall_setup.answers["W01"] = hall_setup.window("W01", itemCodes=["RX-001"], queueCodes=["Q1"])
    hall_setup.answers["W02"] = hall_setup.window("W02", placeCode="ZX", queueCodes=["Q2"])
    hall_setup.onboard("S001", "李娜")
    hall_setup.onboard("S002", "王芳")
    hall_setup.onboard("S003", "赵强", role="AGENT")
    run(ASSIGN, "assignStaffToWindow", badge="S001", window="W01", post="A")
    run(ASSIGN, "assignStaffToWindow", badge="S002", window="W01", post="B")
    run(SIGN_IN, "signInStaff", badge="S001", window="W01")
    run(TRAINING, "recordStaffTraining", badge="S001")
    return hall_setup


def _roster(gql: GraphQL, who: str, **variables: Any) -> list[dict[str, Any]]:
    return _nodes(gql(STAFF, variables, token=who), "staffMembers")


def test_each_list_shows_what_the_admin_registered_and_then_changed(
    gql: GraphQL, set_up: SetUp, project: Callable[[], int]
) -> None:
    admin = set_up.admin
    project()
    staff = _roster(gql, admin)
    assert [(m["badgeNumber"], m["name"], m["role"]) for m in staff] == [
        ("S001", "李娜", "WINDOW_STAFF"),
        ("S002", "王芳", "WINDOW_STAFF"),
        ("S003", "赵强", "AGENT"),
    ]
    s001, s002, s003 = staff
    assert s001["posts"] == [{"windowCode": "W01", "post": "A"}]
    assert s001["onDutyWindow"] == "W01"
    assert s001["skills"] == ["综合受理"]
    assert s001["trainings"] == [
        {"course": "政务礼仪", "hours": 4.5, "completedOn": "2025-01-10", "certificate": "C-17"}
    ]
    assert s002["posts"] == [{"windowCode": "W01", "post": "B"}]
    assert s002["onDutyWindow"] is None
    assert s003["posts"] == []
    assert s003["trainings"] == []
    assert not any(m["offboarded"] or m["offboardedAt"] for m in staff)
    assert len({m["recordId"] for m in staff}) == 3
    # Places, queues and windows: exactly what the mutations answered.
    assert _nodes(gql(PLACES, token=admin), "servicePlaces") == [set_up.answers["place"]]
    queues = _nodes(gql(QUEUES, token=admin), "queues")
    assert queues == [set_up.answers["Q1"], set_up.answers["Q2"]]
    windows = _nodes(gql(WINDOWS, token=admin), "windows")
    assert windows == [set_up.answers["W01"], set_up.answers["W02"]]
    assert windows[1]["placeCode"] == "ZX"
    assert windows[0]["status"] == "CLOSED"

    # A window reconfigured, another opened and suspended, a member offboarded, a queue added.
    reconfigured = set_up.run(
        f"""mutation {{ reconfigureWindow(input: {{code: "W02", name: "帮办窗口",
          windowType: ASSISTANCE, itemCodes: ["RX-002"], queueCodes: ["Q1", "Q2"]}})
          {{ {WINDOW_FIELDS} updatedAt }} }}""",
        "reconfigureWindow",
    )
    set_up.run('mutation { openWindow(code: "W01") { code } }', "openWindow")
    suspended = set_up.run(
        f"""mutation {{ suspendWindow(code: "W01", reason: "系统故障")
          {{ {WINDOW_FIELDS} updatedAt }} }}""",
        "suspendWindow",
    )
    project()  # offboarding reads the member's open work from the worklist read model
    set_up.run(OFFBOARD, "offboardStaff", badge="S002")
    added = set_up.run(QUEUE, "configureQueue", code="Q3", prefix="C", items=["RX-002"])
    project()

    windows = _nodes(gql(WINDOWS, token=admin), "windows")
    assert windows == [suspended, reconfigured]
    assert windows[0]["status"] == "SUSPENDED"
    assert windows[0]["suspensionReason"] == "系统故障"
    assert windows[1]["itemCodes"] == ["RX-002"]
    assert windows[1]["queueCodes"] == ["Q1", "Q2"]
    assert windows[1]["placeCode"] == "ZX"  # fixed once configured
    assert _nodes(gql(QUEUES, token=admin), "queues")[2] == added
    departed = _roster(gql, admin)[1]
    assert departed["badgeNumber"] == "S002"
    assert departed["offboarded"] is True
    assert departed["offboardedAt"] is not None
    assert departed["posts"] == []
    assert departed["name"] == "王芳"


def test_filters_pick_members_on_duty_by_role_and_departed(
    gql: GraphQL, set_up: SetUp, project: Callable[[], int]
) -> None:
    project()  # offboarding reads the member's open work from the worklist read model
    set_up.run(OFFBOARD, "offboardStaff", badge="S003")
    project()

    def badges(**wanted: Any) -> list[str]:
        return [m["badgeNumber"] for m in _roster(gql, set_up.admin, filter=wanted)]

    assert badges(onDuty=True) == ["S001"]
    assert badges(onDuty=False) == ["S002", "S003"]
    assert badges(role="AGENT") == ["S003"]
    assert badges(role="SUPERVISOR") == []
    assert badges(departed=True) == ["S003"]
    assert badges(departed=False) == ["S001", "S002"]
    assert badges(departed=False, onDuty=False) == ["S002"]
    assert badges() == ["S001", "S002", "S003"]


def test_pages_follow_each_other_and_a_forged_cursor_is_refused(
    gql: GraphQL, set_up: SetUp, project: Callable[[], int]
) -> None:
    for badge in ("S004", "S005"):
        set_up.onboard(badge, f"员工{badge}")
    project()
    seen, after, pages = [], None, 0
    while True:
        page = _data(gql(STAFF, {"first": 2, "after": after}, token=set_up.admin), "staffMembers")
        pages += 1
        seen += [e["node"]["badgeNumber"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["S001", "S002", "S003", "S004", "S005"]
    assert pages == 3

    first = _data(gql(WINDOWS, {"first": 1}, token=set_up.admin), "windows")
    assert [e["node"]["code"] for e in first["edges"]] == ["W01"]
    assert first["pageInfo"]["hasNextPage"] is True
    cursor = first["pageInfo"]["endCursor"]
    rest = _data(gql(WINDOWS, {"first": 5, "after": cursor}, token=set_up.admin), "windows")
    assert [e["node"]["code"] for e in rest["edges"]] == ["W02"]
    assert rest["pageInfo"]["hasNextPage"] is False
    for query in (QUEUES, PLACES):
        field = "queues" if query is QUEUES else "servicePlaces"
        empty = _data(gql(query, {"first": 0}, token=set_up.admin), field)
        assert empty["edges"] == []
        assert empty["pageInfo"]["hasNextPage"] is True

    forged = "WzEsMl0"  # [1,2]: no cursor of these lists
    for field, query in LISTS.items():
        assert codes(gql(query, {"after": forged}, token=set_up.admin)) == ["VALIDATION"], field
    too_many = gql(STAFF, {"first": 10_000}, token=set_up.admin)
    assert codes(too_many) == ["VALIDATION"]


def test_another_halls_token_sees_only_its_own_hall(
    gql: GraphQL,
    token: Callable[..., str],
    set_up: SetUp,
    other_hall: str,
    project: Callable[[], int],
) -> None:
    other = SetUp(gql, token(Role.HALL_ADMIN, other_hall, subject="admin-b"))
    other.onboard("S001", "另一位")
    project()
    assert [(m["badgeNumber"], m["name"]) for m in _roster(gql, other.admin)] == [
        ("S001", "另一位")
    ]
    for field, query in LISTS.items():
        if field != "staffMembers":
            assert _nodes(gql(query, token=other.admin), field) == [], field
    # A cursor taken from hall A's list reads nothing of hall A either.
    page = _data(gql(STAFF, {"first": 1}, token=set_up.admin), "staffMembers")
    after = page["pageInfo"]["endCursor"]
    assert _roster(gql, other.admin, after=after) == []
    supervisor = token(Role.SUPERVISOR, other_hall, subject="sup-b")
    assert [m["badgeNumber"] for m in _roster(gql, supervisor)] == ["S001"]


def test_staff_read_their_own_record_and_others_are_refused(
    gql: GraphQL, token: Callable[..., str], set_up: SetUp, hall: str, project: Callable[[], int]
) -> None:
    project()
    staff = token(Role.STAFF, hall, subject="S002")
    assert [m["badgeNumber"] for m in _roster(gql, staff)] == ["S002"]
    assert _roster(gql, staff, filter={"onDuty": True}) == []  # S002 is off duty
    assert [w["code"] for w in _nodes(gql(WINDOWS, token=staff), "windows")] == ["W01", "W02"]
    assert [q["code"] for q in _nodes(gql(QUEUES, token=staff), "queues")] == ["Q1", "Q2"]
    assert len(_nodes(gql(PLACES, token=staff), "servicePlaces")) == 1
    supervisor = token(Role.SUPERVISOR, hall, subject="sup-1")
    assert len(_roster(gql, supervisor)) == 3

    for role in (Role.APPLICANT, Role.AUDITOR, Role.PARTNER_ADMIN, Role.PLATFORM_OPERATOR):
        refused = token(role, hall, subject="someone")
        for field, query in LISTS.items():
            response = gql(query, token=refused)
            assert codes(response) == ["FORBIDDEN"], (role, field)
            assert response.json()["data"] is None
    for field, query in LISTS.items():
        assert codes(gql(query)) == ["UNAUTHENTICATED"], field


def test_an_erased_member_is_listed_without_their_name(
    gql: GraphQL, set_up: SetUp, project: Callable[[], int]
) -> None:
    project()
    s003 = _roster(gql, set_up.admin)[2]
    assert s003["name"] == "赵强"
    erase = """mutation($subject: String!) {
      erasePersonalData(subjectId: $subject, reason: "本人申请删除") { subjectId } }"""
    set_up.run(erase, "erasePersonalData", subject=f"record:{s003['recordId']}")
    project()
    staff = _roster(gql, set_up.admin)
    assert [m["name"] for m in staff] == ["李娜", "王芳", "[erased]"]
    assert {k: v for k, v in staff[2].items() if k != "name"} == {
        k: v for k, v in s003.items() if k != "name"
    }
