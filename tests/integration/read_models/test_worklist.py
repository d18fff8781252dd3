"""Staff worklists, fed by real case, complaint and queue commands, read over GraphQL.

One hall, agents S001 and S002, window W01 (queue ZH) with S001 on duty, all on 2026-03-02
(Monday) and 03-03. S001 ends up with: ticket A001 in service; case "open" (accepted, due
03-09: five working days); complaint "handled" (assigned, due 03-03: the simple limit of one
working day); cases "ended" and "unreached" awaiting their follow-up call (回访); complaint
"replied" awaiting its follow-up. Not on S001's list: case "handed" (reassigned to S002),
case "reached" (follow-up reached the applicant), case "new" (only requested), the anonymous
complaint "nameless" (nobody to call back), and ticket A002 (still waiting).
"""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

import pytest

from gateway.auth import Role
from projections.runtime import Rebuild
from projections.worklist import WorklistProjection
from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.queue import QueueService
from tests.integration.read_models.conftest import ITEM, codes, data, edges
from tests.integration.read_models.test_queue_board import At, clock, open_queues

ITEMS = """edges { cursor node { kind recordId status dueDate since queueCode serviceDay number
  displayNumber windowCode itemCode matter } }
  pageInfo { hasNextPage hasPreviousPage endCursor }"""
WORKLIST = f"""query($b: String, $first: Int, $after: String, $kinds: [WorklistKind!]) {{
  staffWorklist(badgeNumber: $b) {{
    badgeNumber ticketsInService openCases openComplaints caseFollowUps complaintFollowUps
    pendingFollowUps
    items(first: $first, after: $after, kinds: $kinds) {{ {ITEMS} }}
  }}
}}"""


def _case(at: At, name: str, mode: str = "ONSITE_GUIDANCE") -> UUID:
    person = Applicant(f"citizen-{name}", "张三", "110101199003070011", "13800000000")
    request = CaseRequest(mode, ITEM, f"事项-{name}", "HALL", person)
    return at(CaseService, "09:00").request_case(request, "agent").id


def _complaint(at: At, applicant: str) -> UUID:
    details = ComplaintDetails(
        channel="IN_PERSON",
        facts="等候时间过长",
        anonymous=not applicant,
        applicant_id=applicant,
        complainant_name="李四" if applicant else "",
        respondent_window="W01",
    )
    return at(ComplaintService, "09:30").receive_complaint(details, applicant or "staff").id


def _replied(at: At, applicant: str) -> UUID:
    complaint = _complaint(at, applicant)
    app = at(ComplaintService, "10:00")
    app.accept_complaint(complaint, "ON_THE_SPOT", "admin")
    app.assign_complaint(complaint, "S001", "admin")
    app.investigate_complaint(complaint, "NOT_SUBSTANTIATED", "误会", "S001")
    app.dispose_complaint(complaint, ["当场解释"], "S001")
    at(ComplaintService, "11:00").reply_to_complaint(complaint, "已解释", "S001")
    return complaint


@pytest.fixture
def records(hall, app_at, project) -> dict[str, str]:
    """The module's records by name (case, complaint ids; tickets by display number)."""
    at = clock(app_at, hall)
    ids: dict[str, UUID] = {name: _case(at, name) for name in ("open", "handed", "ended")}
    ids |= {name: _case(at, name) for name in ("unreached", "reached", "new")}
    for name in ("open", "handed", "ended", "unreached", "reached"):
        at(CaseService, "09:10").accept_case(ids[name], "S001", "agent")
    at(CaseService, "09:20").reassign_case(ids["handed"], "S002", "S001 外出", "agent")
    for name in ("ended", "unreached", "reached"):
        at(CaseService, "15:00").complete_case(ids[name], "", "S001")
    cases = at(CaseService, "10:00", "2026-03-03")
    cases.record_follow_up(ids["unreached"], False, None, "", "S001")
    cases.record_follow_up(ids["reached"], True, True, "", "S001")

    ids["handled"] = _complaint(at, "citizen-h")
    at(ComplaintService, "09:40").accept_complaint(ids["handled"], "ON_THE_SPOT", "admin")
    at(ComplaintService, "09:45").assign_complaint(ids["handled"], "S001", "admin")
    ids["replied"] = _replied(at, "citizen-r")
    ids["nameless"] = _replied(at, "")

    open_queues(at, {"W01": ("ZH", "A", "S001")})
    at(QueueService, "09:00", "2026-03-03").issue_ticket("ZH", "KIOSK", "kiosk")
    at(QueueService, "09:01", "2026-03-03").issue_ticket("ZH", "KIOSK", "kiosk")
    at(QueueService, "09:05", "2026-03-03").call_next("W01", "S001", "S001")
    at(QueueService, "09:06", "2026-03-03").start_service("ZH", 1, "S001", "S001")
    project()
    return {name: str(value) for name, value in ids.items()}


def worklist(gql, jwt: str, **variables: Any) -> Any:
    return data(gql(WORKLIST, variables, token=jwt), "staffWorklist")


def _kinds(found: dict[str, Any]) -> list[tuple[str, str]]:
    return [(n["kind"], n["recordId"]) for n in edges(found["items"])]


def test_a_staff_member_sees_their_own_worklist_in_order(gql, token, hall, records):
    found = worklist(gql, token(Role.STAFF, hall, "S001"))
    assert found["badgeNumber"] == "S001"
    counts = [found[k] for k in ("ticketsInService", "openCases", "openComplaints")]
    assert counts == [1, 1, 1]
    follow_ups = [found[k] for k in ("caseFollowUps", "complaintFollowUps", "pendingFollowUps")]
    assert follow_ups == [2, 1, 3]
    assert _kinds(found) == [
        ("TICKET_IN_SERVICE", "ZH/2026-03-03/1"),
        ("OPEN_CASE", records["open"]),
        ("OPEN_COMPLAINT", records["handled"]),
        ("CASE_FOLLOW_UP", records["ended"]),
        ("CASE_FOLLOW_UP", records["unreached"]),
        ("COMPLAINT_FOLLOW_UP", records["replied"]),
    ]
    ticket, case, complaint, ended, _, replied = edges(found["items"])
    assert {k: ticket[k] for k in ("status", "queueCode", "serviceDay", "number")} == {
        "status": "SERVING",
        "queueCode": "ZH",
        "serviceDay": "2026-03-03",
        "number": 1,
    }
    assert (ticket["displayNumber"], ticket["windowCode"], ticket["dueDate"]) == (
        "A001",
        "W01",
        None,
    )
    assert (case["status"], case["dueDate"], case["itemCode"], case["matter"]) == (
        "ACCEPTED",
        "2026-03-09",
        ITEM,
        "事项-open",
    )
    assert (complaint["status"], complaint["dueDate"], complaint["windowCode"]) == (
        "ASSIGNED",
        "2026-03-03",
        "W01",
    )
    assert (ended["status"], ended["dueDate"], replied["status"]) == (
        "COMPLETED",
        None,
        "REPLIED",
    )


def test_a_reassigned_case_is_on_the_new_responsibles_list(gql, token, hall, records):
    found = worklist(gql, token(Role.STAFF, hall, "S002"))
    assert _kinds(found) == [("OPEN_CASE", records["handed"])]
    assert (found["openCases"], found["pendingFollowUps"]) == (1, 0)


def test_managers_read_anyones_worklist_staff_only_their_own(gql, token, hall, records):
    for role in (Role.HALL_ADMIN, Role.SUPERVISOR):
        found = worklist(gql, token(role, hall, "admin-1"), b="S002")
        assert _kinds(found) == [("OPEN_CASE", records["handed"])]
    assert worklist(gql, token(Role.HALL_ADMIN, hall, "S001"))["openCases"] == 1  # own subject
    assert codes(gql(WORKLIST, {"b": "S002"}, token=token(Role.STAFF, hall, "S001"))) == [
        "FORBIDDEN"
    ]


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (None, "UNAUTHENTICATED"),
        (Role.APPLICANT, "FORBIDDEN"),
        (Role.AUDITOR, "FORBIDDEN"),
        (Role.PARTNER_ADMIN, "FORBIDDEN"),
    ],
)
def test_roles_outside_the_hall_service_get_no_worklist(gql, token, hall, records, role, code):
    jwt = token(role, hall, "S001") if role else None
    assert codes(gql(WORKLIST, {"b": "S001"}, token=jwt)) == [code]


def test_another_hall_sees_nothing_of_this_halls_worklists(gql, token, hall, other_hall, records):
    found = worklist(gql, token(Role.HALL_ADMIN, other_hall), b="S001")
    assert (found["badgeNumber"], _kinds(found)) == ("S001", [])
    assert found["openCases"] + found["ticketsInService"] + found["pendingFollowUps"] == 0
    unknown = worklist(gql, token(Role.HALL_ADMIN, hall), b="NOBODY")
    assert (_kinds(unknown), unknown["openCases"]) == ([], 0)


def test_the_worklist_pages_to_the_end_and_beyond(gql, token, hall, records):
    staff = token(Role.STAFF, hall, "S001")
    seen, after = [], None
    for expected_next in (True, True, False):
        page = worklist(gql, staff, first=2, after=after)["items"]
        seen += [e["node"]["recordId"] for e in page["edges"]]
        assert page["pageInfo"]["hasNextPage"] is expected_next
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["pageInfo"]["endCursor"]
    full = worklist(gql, staff)["items"]
    assert seen == [e["node"]["recordId"] for e in full["edges"]]
    beyond = worklist(gql, staff, first=2, after=after)["items"]
    assert (beyond["edges"], beyond["pageInfo"]["hasNextPage"]) == ([], False)


def test_the_worklist_filters_by_kind(gql, token, hall, records):
    staff = token(Role.STAFF, hall, "S001")
    follow_ups = worklist(gql, staff, kinds=["CASE_FOLLOW_UP", "COMPLAINT_FOLLOW_UP"])
    assert [k for k, _ in _kinds(follow_ups)] == [
        "CASE_FOLLOW_UP",
        "CASE_FOLLOW_UP",
        "COMPLAINT_FOLLOW_UP",
    ]
    assert follow_ups["openCases"] == 1  # the counts are the whole worklist's


@pytest.mark.parametrize(
    "variables",
    [
        {"after": "not-a-cursor!"},
        {"after": base64.urlsafe_b64encode(b'["x", 1, "y"]').decode()},
        {"after": base64.urlsafe_b64encode(b"[1, 2]").decode()},
        {"first": 1000},
        {"first": -1},
    ],
)
def test_bad_cursors_and_page_sizes_are_validation_errors(gql, token, hall, records, variables):
    response = gql(WORKLIST, variables, token=token(Role.STAFF, hall, "S001"))
    assert codes(response) == ["VALIDATION"]


def test_items_leave_the_worklist_as_the_events_close_them(
    gql, token, hall, app_at, records, project
):
    at = clock(app_at, hall)
    on_next_day = "2026-03-03"
    at(QueueService, "09:20", on_next_day).end_service("ZH", 1, "S001", "COMPLETED", "S001")
    at(QueueService, "09:21", on_next_day).call_next("W01", "S001", "S001")  # A002
    cases = at(CaseService, "11:00", on_next_day)
    cases.complete_case(UUID(records["open"]), "", "S001")
    cases.record_follow_up(UUID(records["ended"]), True, True, "", "S001")
    cases.archive_case(UUID(records["unreached"]), "S001")  # after an unreached call
    complaints = at(ComplaintService, "11:00", on_next_day)
    complaints.follow_up_complaint(UUID(records["replied"]), True, "", "S001")
    project()
    found = worklist(gql, token(Role.STAFF, hall, "S001"))
    assert _kinds(found) == [
        ("TICKET_IN_SERVICE", "ZH/2026-03-03/2"),
        ("OPEN_COMPLAINT", records["handled"]),
        ("CASE_FOLLOW_UP", records["open"]),
    ]
    assert edges(found["items"])[0]["status"] == "CALLED"

    at(QueueService, "09:30", on_next_day).mark_no_show("ZH", 2, "S001", "S001")
    project()
    assert worklist(gql, token(Role.STAFF, hall, "S001"))["ticketsInService"] == 0


def test_the_worklist_keeps_no_personal_data(hall, records, database_url):
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = [
            row[0]
            for table in ("worklist_cases", "worklist_complaints", "worklist_tickets")
            for row in conn.execute(
                f"SELECT t::text FROM {table} t WHERE tenant_id = %s", (hall,)
            ).fetchall()
        ]
    assert len(rows) == 6 + 3 + 1
    assert not any(secret in row for row in rows for secret in ("张三", "李四", "13800000000"))


@pytest.mark.parametrize("batch_size", [1, 4])
def test_the_worklists_are_the_same_whatever_the_batch_size(
    hall, app_at, records, project, platform, database_url, batch_size
):
    """Ticket events are folded per batch: one event at a time gives the very same rows."""
    at = clock(app_at, hall)
    on_next_day = "2026-03-03"
    at(QueueService, "09:20", on_next_day).end_service("ZH", 1, "S001", "COMPLETED", "S001")
    at(QueueService, "09:21", on_next_day).call_next("W01", "S001", "S001")
    at(QueueService, "09:22", on_next_day).recall_ticket("ZH", 2, "S001", "S001")
    at(QueueService, "09:23", on_next_day).start_service("ZH", 2, "S001", "S001")
    at(QueueService, "09:24", on_next_day).issue_ticket("ZH", "KIOSK", "kiosk")
    project()
    rebuild = Rebuild(database_url, platform.worker_pool, WorklistProjection(), tenant=hall)
    rebuild.batch_size = batch_size
    report = rebuild.check()
    assert report.halls_compared == [hall], report
    assert report.identical, [d.samples for d in report.differences]


def _case_rows(database_url: str, hall: str, cases: dict[str, UUID]) -> dict[str, tuple[Any, ...]]:
    """(status, status before suspension, follow-up calls, reached) of the named cases."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT case_id, status, status_before_suspension, follow_up_calls,"
            " follow_up_reached FROM worklist_cases WHERE tenant_id = %s",
            (hall,),
        ).fetchall()
    names = {case: name for name, case in cases.items()}
    return {names[row[0]]: tuple(row[1:]) for row in rows if row[0] in names}


@pytest.mark.parametrize("batch_size", [1, 5_000])
def test_changes_from_a_cases_own_columns_in_one_batch_and_across_batches(
    hall, app_at, project, platform, database_url, batch_size
):
    """A suspension keeps the status aside, the resumption brings it back and each follow-up
    call counts on: changes computed from the row's own columns, whether the row was written
    by an earlier batch ("earlier") or waits for the end of the batch that created it
    ("paused", "resumed", "called"). Rebuilt one event per batch and all in one batch: the
    same rows."""
    at = clock(app_at, hall)
    cases = {"earlier": _case(at, "earlier")}
    at(CaseService, "09:10").accept_case(cases["earlier"], "S001", "agent")
    at(CaseService, "09:20").suspend_case(cases["earlier"], "等待补正", "S001")
    project()
    cases |= {name: _case(at, name) for name in ("paused", "resumed", "called")}
    app = at(CaseService, "10:00")
    for name in ("paused", "resumed", "called"):
        app.accept_case(cases[name], "S001", "agent")
    for name in ("paused", "resumed"):
        app.suspend_case(cases[name], "等待补正", "S001")
    later = at(CaseService, "11:00")
    for name in ("earlier", "resumed"):
        later.resume_case(cases[name], "", "S001")
    later.complete_case(cases["called"], "", "S001")
    later.record_follow_up(cases["called"], False, None, "", "S001")
    later.record_follow_up(cases["called"], False, None, "", "S001")
    project()
    assert _case_rows(database_url, hall, cases) == {
        "earlier": ("ACCEPTED", None, 0, False),
        "paused": ("SUSPENDED", "ACCEPTED", 0, False),
        "resumed": ("ACCEPTED", None, 0, False),
        "called": ("COMPLETED", None, 2, False),
    }
    at(CaseService, "15:00").record_follow_up(cases["called"], True, True, "", "S001")
    project()
    assert _case_rows(database_url, hall, cases)["called"] == ("COMPLETED", None, 3, True)

    rebuild = Rebuild(database_url, platform.worker_pool, WorklistProjection(), tenant=hall)
    rebuild.batch_size = batch_size
    report = rebuild.check()
    assert report.halls_compared == [hall], report
    assert report.identical, [d.samples for d in report.differences]
