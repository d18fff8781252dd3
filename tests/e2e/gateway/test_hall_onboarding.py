"""Onboarding a new hall through GraphQL only, as its people would: the places where the
walkthrough got stuck (a read contradicting the command just made, an id the lists give that
the commands refused, a required value nobody could supply, a refusal that did not say what
to do). Every step goes through the gateway; staff are onboarded with ``onboardStaff``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from gateway.auth import Role
from gateway.relay import GlobalId, global_id
from tests.conftest import GraphQL
from tests.e2e.gateway.conftest import codes

ITEM = """mutation {
  publishServiceItem(input: {code: "BB-001", name: "企业开办帮办代办", category: ASSISTANCE,
    materials: ["身份证", "营业执照申请书", "章程"], promisedWorkingDays: 5}) { code }
}"""
ONBOARD = """mutation($badge: String!) {
  onboardStaff(input: {badgeNumber: $badge, name: "李娜", role: WINDOW_STAFF}) { badgeNumber }
}"""
REQUEST = """mutation {
  requestAssistanceCase(input: {mode: FULL_AGENCY, itemCode: "BB-001", matter: "企业设立登记",
    channel: ONLINE, applicant: {name: "刘女士", idNumber: "440305199001011234",
    phone: "13900000000"}}) { id }
}"""
CASE = "id status missingMaterials receivedMaterials outstandingMaterials"


def _data(response: Any, field: str) -> Any:
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


def _message(response: Any) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, response.text
    return str(errors[0]["message"])


@pytest.fixture
def staffed_hall(gql: GraphQL, token: Callable[..., str], hall: str) -> str:
    """The hall with a 帮办代办 item and one staff member (N001), set up over GraphQL."""
    admin = token(Role.HALL_ADMIN, hall, subject="admin-1")
    _data(gql(ITEM, token=admin), "publishServiceItem")
    _data(gql(ONBOARD, {"badge": "N001"}, token=admin), "onboardStaff")
    return hall


def _case(gql: GraphQL, token: Callable[..., str], hall: str) -> str:
    applicant = token(Role.APPLICANT, hall, subject="app-liu")
    return str(_data(gql(REQUEST, token=applicant), "requestAssistanceCase")["id"])


def test_supplied_materials_are_no_longer_missing(
    gql: GraphQL, token: Callable[..., str], staffed_hall: str, project: Callable[[], int]
) -> None:
    """补正 supplies what the one-time notice listed: the case (and the register) must stop
    showing it as missing, as the hand-over that follows already treats it as received."""
    staff = token(Role.STAFF, staffed_hall, subject="N001")
    case_id = _case(gql, token, staffed_hall)

    def run(mutation: str) -> dict[str, Any]:
        query = f"mutation($id: ID!) {{ {mutation} {{ {CASE} }} }}"
        return dict(_data(gql(query, {"id": case_id}, token=staff), mutation.partition("(")[0]))

    run('acceptAssistanceCase(id: $id, badgeNumber: "N001")')
    checked = run('checkCaseMaterials(id: $id, received: ["身份证", "营业执照申请书"])')
    assert checked["missingMaterials"] == ["章程"]
    run('issueOneTimeNotice(id: $id, materials: ["章程"], note: "请补交公司章程")')
    supplied = run('supplementCaseMaterials(id: $id, materials: ["章程"])')
    assert supplied["outstandingMaterials"] == []
    assert supplied["receivedMaterials"] == ["身份证", "营业执照申请书", "章程"]
    assert supplied["missingMaterials"] == []

    project()
    query = "query($id: ID!) { assistanceCase(id: $id) { missingMaterials receivedMaterials } }"
    entry = _data(gql(query, {"id": case_id}, token=staff), "assistanceCase")
    assert entry == {
        "missingMaterials": [],
        "receivedMaterials": ["身份证", "营业执照申请书", "章程"],
    }


def test_commands_take_the_ids_the_registers_list(
    gql: GraphQL, token: Callable[..., str], staffed_hall: str, project: Callable[[], int]
) -> None:
    """A register's first field is ``id`` (the node id): a clerk who passes it to the
    record's command must reach the record, not be told it does not exist."""
    hall = staffed_hall
    staff = token(Role.STAFF, hall, subject="N001")
    supervisor = token(Role.SUPERVISOR, hall, subject="S001")
    applicant = token(Role.APPLICANT, hall, subject="app-chen")
    case_id = _case(gql, token, hall)
    complaint = gql(
        """mutation { receiveComplaint(input: {channel: ONLINE, facts: "态度生硬",
          complainantName: "陈先生", respondentBadge: "N001"}) { id } }""",
        token=applicant,
    )
    complaint_id = _data(complaint, "receiveComplaint")["id"]
    project()

    listed = gql("{ assistanceCases { edges { node { id caseId } } } }", token=staff)
    (node,) = [e["node"] for e in _data(listed, "assistanceCases")["edges"]]
    assert node["caseId"] == case_id
    assert node["id"] != case_id
    accept = """mutation($id: ID!) {
      acceptAssistanceCase(id: $id, badgeNumber: "N001") { id status } }"""
    accepted = _data(gql(accept, {"id": node["id"]}, token=staff), "acceptAssistanceCase")
    assert accepted == {"id": case_id, "status": "ACCEPTED"}

    listed = gql("{ complaints { edges { node { id complaintId } } } }", token=supervisor)
    (node,) = [e["node"] for e in _data(listed, "complaints")["edges"]]
    assert node["complaintId"] == complaint_id
    accept = """mutation($id: ID!) {
      acceptComplaint(id: $id, complaintClass: ON_THE_SPOT) { id status } }"""
    accepted = _data(gql(accept, {"id": node["id"]}, token=supervisor), "acceptComplaint")
    assert accepted == {"id": complaint_id, "status": "ACCEPTED"}


def test_node_ids_of_other_types_and_halls_stay_unknown(
    gql: GraphQL, token: Callable[..., str], staffed_hall: str, other_hall: str
) -> None:
    """Taking the node id is no way around the hall: another hall's case answers like one
    that does not exist (the command reads the caller's hall only), and a node id of another
    type is no case either."""
    case_id = _case(gql, token, staffed_hall)
    outsider = token(Role.STAFF, other_hall, subject="N001")
    accept = 'mutation($id: ID!) { acceptAssistanceCase(id: $id, badgeNumber: "N001") { id } }'
    foreign = global_id("CaseRegisterEntry", staffed_hall, case_id)
    nowhere = global_id("CaseRegisterEntry", other_hall, str(uuid.uuid4()))
    for node_id, local in ((foreign, case_id), (nowhere, GlobalId.parse(nowhere).local_id)):
        refused = gql(accept, {"id": node_id}, token=outsider)
        assert codes(refused) == ["NOT_FOUND"]
        assert _message(refused) == f"no case {local} in this hall"
    other_type = global_id("ComplaintRegisterEntry", other_hall, case_id)
    refused = gql(accept, {"id": other_type}, token=outsider)
    assert codes(refused) == ["NOT_FOUND"]
    assert _message(refused) == f"no case {other_type} in this hall"
    wrong_type_same_hall = global_id("ComplaintRegisterEntry", staffed_hall, case_id)
    staff = token(Role.STAFF, staffed_hall, subject="N001")
    refused = gql(accept, {"id": wrong_type_same_hall}, token=staff)
    assert codes(refused) == ["NOT_FOUND"]


def test_staff_register_a_real_name_complaint_from_a_caller_without_an_account(
    gql: GraphQL, token: Callable[..., str], staffed_hall: str, project: Callable[[], int]
) -> None:
    """A complaint by phone: the caller gives a name and has no applicant id. Staff register
    it as they register a walk-in's case (a new opaque id), instead of being refused for a
    value nobody at the hall can supply."""
    staff = token(Role.STAFF, staffed_hall, subject="N001")
    receive = """mutation { receiveComplaint(input: {channel: PHONE, facts: "窗口拒收材料",
      complainantName: "赵先生", complainantPhone: "13700000000"}) { id status anonymous } }"""
    complaint = _data(gql(receive, token=staff), "receiveComplaint")
    assert (complaint["status"], complaint["anonymous"]) == ("RECEIVED", False)

    project()
    query = "query($id: ID!) { complaint(id: $id) { applicantId anonymous } }"
    read = _data(gql(query, {"id": complaint["id"]}, token=staff), "complaint")
    assert read["applicantId"].startswith("walk-in-")
    assert read["anonymous"] is False


def test_a_real_name_complaint_without_a_name_says_what_to_give(
    gql: GraphQL, token: Callable[..., str], staffed_hall: str
) -> None:
    """An applicant complains as themselves (the token gives their id): the refusal names
    the field to fill in or the alternative, not an applicant id they cannot give."""
    applicant = token(Role.APPLICANT, staffed_hall, subject="app-chen")
    receive = 'mutation { receiveComplaint(input: {channel: ONLINE, facts: "x"}) { id } }'
    refused = gql(receive, token=applicant)
    assert codes(refused) == ["VALIDATION"]
    message = _message(refused)
    assert "complainantName" in message
    assert "anonymous" in message
    assert "applicant id" not in message


def test_a_ticket_reference_the_api_writes_is_explained_when_refused(
    gql: GraphQL, token: Callable[..., str], staffed_hall: str
) -> None:
    """The worklist names a ticket <queue>/<day>/<number>; an invitation's subjectRef takes
    no '/'. The refusal must say which characters it takes."""
    staff = token(Role.STAFF, staffed_hall, subject="N001")
    invite = """mutation($ref: String!) { inviteEvaluation(input: {subjectKind: VISIT,
      subjectRef: $ref, channel: OFFLINE}) { id } }"""
    refused = gql(invite, {"ref": "Q-GEN/2026-11-27/2"}, token=staff)
    assert codes(refused) == ["VALIDATION"]
    message = _message(refused)
    assert "'/'" in message
    assert "Q-GEN:2026-11-27:2" in message
    accepted = gql(invite, {"ref": "Q-GEN:2026-11-27:2"}, token=staff)
    assert "errors" not in accepted.json(), accepted.text


def test_opening_a_window_before_signing_in_says_to_sign_in(
    gql: GraphQL, token: Callable[..., str], staffed_hall: str
) -> None:
    admin = token(Role.HALL_ADMIN, staffed_hall, subject="admin-1")
    configure = """mutation { configureWindow(input: {code: "W01", name: "1号窗口",
      windowType: COMPREHENSIVE}) { code } }"""
    _data(gql(configure, token=admin), "configureWindow")
    assign = 'mutation { assignStaffToWindow(badgeNumber: "N001", windowCode: "W01", post: A) '
    _data(gql(assign + "{ badgeNumber } }", token=admin), "assignStaffToWindow")

    staff = token(Role.STAFF, staffed_hall, subject="N001")
    refused = gql('mutation { openWindow(code: "W01") { status } }', token=staff)
    assert codes(refused) == ["FORBIDDEN"]
    assert "signInStaff" in _message(refused)
    _data(
        gql('mutation { signInStaff(windowCode: "W01") { badgeNumber } }', token=staff),
        "signInStaff",
    )
    opened = gql('mutation { openWindow(code: "W01") { status } }', token=staff)
    assert _data(opened, "openWindow") == {"status": "OPEN"}


def test_a_refused_policy_is_named_as_the_input_names_it(
    gql: GraphQL, token: Callable[..., str], hall: str
) -> None:
    """The admin sent waitingTargetMinutes; the refusal names that field, not the stored
    policy's name (waiting_target_minutes), which the schema does not show."""
    admin = token(Role.HALL_ADMIN, hall, subject="admin-1")
    change = """mutation($minutes: Int!) { changeHallPolicies(input: {
      waitingTargetMinutes: $minutes}) { policies { waitingTargetMinutes } } }"""
    refused = gql(change, {"minutes": 900}, token=admin)
    assert codes(refused) == ["VALIDATION"]
    assert _message(refused) == "waitingTargetMinutes must be between 0 and 365"
    changed = gql(change, {"minutes": 20}, token=admin)
    assert _data(changed, "changeHallPolicies") == {"policies": {"waitingTargetMinutes": 20}}
