"""The audit trail, searched in the log of real commands of several contexts, over GraphQL.

The hall fixture's records (registered by ``op``, an item and two staff members by
``admin-1``) happen now; then, on 2026-03-02 (Beijing): queue ZH and window W01 are set up
(``admin``), S001 signs in and opens W01, citizen-1 takes mobile ticket A001 (with a phone),
S001 calls, serves and ends it (the end invites the visit to rate, as ``system``); citizen-2
asks for help with a case (name, ID number, phone, address) that agent-1 accepts; citizen-3
complains (name, phone, facts), the complaint is accepted and assigned, and sup-1's
substantiated finding makes the system open a rectification. Every one of these is an
entry; none of the personal data is. No projection worker runs: the trail is the log.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest

from gateway.auth import Role
from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.queue import QueueDay, QueueService
from services.rectifications import SYSTEM_ACTOR
from tests.integration.read_models.conftest import ITEM, codes, data, edges
from tests.integration.read_models.test_queue_board import bj, clock, open_queues

PHONE, NAME, ID_NUMBER, ADDRESS = "13912345678", "张小三", "110101199003070011", "某路8号"
COMPLAINANT, FACTS = "王大五", "窗口人员态度生硬，王大五很不满意"
START = bj("09:00").isoformat()
PERSONAL = (PHONE, NAME, ID_NUMBER, ADDRESS, COMPLAINANT, FACTS, "代办员甲", "代办员乙")

TRAIL = """query($first: Int, $after: String, $search: AuditTrailSearch) {
  auditTrail(first: $first, after: $after, search: $search) {
    edges { cursor node { position occurredAt actor eventType eventVersion recordId
      recordVersion reference } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""
DAY_REF, TICKET_REF = "ZH 2026-03-02", "ZH 2026-03-02 A001"

SCENARIO = [  # (event type, actor, reference), oldest first
    ("queue.QueueConfigured", "admin", "ZH"),
    ("queue.QueuePrefixClaimed", "admin", None),
    ("places.WindowConfigured", "admin", "W01"),
    ("staff.StaffAssignedToWindow", "admin", "S001"),
    ("staff.StaffSignedIn", "S001", "S001"),
    ("places.WindowOpened", "S001", "W01"),
    ("queue.QueueDayStarted", "citizen-1", DAY_REF),
    ("queue.TicketIssued", "citizen-1", TICKET_REF),
    ("queue.TicketCalled", "S001", TICKET_REF),
    ("queue.WindowDayStarted", "S001", None),
    ("queue.WindowCallRecorded", "S001", "A001"),
    ("queue.ServiceStarted", "S001", TICKET_REF),
    ("queue.ServiceEnded", "S001", TICKET_REF),
    ("evaluations.EvaluationInvited", SYSTEM_ACTOR, None),  # 一次一评, saved with the end
    ("cases.CaseRequested", "citizen-2", None),
    ("cases.CaseAccepted", "agent-1", None),
    ("complaints.ComplaintReceived", "citizen-3", None),
    ("complaints.ComplaintAccepted", "admin-1", None),
    ("complaints.ComplaintAssigned", "admin-1", None),
    ("complaints.ComplaintInvestigated", "sup-1", None),
    ("rectifications.RectificationOpened", SYSTEM_ACTOR, None),
]
FIXTURE = [  # the hall fixture's records
    ("halls.HallRegistered", "op", None),
    ("catalog.ServiceItemPublished", "admin-1", ITEM),
    ("staff.StaffOnboarded", "admin-1", "S001"),
    ("staff.StaffOnboarded", "admin-1", "S002"),
]


@pytest.fixture
def trail(hall, app_at) -> dict[str, str]:
    """The module's day; returns record ids by name."""
    at = clock(app_at, hall)
    open_queues(at, {"W01": ("ZH", "A", "S001")})
    ticket = at(QueueService, "09:10").issue_ticket(
        "ZH", "MOBILE", "citizen-1", applicant_id="citizen-1", phone=PHONE
    )
    at(QueueService, "09:15").call_next("W01", "S001", "S001")
    at(QueueService, "09:16").start_service("ZH", 1, "S001", "S001")
    at(QueueService, "09:20").end_service("ZH", 1, "S001", "COMPLETED", "S001")
    person = Applicant("citizen-2", NAME, ID_NUMBER, PHONE, ADDRESS)
    request = CaseRequest("FULL_AGENCY", ITEM, "企业设立登记", "HALL", person)
    case = at(CaseService, "10:00").request_case(request, "citizen-2").id
    at(CaseService, "10:05").accept_case(case, "S001", "agent-1")
    details = ComplaintDetails(
        channel="IN_PERSON",
        facts=FACTS,
        applicant_id="citizen-3",
        complainant_name=COMPLAINANT,
        complainant_phone=PHONE,
        respondent_window="W01",
    )
    complaints = at(ComplaintService, "10:30")
    complaint = complaints.receive_complaint(details, "citizen-3").id
    complaints.accept_complaint(complaint, "REFERRED", "admin-1")
    complaints.assign_complaint(complaint, "S002", "admin-1")
    at(ComplaintService, "10:40").investigate_complaint(complaint, "SUBSTANTIATED", "属实", "sup-1")
    day_id = QueueDay.create_id(hall, "ZH", "2026-03-02")
    assert ticket.number == 1
    return {"case": str(case), "complaint": str(complaint), "day": str(day_id)}


def search(gql, jwt: str, **variables: Any) -> list[dict[str, Any]]:
    return edges(data(gql(TRAIL, variables, token=jwt), "auditTrail"))


def _what(rows: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(r["eventType"], r["actor"], r["reference"]) for r in rows]


def test_every_action_is_a_row_newest_first(gql, token, hall, trail, database_url):
    rows = search(gql, token(Role.AUDITOR, hall), first=100)
    assert _what(rows) == list(reversed(FIXTURE + SCENARIO))
    positions = [r["position"] for r in rows]
    assert positions == list(range(len(rows), 0, -1))  # every position of the hall's log
    with psycopg.connect(database_url) as conn:
        log = conn.execute(
            "SELECT position, originator_id, originator_version FROM events"
            " WHERE tenant_id = %s ORDER BY position DESC",
            (hall,),
        ).fetchall()
    assert [(r["position"], r["recordId"], r["recordVersion"]) for r in rows] == [
        (p, str(UUID(o)), v) for p, o, v in log
    ]
    called = next(r for r in rows if r["eventType"] == "queue.TicketCalled")
    assert (called["recordId"], called["eventVersion"]) == (trail["day"], 1)
    assert datetime.fromisoformat(called["occurredAt"]) == bj("09:15")


def test_the_trail_searches_by_actor(gql, token, hall, trail):
    rows = search(gql, token(Role.HALL_ADMIN, hall), search={"actor": "S001"})
    assert _what(rows) == [
        ("queue.ServiceEnded", "S001", TICKET_REF),
        ("queue.ServiceStarted", "S001", TICKET_REF),
        ("queue.WindowCallRecorded", "S001", "A001"),
        ("queue.WindowDayStarted", "S001", None),
        ("queue.TicketCalled", "S001", TICKET_REF),
        ("places.WindowOpened", "S001", "W01"),
        ("staff.StaffSignedIn", "S001", "S001"),
    ]
    system = search(gql, token(Role.AUDITOR, hall), search={"actor": SYSTEM_ACTOR})
    assert _what(system) == [
        ("rectifications.RectificationOpened", SYSTEM_ACTOR, None),
        ("evaluations.EvaluationInvited", SYSTEM_ACTOR, None),
    ]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (
            {"reference": TICKET_REF},
            ["ServiceEnded", "ServiceStarted", "TicketCalled", "TicketIssued"],
        ),
        (
            {"reference": DAY_REF},
            ["ServiceEnded", "ServiceStarted", "TicketCalled", "TicketIssued", "QueueDayStarted"],
        ),
        ({"reference": "W01"}, ["WindowOpened", "WindowConfigured"]),
        ({"reference": "ZH 2026"}, []),  # whole words only
        ({"reference": "ZH%"}, []),  # no patterns
        ({"eventType": "queue.TicketCalled"}, ["TicketCalled"]),
    ],
)
def test_the_trail_searches_by_record_reference_and_type(
    gql, token, hall, trail, criteria, expected
):
    rows = search(gql, token(Role.AUDITOR, hall), search=criteria)
    assert [r["eventType"].split(".")[1] for r in rows] == expected


def test_the_trail_searches_by_record_id(gql, token, hall, trail):
    auditor = token(Role.AUDITOR, hall)
    case = search(gql, auditor, search={"recordId": trail["case"]})
    assert _what(case) == [
        ("cases.CaseAccepted", "agent-1", None),
        ("cases.CaseRequested", "citizen-2", None),
    ]
    complaint = search(gql, auditor, search={"recordId": trail["complaint"], "actor": "admin-1"})
    assert [r["eventType"] for r in complaint] == [
        "complaints.ComplaintAssigned",
        "complaints.ComplaintAccepted",
    ]


def test_the_trail_searches_by_time_range(gql, token, hall, trail):
    window = {"occurredFrom": bj("09:15").isoformat(), "occurredBefore": bj("09:20").isoformat()}
    rows = search(gql, token(Role.AUDITOR, hall), search=window)
    assert [r["eventType"] for r in rows] == [
        "queue.ServiceStarted",
        "queue.WindowCallRecorded",
        "queue.WindowDayStarted",
        "queue.TicketCalled",
    ]
    day = {"occurredFrom": bj("00:00").isoformat()}
    assert len(search(gql, token(Role.AUDITOR, hall), first=100, search=day)) == len(
        FIXTURE + SCENARIO
    )
    # Without an offset: Beijing time (not the database server's zone), also mixed.
    local = {
        "occurredFrom": bj("09:15").replace(tzinfo=None).isoformat(),
        "occurredBefore": bj("09:20").isoformat(),
    }
    assert search(gql, token(Role.AUDITOR, hall), search=local) == rows
    before = {"occurredBefore": bj("08:30").isoformat()}
    assert _what(search(gql, token(Role.AUDITOR, hall), search=before)) == [
        ("staff.StaffAssignedToWindow", "admin", "S001"),
        ("places.WindowConfigured", "admin", "W01"),
        ("queue.QueuePrefixClaimed", "admin", None),
        ("queue.QueueConfigured", "admin", "ZH"),
    ]


def test_the_trail_holds_no_personal_data(gql, token, hall, trail, platform):
    rows = search(gql, token(Role.AUDITOR, hall), first=100)
    assert not any(secret in str(rows) for secret in PERSONAL)
    with platform.app_pool.connection() as conn, conn.transaction():  # what the views show
        conn.execute("SELECT set_config('yanshen.tenant_id', %s, true)", (hall,))
        shown = conn.execute(
            "SELECT string_agg(t::text, '|') FROM audit_trail t"
            " UNION ALL SELECT string_agg(r::text, '|') FROM audit_trail_records r"
        ).fetchall()
    text = "".join(row[0] or "" for row in shown)
    assert "citizen-1" in text  # the entries are there …
    assert not [secret for secret in PERSONAL if secret in text]  # … the personal data is not


def test_the_trail_pages_to_the_end_and_beyond(gql, token, hall, trail):
    auditor = token(Role.AUDITOR, hall)
    seen, after, pages = [], None, 0
    while True:
        page = data(gql(TRAIL, {"first": 5, "after": after}, token=auditor), "auditTrail")
        seen += [e["node"]["position"] for e in page["edges"]]
        pages += 1
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    total = len(FIXTURE + SCENARIO)
    assert (seen, pages) == (list(range(total, 0, -1)), -(-total // 5))
    beyond = data(gql(TRAIL, {"first": 5, "after": after}, token=auditor), "auditTrail")
    assert (beyond["edges"], beyond["pageInfo"]["hasNextPage"]) == ([], False)


@pytest.mark.parametrize(
    "variables",
    [
        {"after": "not-a-cursor!"},
        {"after": base64.urlsafe_b64encode(b'["x"]').decode()},
        {"first": 1000},
        {"search": {"occurredFrom": bj("10:00").isoformat(), "occurredBefore": START}},
        {"search": {"occurredFrom": START, "occurredBefore": START}},  # empty
        {"search": {"actor": "admin\u0000"}},  # PostgreSQL's text cannot hold U+0000
        {"search": {"reference": "ZH\u0000"}},
    ],
)
def test_bad_cursors_sizes_and_ranges_are_validation_errors(gql, token, hall, trail, variables):
    assert codes(gql(TRAIL, variables, token=token(Role.AUDITOR, hall))) == ["VALIDATION"]


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (None, "UNAUTHENTICATED"),
        (Role.STAFF, "FORBIDDEN"),
        (Role.APPLICANT, "FORBIDDEN"),
        (Role.PARTNER_ADMIN, "FORBIDDEN"),
    ],
)
def test_only_auditors_hall_admins_and_supervisors_read_the_trail(
    gql, token, hall, trail, role, code
):
    assert codes(gql(TRAIL, {}, token=token(role, hall) if role else None)) == [code]


def test_supervisors_of_the_hall_read_its_trail(gql, token, hall, other_hall, trail):
    """A supervisor (督查) checks what staff did: the trail of their token's hall, as the
    auditors see it; another hall's supervisor sees none of it, and a supervisor's token
    bound to no hall reads no trail."""
    rows = search(gql, token(Role.SUPERVISOR, hall, subject="sup-1"), first=100)
    assert rows == search(gql, token(Role.AUDITOR, hall), first=100)
    assert ("cases.CaseAccepted", "agent-1", None) in _what(rows)
    outsider = token(Role.SUPERVISOR, other_hall, subject="sup-1")
    assert search(gql, outsider, search={"recordId": trail["case"]}) == []
    assert codes(gql(TRAIL, {}, token=token(Role.SUPERVISOR, None))) == ["FORBIDDEN"]


def test_another_hall_sees_only_its_own_trail(gql, token, hall, other_hall, trail):
    auditor = token(Role.AUDITOR, other_hall)
    assert _what(search(gql, auditor, first=100)) == list(reversed(FIXTURE))
    assert search(gql, auditor, search={"recordId": trail["case"]}) == []
    assert search(gql, auditor, search={"reference": DAY_REF}) == []
