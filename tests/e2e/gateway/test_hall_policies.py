"""A hall's policies over GraphQL: its admins change some, staff and auditors read them, a
change takes effect on the next record, and refused changes record nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gateway.auth import Role
from gateway.subscriptions import log_head
from services.shared.working_days import WorkingDayCalendar, local_date
from tests.e2e.gateway.conftest import codes

POLICY_FIELDS = """unratedDefaultDays verificationCallWorkingDays rectificationWorkingDays
  complaintSimpleWorkingDays complaintComplexWorkingDays materialsNoticeWorkingDays
  waitingTargetMinutes missedNumberPolicy missedNumberDeferPlaces callRule"""
CHANGE = """mutation($input: ChangeHallPoliciesInput!) {
  changeHallPolicies(input: $input) { hallId position policies { FIELDS } }
}""".replace("FIELDS", POLICY_FIELDS)
READ = "{ hall { hallId policies { FIELDS } } }".replace("FIELDS", POLICY_FIELDS)
DEFAULTS = {
    "unratedDefaultDays": 7,
    "verificationCallWorkingDays": 1,
    "rectificationWorkingDays": 5,
    "complaintSimpleWorkingDays": 1,
    "complaintComplexWorkingDays": 5,
    "materialsNoticeWorkingDays": 5,
    "waitingTargetMinutes": 30,
    "missedNumberPolicy": "KEEP",
    "missedNumberDeferPlaces": 3,
    "callRule": "PRIORITY_THEN_LONGEST_WAITING",
}


def _data(response, field: str):
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


def _policies(gql, token) -> dict:
    return _data(gql(READ, token=token), "hall")["policies"]


def test_an_admin_changes_one_policy_and_the_others_keep_their_values(
    gql, token, hall, project, platform
):
    admin = token(Role.HALL_ADMIN, hall, subject="admin-1")
    project()  # the hall's row, which `hall` reads
    assert _policies(gql, admin) == DEFAULTS

    changed = _data(
        gql(CHANGE, {"input": {"rectificationWorkingDays": 15}}, token=admin),
        "changeHallPolicies",
    )
    liaoning = {**DEFAULTS, "rectificationWorkingDays": 15}
    assert changed["hallId"] == hall
    assert changed["policies"] == liaoning
    assert changed["position"] == log_head(platform.app_pool, hall)
    assert _policies(gql, admin) == liaoning

    # enums too, and a later change keeps the earlier one
    queue_rules = {"missedNumberPolicy": "DEFER", "missedNumberDeferPlaces": 2}
    changed = _data(
        gql(CHANGE, {"input": {**queue_rules, "callRule": "LONGEST_WAITING"}}, token=admin),
        "changeHallPolicies",
    )
    expected = {**liaoning, **queue_rules, "callRule": "LONGEST_WAITING"}
    assert changed["policies"] == expected
    for role in (Role.STAFF, Role.SUPERVISOR, Role.AUDITOR):
        assert _policies(gql, token(role, hall)) == expected, role


def test_the_change_is_in_the_audit_trail_under_its_event_type_and_admin(gql, token, hall, project):
    admin = token(Role.HALL_ADMIN, hall, subject="admin-7")
    _data(gql(CHANGE, {"input": {"waitingTargetMinutes": 20}}, token=admin), "changeHallPolicies")
    project()
    trail = """{ auditTrail(search: {eventType: "halls.HallPoliciesChanged"}) {
      edges { node { actor eventType } } } }"""
    edges = _data(gql(trail, token=token(Role.AUDITOR, hall)), "auditTrail")["edges"]
    assert [e["node"] for e in edges] == [
        {"actor": "admin-7", "eventType": "halls.HallPoliciesChanged"}
    ]


@pytest.mark.parametrize("role", [Role.STAFF, Role.SUPERVISOR, Role.APPLICANT, Role.AUDITOR])
def test_only_hall_admins_change_policies(gql, token, hall, platform, role):
    head = log_head(platform.app_pool, hall)
    r = gql(CHANGE, {"input": {"rectificationWorkingDays": 15}}, token=token(role, hall))
    assert codes(r) == ["FORBIDDEN"]
    assert log_head(platform.app_pool, hall) == head


def test_another_halls_admin_changes_only_their_own_hall_and_cannot_read_this_ones(
    gql, token, hall, other_hall, platform, project
):
    head = log_head(platform.app_pool, hall)
    other_admin = token(Role.HALL_ADMIN, other_hall)
    changed = _data(
        gql(CHANGE, {"input": {"rectificationWorkingDays": 15}}, token=other_admin),
        "changeHallPolicies",
    )
    assert changed["hallId"] == other_hall
    assert log_head(platform.app_pool, hall) == head
    project()
    read_this = '{ hall(hallId: "ID") { policies { rectificationWorkingDays } } }'
    assert gql(read_this.replace("ID", hall), token=other_admin).json() == {"data": {"hall": None}}
    assert _policies(gql, token(Role.HALL_ADMIN, hall)) == DEFAULTS


def test_applicants_and_anonymous_callers_do_not_read_policies(gql, token, hall, project):
    project()
    r = gql(READ, token=token(Role.APPLICANT, hall))
    assert codes(r) == ["FORBIDDEN"]
    assert r.json()["data"]["hall"] is None or r.json()["data"]["hall"]["policies"] is None


def test_an_operator_reads_any_halls_policies(gql, token, hall, project):
    project()
    read = '{ hall(hallId: "ID") { policies { callRule } } }'.replace("ID", hall)
    r = gql(read, token=token(Role.PLATFORM_OPERATOR))
    assert _data(r, "hall") == {"policies": {"callRule": "PRIORITY_THEN_LONGEST_WAITING"}}


@pytest.mark.parametrize(
    "change",
    [
        {"rectificationWorkingDays": 0},
        {"unratedDefaultDays": 0},
        {"waitingTargetMinutes": 999},
        {"complaintComplexWorkingDays": -1},
        {"missedNumberDeferPlaces": 366, "rectificationWorkingDays": 15},
        {},
        {"rectificationWorkingDays": None},
        {"rectificationWorkingDays": 5},  # the value it has: nothing would change
    ],
    ids=[
        "rectification-0",
        "unrated-0",
        "target-999",
        "negative",
        "one-bad-of-two",
        "empty",
        "only-null",
        "unchanged",
    ],
)
def test_bad_or_empty_changes_are_validation_errors_and_record_nothing(
    gql, token, hall, platform, change
):
    admin = token(Role.HALL_ADMIN, hall)
    head = log_head(platform.app_pool, hall)
    r = gql(CHANGE, {"input": change}, token=admin)
    assert codes(r) == ["VALIDATION"], r.text
    assert log_head(platform.app_pool, hall) == head


def test_an_unknown_enum_value_is_refused_by_graphql(gql, token, hall, platform):
    head = log_head(platform.app_pool, hall)
    r = gql(CHANGE, {"input": {"missedNumberPolicy": "SHOUT"}}, token=token(Role.HALL_ADMIN, hall))
    assert codes(r) == ["VALIDATION"], r.text
    assert log_head(platform.app_pool, hall) == head


def test_a_changed_complex_limit_gives_the_next_complaint_a_later_due_date(gql, token, hall):
    admin = token(Role.HALL_ADMIN, hall)
    receive = """mutation { receiveComplaint(input: {channel: IN_PERSON, facts: "等候过久",
      anonymous: true, respondentWindow: "W01"}) { id } }"""
    accept = "mutation($id: ID!) { acceptComplaint(id: $id, complaintClass: REFERRED) { dueOn } }"

    def due_on_of_the_next_complaint(working_days: int) -> None:
        complaint = _data(gql(receive, token=token(Role.APPLICANT, hall)), "receiveComplaint")
        before = _today()
        r = gql(accept, {"id": complaint["id"]}, token=admin)
        due = {_in_working_days(day, working_days) for day in (before, _today())}
        assert _data(r, "acceptComplaint")["dueOn"] in due

    due_on_of_the_next_complaint(5)
    _data(
        gql(CHANGE, {"input": {"complaintComplexWorkingDays": 10}}, token=admin),
        "changeHallPolicies",
    )
    due_on_of_the_next_complaint(10)


def test_a_retry_with_the_same_idempotency_key_replays_the_change(gql, token, hall, platform):
    admin = token(Role.HALL_ADMIN, hall)
    key = {"Idempotency-Key": "policies-1"}
    variables = {"input": {"rectificationWorkingDays": 15}}
    first = gql(CHANGE, variables, token=admin, headers=key)
    assert "errors" not in first.json(), first.text
    head = log_head(platform.app_pool, hall)
    again = gql(CHANGE, variables, token=admin, headers=key)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert log_head(platform.app_pool, hall) == head
    # without the key, the same change is refused: the hall already has it
    assert codes(gql(CHANGE, variables, token=admin)) == ["VALIDATION"]


def _today() -> date:
    return local_date(datetime.now(UTC))


def _in_working_days(day: date, working_days: int) -> str:
    return WorkingDayCalendar().add_working_days(day, working_days).isoformat()
