"""What applicants and the waiting area's screens see of the queue, through GraphQL over
real HTTP, on the real store and projections.

An applicant follows their own ticket (``ticketStatus``): people ahead in the queue's call
order (a priority number goes first, a missed number requeued behind), the window it is
called to, the window it is reserved for after 转窗口, the ticket that goes on after 转号.
Nobody else reaches it: another applicant, the same subject in another hall, a number never
issued answer the same NOT_FOUND. The public board (``publicQueueBoard``) needs no token,
carries nothing personal and has the staff board's figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from deploy.bootstrap import Platform
from gateway.auth import Role
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.halls import HallRegistry, MissedNumberPolicy
from services.places import PlacesService
from services.queue import QueueService
from services.staff import StaffService
from tests.e2e.gateway.conftest import codes

ITEM = "ZH-001"
STATUS = """query($q: String!, $n: Int!) {
  ticketStatus(queueCode: $q, number: $n) {
    queueCode number displayNumber status peopleAhead windowCode calledAt reservedWindow
  }
}"""
ISSUE = """mutation($q: String!, $c: TicketChannel!, $a: String!, $p: PriorityGroup!) {
  issueTicket(input: {queueCode: $q, channel: $c, applicantId: $a, priorityGroup: $p,
                      phone: "13800000000"}) { number displayNumber }
}"""
CALL = "mutation($w: String!) { callNextTicket(windowCode: $w) { displayNumber } }"
PUBLIC_BOARD = """query($h: String!) {
  publicQueueBoard(hallId: $h) {
    hallId serviceDay
    queues { code name prefix waiting oldestWaitingSince longestWaitingSeconds }
    windows { code name status called { queueCode displayNumber calledAt } }
  }
}"""
STAFF_BOARD = """query {
  queueBoard { queues { code stats { waiting oldestWaitingSince } }
               windows { code status called { queueCode displayNumber calledAt } } }
}"""


def _set_up(platform: Platform, hall: str) -> None:
    """Queues ZH (A…) and BD (B…); W01 serves ZH (S001 王芳), W02 ZH and BD (S002 李强);
    both open; a missed number is requeued at the end of its line."""
    registry = platform.hall_app(HallRegistry, hall)
    registry.amend_policies({"missed_number_policy": MissedNumberPolicy.REQUEUE.value}, "admin")
    terms = ItemTerms(name="综合受理", category="ASSISTANCE", promised_working_days=5)
    platform.hall_app(CatalogService, hall).publish_service_item(ITEM, terms, "admin")
    queue = platform.hall_app(QueueService, hall)
    queue.configure_queue("ZH", "综合受理", "A", [ITEM], "admin")
    queue.configure_queue("BD", "帮办代办", "B", [], "admin")
    places = platform.hall_app(PlacesService, hall)
    staff = platform.hall_app(StaffService, hall)
    for window, badge, name, queues in [
        ("W01", "S001", "王芳", ["ZH"]),
        ("W02", "S002", "李强", ["ZH", "BD"]),
    ]:
        places.configure_window(
            window, f"{window}窗口", "COMPREHENSIVE", [ITEM], "admin", queue_codes=queues
        )
        staff.onboard_staff(badge, name, "WINDOW_STAFF", [], "admin")
        staff.assign_to_window(badge, window, "A", "admin")
        staff.sign_in(badge, window, badge)
        places.open_window(window, badge, badge=badge)


@pytest.fixture
def ready(platform: Platform, hall: str) -> str:
    _set_up(platform, hall)
    return hall


def _data(response: Any, field: str) -> Any:
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


def _issue(
    gql, token: str, queue: str, channel: str = "KIOSK", applicant: str = "", priority: str = "NONE"
) -> dict[str, Any]:
    variables = {"q": queue, "c": channel, "a": applicant, "p": priority}
    return _data(gql(ISSUE, variables, token=token), "issueTicket")


def _status(gql, token: str, number: int, queue: str = "ZH") -> dict[str, Any]:
    return _data(gql(STATUS, {"q": queue, "n": number}, token=token), "ticketStatus")


def _at_window(gql, token: str, mutation: str, number: int, extra: str = "") -> None:
    query = f'mutation {{ {mutation}(queueCode: "ZH", number: {number}{extra}) {{ status }} }}'
    _data(gql(query, token=token), mutation)


def test_an_applicant_follows_their_ticket_through_calls_a_miss_and_transfers(
    gql, token: Callable[..., str], ready: str
):
    hall = ready
    kiosk, me = token(Role.STAFF, hall, "kiosk-01"), token(Role.APPLICANT, hall, "a-1")
    s1, s2 = token(Role.STAFF, hall, "S001"), token(Role.STAFF, hall, "S002")
    _issue(gql, kiosk, "ZH")  # A001, anonymous
    _issue(gql, kiosk, "ZH")  # A002
    mine = _issue(gql, me, "ZH", "MOBILE")
    assert mine == {"number": 3, "displayNumber": "A003"}
    assert _status(gql, me, 3) == {
        "queueCode": "ZH",
        "number": 3,
        "displayNumber": "A003",
        "status": "WAITING",
        "peopleAhead": 2,
        "windowCode": None,
        "calledAt": None,
        "reservedWindow": None,
    }
    _issue(gql, kiosk, "ZH", priority="SENIOR")  # A004 goes first (the hall's default rule)
    assert _status(gql, me, 3)["peopleAhead"] == 3
    assert _data(gql(CALL, {"w": "W01"}, token=s1), "callNextTicket")["displayNumber"] == "A004"
    assert _status(gql, me, 3)["peopleAhead"] == 2
    _at_window(gql, s1, "startTicketService", 4)
    _at_window(gql, s1, "endTicketService", 4, ", outcome: COMPLETED")
    assert _data(gql(CALL, {"w": "W01"}, token=s1), "callNextTicket")["displayNumber"] == "A001"
    assert _status(gql, me, 3)["peopleAhead"] == 1
    _at_window(gql, s1, "markTicketNoShow", 1)  # REQUEUE: A001 waits again, behind A003
    assert _status(gql, me, 3)["peopleAhead"] == 1
    assert _data(gql(CALL, {"w": "W01"}, token=s1), "callNextTicket")["displayNumber"] == "A002"
    assert _status(gql, me, 3)["peopleAhead"] == 0
    assert _data(gql(CALL, {"w": "W02"}, token=s2), "callNextTicket")["displayNumber"] == "A003"
    called = _status(gql, me, 3)
    assert (called["status"], called["windowCode"], called["peopleAhead"]) == (
        "CALLED",
        "W02",
        None,
    )
    assert called["calledAt"] is not None

    _at_window(gql, s2, "transferTicket", 3, ', toWindowCode: "W01"')  # 转窗口
    reserved = _status(gql, me, 3)
    assert (reserved["status"], reserved["reservedWindow"], reserved["windowCode"]) == (
        "WAITING",
        "W01",
        None,
    )
    assert reserved["peopleAhead"] == 0  # at the front of W01's line, before the requeued A001

    _at_window(gql, s1, "startTicketService", 2)
    _at_window(gql, s1, "endTicketService", 2, ", outcome: COMPLETED")
    assert _data(gql(CALL, {"w": "W01"}, token=s1), "callNextTicket")["displayNumber"] == "A003"
    _at_window(gql, s1, "transferTicket", 3, ', toQueueCode: "BD"')  # 转号: B001 goes on
    assert _status(gql, me, 3) == {
        "queueCode": "BD",
        "number": 1,
        "displayNumber": "B001",
        "status": "WAITING",
        "peopleAhead": 0,
        "windowCode": None,
        "calledAt": None,
        "reservedWindow": None,
    }


def test_a_ticket_issued_for_an_applicant_at_a_kiosk_is_theirs(gql, token, ready):
    hall = ready
    kiosk = token(Role.STAFF, hall, "kiosk-01")
    _issue(gql, kiosk, "ZH", applicant="a-7")
    assert _status(gql, token(Role.APPLICANT, hall, "a-7"), 1)["displayNumber"] == "A001"


def test_nobody_else_learns_anything_of_a_ticket(gql, token, platform, ready, other_hall):
    hall = ready
    _set_up(platform, other_hall)
    kiosk = token(Role.STAFF, hall, "kiosk-01")
    _issue(gql, kiosk, "ZH")  # A001: a kiosk ticket without an applicant
    _issue(gql, token(Role.APPLICANT, hall, "a-1"), "ZH", "MOBILE")  # A002
    answers = {
        "another applicant's": (token(Role.APPLICANT, hall, "a-2"), 2),
        "an anonymous kiosk ticket": (token(Role.APPLICANT, hall, "a-1"), 1),
        "never issued": (token(Role.APPLICANT, hall, "a-1"), 3),
        "the same subject in another hall": (token(Role.APPLICANT, other_hall, "a-1"), 2),
    }
    for case, (caller, number) in answers.items():
        body = gql(STATUS, {"q": "ZH", "n": number}, token=caller).json()
        assert body["data"] is None, case
        assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
            ("NOT_FOUND", f"ticket 'ZH/{number}' does not exist in this hall")
        ], case
    assert _status(gql, token(Role.APPLICANT, hall, "a-1"), 2)["displayNumber"] == "A002"


@pytest.mark.parametrize(("role", "code"), [(None, "UNAUTHENTICATED"), (Role.STAFF, "FORBIDDEN")])
def test_ticket_status_is_for_applicants_only(gql, token, ready, role, code):
    hall = ready
    _issue(gql, token(Role.STAFF, hall, "kiosk-01"), "ZH", applicant="u-test")
    caller = token(role, hall) if role else None
    assert codes(gql(STATUS, {"q": "ZH", "n": 1}, token=caller)) == [code]


def test_the_public_board_has_the_staff_boards_figures_and_nothing_personal(
    gql, token, platform, ready, project
):
    hall = ready
    kiosk = token(Role.STAFF, hall, "kiosk-01")
    s1, s2 = token(Role.STAFF, hall, "S001"), token(Role.STAFF, hall, "S002")
    _issue(gql, kiosk, "ZH", applicant="applicant-4711")
    _issue(gql, token(Role.APPLICANT, hall, "applicant-4712"), "ZH", "MOBILE")
    _issue(gql, kiosk, "BD", priority="SENIOR")
    _issue(gql, kiosk, "ZH")
    gql(CALL, {"w": "W01"}, token=s1)  # A001
    gql(CALL, {"w": "W02"}, token=s2)  # B001 (the senior)
    suspend = 'mutation { suspendWindow(code: "W02", reason: "PRIVATE-REASON 王芳 病假") { code } }'
    _data(gql(suspend, token=s2), "suspendWindow")
    project()

    response = gql(PUBLIC_BOARD, {"h": hall})  # no token
    board = _data(response, "publicQueueBoard")
    text = json.dumps(board, ensure_ascii=False)
    personal = ["applicant-4711", "applicant-4712", "13800000000", "S001", "S002", "王芳", "李强"]
    for value in [*personal, "kiosk-01", "PRIVATE-REASON", "SENIOR"]:
        assert value not in text, value
    assert board["hallId"] == hall
    assert [(q["code"], q["waiting"]) for q in board["queues"]] == [("BD", 0), ("ZH", 2)]
    zh = board["queues"][1]
    assert zh["oldestWaitingSince"] is not None
    assert zh["longestWaitingSeconds"] >= 0
    assert [(w["code"], w["status"], w["called"]["displayNumber"]) for w in board["windows"]] == [
        ("W01", "OPEN", "A001"),
        ("W02", "SUSPENDED", "B001"),
    ]

    staff = _data(gql(STAFF_BOARD, token=s1), "queueBoard")
    staff_queues = [
        (q["code"], q["stats"]["waiting"], q["stats"]["oldestWaitingSince"])
        for q in staff["queues"]
    ]
    public_queues = [(q["code"], q["waiting"], q["oldestWaitingSince"]) for q in board["queues"]]
    assert public_queues == staff_queues
    public_windows = [{k: w[k] for k in ("code", "status", "called")} for w in board["windows"]]
    assert public_windows == staff["windows"]


def test_the_public_board_of_no_hall(gql, token):
    assert _data(gql(PUBLIC_BOARD, {"h": "no-such-hall-x"}), "publicQueueBoard") is None
    assert codes(gql(PUBLIC_BOARD, {"h": "NOT A HALL ID"})) == ["VALIDATION"]


def test_the_public_board_is_not_the_staff_board(gql, token, ready):
    """Anonymous callers get the public board; the staff board stays closed to them."""
    assert codes(gql(STAFF_BOARD)) == ["UNAUTHENTICATED"]
    assert codes(gql(STAFF_BOARD, token=token(Role.APPLICANT, ready))) == ["FORBIDDEN"]
    staff_only = f'{{ publicQueueBoard(hallId: "{ready}") {{ windows {{ staffOnDuty }} }} }}'
    assert codes(gql(staff_only)) == ["VALIDATION"]  # the field does not exist there
