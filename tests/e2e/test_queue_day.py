"""One day of queueing (取号叫号) through GraphQL over real HTTP, on PostgreSQL.

The hall admin sets up queues, a place, windows and staff posts; staff sign in and open their
windows; a kiosk and an applicant take tickets; windows call them by the hall's call rule,
serve them, miss one (过号), transfer one to another queue; an applicant cancels; the admin
resets a queue at the end of the day; staff close their windows and sign out. Every stored
event validates against its contract.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from contracts import to_payload, validate_payload
from gateway.auth import Role
from services.queue import QueueDay, QueueService
from services.shared.working_days import CHINA_TZ, local_date
from tests.fixtures.races import in_new_process

REGISTER = """mutation($id: String!) {
  registerHall(input: {hallId: $id, name: "测试大厅", region: "江苏省苏州市"}) { hallId }
}"""
TICKET = """queueCode number displayNumber channel priorityGroup status windowCode staffBadge
  reservedWindow transferredFrom transferredTo waitingSeconds recalls misses outcome endReason"""


def _codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


def _data(response, field: str) -> Any:
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


@pytest.fixture
def hall(gql, token, tenant_id):
    _data(gql(REGISTER, {"id": tenant_id}, token=token(Role.PLATFORM_OPERATOR)), "registerHall")
    return tenant_id


@pytest.fixture
def as_(token, hall):
    """``as_(role, subject)``: a token of the hall for that role (staff: subject = 工号)."""
    return lambda role, subject="u-test": token(role, hall, subject=subject)


@pytest.fixture
def hall_ready(gql, as_):
    """Queues ZH (A…) and BD (B…); windows W01 (ZH, BD) and W02 (BD); S001 and S002."""
    admin = as_(Role.HALL_ADMIN, "admin-1")
    _data(
        gql(
            """mutation { publishServiceItem(input: {code: "QY-001", name: "企业开办",
              category: OTHER}) { code } }""",
            token=admin,
        ),
        "publishServiceItem",
    )
    for code, name, prefix, items in [
        ("ZH", "综合受理", "A", '["QY-001"]'),
        ("BD", "帮办代办", "B", "[]"),
    ]:
        queue = _data(
            gql(
                f"""mutation {{ configureQueue(input: {{code: "{code}", name: "{name}",
                  prefix: "{prefix}", itemCodes: {items}}}) {{ code prefix itemCodes }} }}""",
                token=admin,
            ),
            "configureQueue",
        )
        assert queue["prefix"] == prefix
    place = _data(
        gql(
            """mutation { registerServicePlace(input: {code: "MAIN", name: "市民中心一楼",
              placeType: HALL, address: "某路1号"}) { code placeType } }""",
            token=admin,
        ),
        "registerServicePlace",
    )
    assert place == {"code": "MAIN", "placeType": "HALL"}
    for code, kind, queues in [
        ("W01", "COMPREHENSIVE", '["ZH", "BD"]'),
        ("W02", "ASSISTANCE", '["BD"]'),
    ]:
        window = _data(
            gql(
                f"""mutation {{ configureWindow(input: {{code: "{code}", name: "窗口{code}",
                  windowType: {kind}, itemCodes: ["QY-001"], queueCodes: {queues},
                  placeCode: "MAIN"}}) {{ code status placeCode queueCodes }} }}""",
                token=admin,
            ),
            "configureWindow",
        )
        assert window["status"] == "CLOSED"
    for badge, name in [("S001", "王芳"), ("S002", "李强")]:
        _data(
            gql(
                f"""mutation {{ onboardStaff(input: {{badgeNumber: "{badge}", name: "{name}",
                  role: WINDOW_STAFF, skills: ["综合受理"]}}) {{ badgeNumber }} }}""",
                token=admin,
            ),
            "onboardStaff",
        )
    assign = """mutation($b: String!, $w: String!, $p: StaffPost!) {
      assignStaffToWindow(badgeNumber: $b, windowCode: $w, post: $p) { posts { windowCode post } }
    }"""
    _data(gql(assign, {"b": "S001", "w": "W01", "p": "A"}, token=admin), "assignStaffToWindow")
    _data(gql(assign, {"b": "S002", "w": "W02", "p": "A"}, token=admin), "assignStaffToWindow")
    posts = _data(
        gql(assign, {"b": "S002", "w": "W01", "p": "B"}, token=admin), "assignStaffToWindow"
    )
    assert posts["posts"] == [
        {"windowCode": "W01", "post": "B"},
        {"windowCode": "W02", "post": "A"},
    ]
    training = _data(
        gql(
            """mutation { recordStaffTraining(badgeNumber: "S001", input: {course: "政务服务礼仪",
              hours: 2.5, completedOn: "2026-01-05"}) { trainings { course hours } } }""",
            token=admin,
        ),
        "recordStaffTraining",
    )
    assert training["trainings"] == [{"course": "政务服务礼仪", "hours": 2.5}]
    return admin


def _issue(gql, token, queue: str, channel: str = "KIOSK", extra: str = "") -> Any:
    query = f"""mutation {{ issueTicket(input: {{queueCode: "{queue}", channel: {channel}
      {extra}}}) {{ {TICKET} }} }}"""
    return gql(query, token=token)


def _at_window(gql, token, mutation: str, queue: str, number: int, extra: str = "") -> Any:
    query = f"""mutation {{ {mutation}(queueCode: "{queue}", number: {number} {extra})
      {{ {TICKET} }} }}"""
    return gql(query, token=token)


CALL = "mutation($w: String!) { callNextTicket(windowCode: $w) { " + TICKET + " } }"


def test_one_day_of_queueing_at_two_windows(gql, as_, hall, hall_ready, platform, monkeypatch):
    # Snapshot queue days every 3 events, so loads from PostgreSQL snapshots are exercised.
    monkeypatch.setattr(QueueService, "snapshotting_intervals", {QueueDay: 3})
    admin = hall_ready
    s1, s2 = as_(Role.STAFF, "S001"), as_(Role.STAFF, "S002")
    kiosk, applicant = as_(Role.STAFF, "kiosk-01"), as_(Role.APPLICANT, "a-1")
    _staff_sign_in_and_open_their_windows(gql, s1, s2)
    _tickets_are_issued(gql, kiosk, applicant)
    _w01_serves_the_senior_then_misses_a001(gql, s1, s2)
    _w02_serves_the_mobile_ticket(gql, s1, s2)
    _a_break_then_a_transfer_to_assistance(gql, s1, s2, kiosk)
    _an_applicant_cancels_and_the_admin_resets(gql, as_, applicant, kiosk, admin, s1)
    _staff_close_and_sign_out(gql, s1, s2)
    _every_stored_event_matches_its_contract(platform, hall)


def _staff_sign_in_and_open_their_windows(gql, s1, s2) -> None:
    sign_in = "mutation($w: String!) { signInStaff(windowCode: $w) { badgeNumber onDutyWindow } }"
    assert _data(gql(sign_in, {"w": "W01"}, token=s1), "signInStaff")["onDutyWindow"] == "W01"
    assert _data(gql(sign_in, {"w": "W02"}, token=s2), "signInStaff")["onDutyWindow"] == "W02"
    open_ = "mutation($w: String!) { openWindow(code: $w) { code status } }"
    assert _codes(gql(open_, {"w": "W01"}, token=s2)) == ["FORBIDDEN"]  # not S002's window
    assert _data(gql(open_, {"w": "W01"}, token=s1), "openWindow")["status"] == "OPEN"
    assert _data(gql(open_, {"w": "W02"}, token=s2), "openWindow")["status"] == "OPEN"


def _tickets_are_issued(gql, kiosk, applicant) -> None:
    """The kiosk issues any channel and priority; the applicant only for themself."""
    a1 = _data(_issue(gql, kiosk, "ZH"), "issueTicket")
    a2 = _data(_issue(gql, kiosk, "ZH", extra="priorityGroup: SENIOR"), "issueTicket")
    b1 = _data(_issue(gql, applicant, "BD", "MOBILE", 'phone: "13800000000"'), "issueTicket")
    assert [t["displayNumber"] for t in (a1, a2, b1)] == ["A001", "A002", "B001"]
    assert (b1["channel"], b1["status"]) == ("MOBILE", "WAITING")
    assert _codes(_issue(gql, applicant, "BD", "KIOSK")) == ["FORBIDDEN"]
    priority = "priorityGroup: MILITARY"
    assert _codes(_issue(gql, applicant, "BD", "MOBILE", priority)) == ["FORBIDDEN"]
    assert _codes(_issue(gql, kiosk, "NOPE")) == ["NOT_FOUND"]


def _w01_serves_the_senior_then_misses_a001(gql, s1, s2) -> None:
    """By the hall's default rule: the senior first, then the longest waiting; 过号 (KEEP)."""
    assert _codes(gql(CALL, {"w": "W01"}, token=s2)) == ["FORBIDDEN"]  # S002 is at W02
    first = _data(gql(CALL, {"w": "W01"}, token=s1), "callNextTicket")
    assert (first["displayNumber"], first["status"], first["staffBadge"]) == (
        "A002",
        "CALLED",
        "S001",
    )
    assert first["waitingSeconds"] >= 0
    assert _codes(gql(CALL, {"w": "W01"}, token=s1)) == ["CONFLICT"]  # busy with A002
    _data(_at_window(gql, s1, "startTicketService", "ZH", 2), "startTicketService")
    served = _data(
        _at_window(gql, s1, "endTicketService", "ZH", 2, "outcome: COMPLETED"), "endTicketService"
    )
    assert (served["status"], served["outcome"]) == ("ENDED", "COMPLETED")
    assert _codes(_at_window(gql, s1, "startTicketService", "ZH", 2)) == ["CONFLICT"]
    # A001 waited longer than B001.
    assert _data(gql(CALL, {"w": "W01"}, token=s1), "callNextTicket")["displayNumber"] == "A001"
    assert _data(_at_window(gql, s1, "recallTicket", "ZH", 1), "recallTicket")["recalls"] == 1
    missed = _data(_at_window(gql, s1, "markTicketNoShow", "ZH", 1), "markTicketNoShow")
    assert (missed["status"], missed["misses"]) == ("NO_SHOW", 1)


def _w02_serves_the_mobile_ticket(gql, s1, s2) -> None:
    assert _data(gql(CALL, {"w": "W02"}, token=s2), "callNextTicket")["displayNumber"] == "B001"
    assert _codes(_at_window(gql, s1, "startTicketService", "BD", 1)) == ["FORBIDDEN"]
    _data(_at_window(gql, s2, "startTicketService", "BD", 1), "startTicketService")
    ended = _data(
        _at_window(gql, s2, "endTicketService", "BD", 1, "outcome: ACCEPTED"), "endTicketService"
    )
    assert ended["outcome"] == "ACCEPTED"
    assert _codes(gql(CALL, {"w": "W02"}, token=s2)) == ["NOT_FOUND"]  # nobody waits


def _a_break_then_a_transfer_to_assistance(gql, s1, s2, kiosk) -> None:
    """W01 on a break calls nobody; A003 needs 帮办代办: to BD at W02, as B002."""
    suspend = 'mutation { suspendWindow(code: "W01", reason: "午休") { status suspensionReason } }'
    assert _data(gql(suspend, token=s1), "suspendWindow") == {
        "status": "SUSPENDED",
        "suspensionReason": "午休",
    }
    _data(_issue(gql, kiosk, "ZH"), "issueTicket")  # A003
    assert _codes(gql(CALL, {"w": "W01"}, token=s1)) == ["CONFLICT"]
    resume = 'mutation { resumeWindow(code: "W01") { status } }'
    assert _data(gql(resume, token=s1), "resumeWindow")["status"] == "OPEN"
    assert _data(gql(CALL, {"w": "W01"}, token=s1), "callNextTicket")["displayNumber"] == "A003"
    target = 'toQueueCode: "BD", toWindowCode: "W02"'
    moved = _data(_at_window(gql, s1, "transferTicket", "ZH", 3, target), "transferTicket")
    assert (moved["displayNumber"], moved["channel"], moved["transferredFrom"]) == (
        "B002",
        "TRANSFER",
        "ZH/3",
    )
    assert moved["reservedWindow"] == "W02"
    assert _data(gql(CALL, {"w": "W02"}, token=s2), "callNextTicket")["displayNumber"] == "B002"


def _an_applicant_cancels_and_the_admin_resets(gql, as_, applicant, kiosk, admin, s1) -> None:
    b3 = _data(_issue(gql, applicant, "BD", "MOBILE"), "issueTicket")
    remove = """mutation($n: Int!) {
      removeTicket(queueCode: "BD", number: $n, reason: "不办了") { status } }"""
    other = as_(Role.APPLICANT, "a-2")
    assert _codes(gql(remove, {"n": b3["number"]}, token=other)) == ["FORBIDDEN"]
    assert _data(gql(remove, {"n": b3["number"]}, token=applicant), "removeTicket") == {
        "status": "REMOVED"
    }
    # End of day: A004 still waits and is removed by the reset; no more tickets today.
    _data(_issue(gql, kiosk, "ZH"), "issueTicket")
    reset = """mutation { resetQueue(queueCode: "ZH") {
      queueCode ticketsIssued removedByReset resetAt } }"""
    assert _codes(gql(reset, token=s1)) == ["FORBIDDEN"]
    day = _data(gql(reset, token=admin), "resetQueue")
    assert (day["ticketsIssued"], day["removedByReset"]) == (4, [4])
    assert _codes(_issue(gql, kiosk, "ZH")) == ["CONFLICT"]


def _staff_close_and_sign_out(gql, s1, s2) -> None:
    _data(_at_window(gql, s2, "startTicketService", "BD", 2), "startTicketService")
    ended = _at_window(gql, s2, "endTicketService", "BD", 2, "outcome: CONSULTED")
    assert _data(ended, "endTicketService")["status"] == "ENDED"
    close = "mutation($w: String!) { closeWindow(code: $w) { status } }"
    for token, window in [(s1, "W01"), (s2, "W02")]:
        assert _data(gql(close, {"w": window}, token=token), "closeWindow")["status"] == "CLOSED"
        out = _data(gql("mutation { signOutStaff { onDutyWindow } }", token=token), "signOutStaff")
        assert out["onDutyWindow"] is None


def _every_stored_event_matches_its_contract(platform, hall) -> None:
    app = platform.hall_app(QueueService, hall)
    for queue in ("ZH", "BD"):
        day = app.get_day(queue)
        assert day is not None
        assert list(app.snapshots.get(day.id)), f"no snapshot of {queue}'s day"
    notifications = platform.store.recorder(hall).select_notifications(start=1, limit=1000)
    names = set()
    for notification in notifications:
        event_type, payload = to_payload(app.mapper.to_domain_event(notification))
        validate_payload(event_type, payload)
        names.add(event_type.name)
    assert {
        "queue.TicketIssued",
        "queue.TicketCalled",
        "queue.TicketRecalled",
        "queue.ServiceStarted",
        "queue.ServiceEnded",
        "queue.TicketMarkedNoShow",
        "queue.TicketTransferred",
        "queue.TicketRemoved",
        "queue.QueueReset",
        "places.WindowOpened",
        "places.WindowSuspended",
        "staff.StaffSignedIn",
        "staff.StaffSignedOut",
    } <= names


def test_roles_that_may_not_run_a_window(gql, as_, hall_ready):
    for role in (Role.APPLICANT, Role.AUDITOR, Role.SUPERVISOR):
        r = gql('mutation { callNextTicket(windowCode: "W01") { number } }', token=as_(role))
        assert _codes(r) == ["FORBIDDEN"]
    r = gql(
        'mutation { configureQueue(input: {code: "X", name: "x", prefix: "X"}) { code } }',
        token=as_(Role.STAFF, "S001"),
    )
    assert _codes(r) == ["FORBIDDEN"]
    r = gql('mutation { callNextTicket(windowCode: "W01") { number } }')
    assert _codes(r) == ["UNAUTHENTICATED"]
    # A staff member signs only themself in.
    r = gql(
        'mutation { signInStaff(windowCode: "W01", badgeNumber: "S002") { badgeNumber } }',
        token=as_(Role.STAFF, "S001"),
    )
    assert _codes(r) == ["FORBIDDEN"]
    r = gql(
        'mutation { signInStaff(windowCode: "W01", badgeNumber: "S002") { onDutyWindow } }',
        token=as_(Role.HALL_ADMIN, "admin-1"),
    )
    assert _data(r, "signInStaff")["onDutyWindow"] == "W01"  # the B post covers W01


def test_a_ticket_is_transferred_only_to_an_open_window_which_closes_once_it_is_served(
    gql, as_, hall_ready
):
    """转窗口: only the window may call the ticket, so it must be open (not closed, not
    suspended), and it does not close while the ticket waits for it."""
    s1, s2 = as_(Role.STAFF, "S001"), as_(Role.STAFF, "S002")
    kiosk = as_(Role.STAFF, "kiosk-01")
    sign_in = "mutation($w: String!) { signInStaff(windowCode: $w) { onDutyWindow } }"
    open_ = "mutation($w: String!) { openWindow(code: $w) { status } }"
    close = "mutation($w: String!) { closeWindow(code: $w) { status } }"
    for token, window in [(s1, "W01"), (s2, "W02")]:
        _data(gql(sign_in, {"w": window}, token=token), "signInStaff")
    _data(gql(open_, {"w": "W01"}, token=s1), "openWindow")
    _data(_issue(gql, kiosk, "ZH"), "issueTicket")  # A001
    target = 'toQueueCode: "BD", toWindowCode: "W02"'
    assert _codes(_at_window(gql, s1, "transferTicket", "ZH", 1, target)) == ["CONFLICT"]
    _data(gql(open_, {"w": "W02"}, token=s2), "openWindow")
    suspend = 'mutation { suspendWindow(code: "W02", reason: "午休") { status } }'
    _data(gql(suspend, token=s2), "suspendWindow")
    assert _codes(_at_window(gql, s1, "transferTicket", "ZH", 1, target)) == ["CONFLICT"]
    _data(gql('mutation { resumeWindow(code: "W02") { status } }', token=s2), "resumeWindow")
    moved = _data(_at_window(gql, s1, "transferTicket", "ZH", 1, target), "transferTicket")
    assert (moved["displayNumber"], moved["reservedWindow"]) == ("B001", "W02")
    refused = gql(close, {"w": "W02"}, token=s2)
    assert _codes(refused) == ["CONFLICT"]
    assert "B001" in refused.json()["errors"][0]["message"]
    assert _data(gql(CALL, {"w": "W02"}, token=s2), "callNextTicket")["displayNumber"] == "B001"
    _data(_at_window(gql, s2, "startTicketService", "BD", 1), "startTicketService")
    ended = _at_window(gql, s2, "endTicketService", "BD", 1, "outcome: COMPLETED")
    assert _data(ended, "endTicketService")["status"] == "ENDED"
    assert _data(gql(close, {"w": "W02"}, token=s2), "closeWindow")["status"] == "CLOSED"


def test_a_ticket_of_a_past_service_day_is_not_transferred(gql, as_, hall, hall_ready, app_pool):
    """No window calls yesterday's ticket today, not even the open window it would be
    transferred to: CONFLICT, with the reason."""
    s1 = as_(Role.STAFF, "S001")
    _data(
        gql('mutation { signInStaff(windowCode: "W01") { onDutyWindow } }', token=s1), "signInStaff"
    )
    _data(gql('mutation { openWindow(code: "W01") { status } }', token=s1), "openWindow")
    yesterday = local_date(datetime.now(UTC)) - timedelta(days=1)
    nine = datetime.combine(yesterday, time(9), CHINA_TZ)
    in_new_process(app_pool, QueueService, hall, nine).issue_ticket("ZH", "KIOSK", "kiosk-01")
    target = f'toWindowCode: "W01", serviceDay: "{yesterday.isoformat()}"'
    refused = _at_window(gql, s1, "transferTicket", "ZH", 1, target)
    assert _codes(refused) == ["CONFLICT"], refused.text
    assert "past service day" in refused.json()["errors"][0]["message"]
