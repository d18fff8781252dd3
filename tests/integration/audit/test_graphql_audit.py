"""The audit GraphQL API through the live gateway: roles, halls, reasons, the access log."""

from __future__ import annotations

from gateway.auth import Role
from services.catalog import CatalogService
from services.privacy import ERASED
from services.staff import StaffMember

HISTORY = """query($r: String!, $f: AuditHistoryFilterInput, $a: Int! = 0, $n: Int! = 50,
                 $p: Boolean! = false, $h: String) {
  auditHistory(reason: $r, filter: $f, after: $a, first: $n, personalData: $p, hallId: $h) {
    events { position eventType aggregateId actor payload prevHash hash } nextAfter } }"""
AS_OF = """query($r: String!, $id: String!, $pos: Int) {
  auditRecordAsOf(reason: $r, aggregateId: $id, at: {position: $pos}) {
    version position state } }"""
DIFF = """query($r: String!, $id: String!) {
  auditRecordDiff(reason: $r, aggregateId: $id, start: {position: 9}, end: {position: 10}) {
    before { version } after { version } changes { field kind before after } } }"""
ACCESS = "query { auditAccessLog { actor role action scope reason personal } }"
ERASE = """mutation($s: String!, $r: String!) {
  erasePersonalData(subjectId: $s, reason: $r) { subjectId position recordIds } }"""


def _codes(response):
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


def test_an_auditor_pages_the_history_of_their_hall(gql, token, seeded):
    auditor = token(Role.AUDITOR, seeded, subject="au-7")
    r = gql(HISTORY, {"r": "年度审计", "n": 5}, token=auditor).json()["data"]["auditHistory"]
    assert [e["position"] for e in r["events"]] == [1, 2, 3, 4, 5]
    assert r["nextAfter"] == 5
    assert r["events"][0]["eventType"] == "halls.HallRegistered"
    assert r["events"][1]["prevHash"] == r["events"][0]["hash"]
    staff = gql(
        HISTORY,
        {"r": "年度审计", "f": {"eventType": "staff.StaffOnboarded"}, "p": True},
        token=auditor,
    ).json()["data"]["auditHistory"]["events"]
    assert {e["payload"]["name"] for e in staff} == {"王芳", "李强", "陈静"}


def test_as_of_and_diff(gql, token, platform, seeded):
    auditor = token(Role.AUDITOR, seeded)
    rx = str(platform.hall_app(CatalogService, seeded).get_item("RX-001").id)
    state = gql(AS_OF, {"r": "核对", "id": rx, "pos": 9}, token=auditor).json()["data"]
    assert state["auditRecordAsOf"]["state"]["name"] == "免费热线咨询"
    diff = gql(DIFF, {"r": "核对", "id": rx}, token=auditor).json()["data"]["auditRecordDiff"]
    assert (diff["before"]["version"], diff["after"]["version"]) == (1, 2)
    assert {
        "field": "name",
        "kind": "CHANGED",
        "before": "免费热线咨询",
        "after": "免费热线咨询（12345）",
    } in diff["changes"]


def test_reads_need_a_reason_and_the_right_role_and_hall(gql, token, seeded):
    auditor = token(Role.AUDITOR, seeded)
    assert _codes(gql(HISTORY, {"r": " "}, token=auditor)) == ["VALIDATION"]
    assert _codes(gql(HISTORY, {"r": "x"}, token=token(Role.HALL_ADMIN, seeded))) == ["FORBIDDEN"]
    assert _codes(gql(HISTORY, {"r": "x"})) == ["UNAUTHENTICATED"]
    other = token(Role.AUDITOR, "some-other-hall")
    assert _codes(gql(HISTORY, {"r": "x", "h": seeded}, token=other)) == ["NOT_FOUND"]
    operator = token(Role.PLATFORM_OPERATOR)
    assert _codes(gql(HISTORY, {"r": "x"}, token=operator)) == ["VALIDATION"]
    page = gql(HISTORY, {"r": "运维排查", "h": seeded, "n": 1}, token=operator).json()
    assert page["data"]["auditHistory"]["events"][0]["position"] == 1


def test_the_hall_admin_sees_who_read_what_and_why(gql, token, seeded):
    gql(HISTORY, {"r": "年度审计", "n": 1, "p": True}, token=token(Role.AUDITOR, seeded, "au-3"))
    gql(
        HISTORY,
        {"r": "运维排查", "h": seeded, "n": 1},
        token=token(Role.PLATFORM_OPERATOR, None, "op-1"),
    )
    admin = token(Role.HALL_ADMIN, seeded)
    log = gql(ACCESS, token=admin).json()["data"]["auditAccessLog"]
    assert [(e["actor"], e["role"], e["reason"], e["personal"]) for e in log] == [
        ("op-1", "platform_operator", "运维排查", False),
        ("au-3", "auditor", "年度审计", True),
    ]
    assert all(e["action"] == "HISTORY" for e in log)
    assert _codes(gql(ACCESS, token=token(Role.AUDITOR, seeded))) == ["FORBIDDEN"]


def test_a_hall_admin_erases_a_subject(gql, token, seeded):
    wang = StaffMember.create_id(seeded, "S001")
    admin = token(Role.HALL_ADMIN, seeded, "admin-5")
    assert _codes(gql(ERASE, {"s": f"record:{wang}", "r": ""}, token=admin)) == ["VALIDATION"]
    assert _codes(gql(ERASE, {"s": "a-1", "r": "x"}, token=token(Role.AUDITOR, seeded))) == [
        "FORBIDDEN"
    ]
    done = gql(ERASE, {"s": f"record:{wang}", "r": "离职人员请求删除"}, token=admin).json()
    assert done["data"]["erasePersonalData"]["recordIds"] == [str(wang)]
    staff = gql(
        HISTORY,
        {"r": "核对", "f": {"aggregateId": str(wang)}, "p": True},
        token=token(Role.AUDITOR, seeded),
    ).json()["data"]["auditHistory"]["events"]
    assert staff[0]["payload"]["name"] == ERASED
