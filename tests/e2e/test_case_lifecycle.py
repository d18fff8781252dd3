"""A 帮办代办 case through GraphQL over real HTTP, on PostgreSQL: from the applicant's request,
through a one-time notice (一次性告知), to the archive.

The hall is registered and its item published through GraphQL; staff are onboarded through
the staff service (the staff context has no GraphQL mutation yet).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts import to_payload, validate_payload
from gateway.auth import Role
from services.shared.working_days import WorkingDayCalendar, local_date
from services.staff import StaffService
from services.store import decode

REGISTER = """mutation($id: String!) {
  registerHall(input: {hallId: $id, name: "测试大厅", region: "江苏省苏州市"}) { hallId }
}"""
PUBLISH = """mutation {
  publishServiceItem(input: {code: "BDB-001", name: "帮办代办（全程代办）", category: ASSISTANCE,
    materials: ["身份证", "授权委托书", "营业执照"], promisedWorkingDays: 5}) { code }
}"""
FIELDS = """id status mode channel applicantId firstResponsible responsible dueDate clockStopped
  missingMaterials noticeMaterials outstandingMaterials receiptNumber onTime followUpCalls"""
REQUEST = """mutation {
  requestAssistanceCase(input: {mode: FULL_AGENCY, itemCode: "BDB-001", matter: "企业设立登记",
    channel: HALL, applicant: {name: "张三", idNumber: "110101199003070011",
    phone: "13800000000", address: "苏州市姑苏区人民路1号"}}) { FIELDS }
}""".replace("FIELDS", FIELDS)
PERSONAL = ["张三", "110101199003070011", "13800000000", "苏州市姑苏区人民路1号", "苏州市工业园区"]


def _codes(response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


def _data(response, field: str):
    body = response.json()
    assert "errors" not in body, response.text
    return body["data"][field]


def _due(working_days: int) -> set[str]:
    """The due date as the server may have computed it (a Beijing midnight may intervene)."""
    calendar, now = WorkingDayCalendar(), datetime.now(UTC)
    return {
        calendar.add_working_days(local_date(moment), working_days).isoformat()
        for moment in (now - timedelta(minutes=1), now)
    }


@pytest.fixture
def hall(gql, token, tenant_id, platform):
    _data(gql(REGISTER, {"id": tenant_id}, token=token(Role.PLATFORM_OPERATOR)), "registerHall")
    _data(gql(PUBLISH, token=token(Role.HALL_ADMIN, tenant_id)), "publishServiceItem")
    staff = platform.hall_app(StaffService, tenant_id)
    staff.onboard_staff("S001", "王芳", "AGENT", ["帮办代办"], "admin-1")
    staff.onboard_staff("S002", "李明", "AGENT", ["帮办代办"], "admin-1")
    return tenant_id


def _position(platform, hall) -> int:
    return platform.store.recorder(hall).max_notification_id() or 0


class CaseClient:
    """Runs case mutations on one case as one caller; ``refused`` also checks that nothing
    was recorded."""

    def __init__(self, gql, platform, hall: str, case_id: str, token: str) -> None:
        self.gql, self.platform, self.hall = gql, platform, hall
        self.case_id, self.token = case_id, token

    def ok(self, mutation: str, token: str | None = None, **variables: str) -> dict:
        day = ", $day: Date!" if "$day" in mutation else ""
        query = f"mutation($id: ID!{day}) {{ {mutation} {{ {FIELDS} }} }}"
        response = self.gql(query, {"id": self.case_id, **variables}, token=token or self.token)
        return _data(response, mutation.partition("(")[0])

    def refused(self, mutation: str, token: str | None = None) -> list[str]:
        before = _position(self.platform, self.hall)
        query = f"mutation($id: ID!) {{ {mutation} {{ {FIELDS} }} }}"
        response = self.gql(query, {"id": self.case_id}, token=token or self.token)
        assert _position(self.platform, self.hall) == before, "a refused command recorded"
        return _codes(response)


def _accept_check_and_notice(case: CaseClient) -> str:
    c = case.ok('acceptAssistanceCase(id: $id, badgeNumber: "S001")')
    assert (c["status"], c["firstResponsible"]) == ("ACCEPTED", "S001")
    assert c["dueDate"] in _due(5)
    assert case.refused('acceptAssistanceCase(id: $id, badgeNumber: "S001")') == ["CONFLICT"]

    c = case.ok('checkCaseMaterials(id: $id, received: ["身份证", "授权委托书"])')
    assert c["missingMaterials"] == ["营业执照"]
    assert case.refused("issueOneTimeNotice(id: $id, materials: [])") == ["VALIDATION"]
    c = case.ok('issueOneTimeNotice(id: $id, materials: ["营业执照"], note: "请补交营业执照副本")')
    assert (c["clockStopped"], c["noticeMaterials"]) == (True, ["营业执照"])
    # 一次性告知: one notice only; and nothing is handed over while materials are missing
    assert case.refused('issueOneTimeNotice(id: $id, materials: ["营业执照"])') == ["CONFLICT"]
    assert case.refused('handOverCaseMaterials(id: $id, receiptNumber: "JJ-1")') == ["CONFLICT"]

    c = case.ok('supplementCaseMaterials(id: $id, materials: ["营业执照"])')
    assert (c["clockStopped"], c["outstandingMaterials"]) == (False, [])
    return str(c["dueDate"])


def _mandate_hand_over_and_submit(case: CaseClient, due: str) -> None:
    c = case.ok('reassignAssistanceCase(id: $id, badgeNumber: "S002", reason: "S001 外出")')
    assert (c["firstResponsible"], c["responsible"]) == ("S001", "S002")
    case.ok("signCaseMandate(id: $id, identityVerified: true, identityMethod: ID_CARD_READER)")
    assert case.ok('handOverCaseMaterials(id: $id, receiptNumber: "JJ-1")')["receiptNumber"] == (
        "JJ-1"
    )
    department_due = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    c = case.ok(
        'submitCaseToDepartment(id: $id, department: "市场监督管理局", acceptanceNumber: "SL-1", '
        "departmentDueDate: $day)",
        day=department_due,
    )
    assert c["status"] == "SUBMITTED"
    case.ok('suspendAssistanceCase(id: $id, reason: "部门要求补充说明")')
    assert case.refused("receiveCaseResult(id: $id, outcome: APPROVED)") == ["CONFLICT"]
    c = case.ok('resumeAssistanceCase(id: $id, note: "已补充")')
    assert (c["status"], c["dueDate"]) == ("SUBMITTED", due)  # resumed the same day


def _deliver_complete_and_archive(case: CaseClient, supervisor: str) -> None:
    case.ok('receiveCaseResult(id: $id, outcome: APPROVED, documentNumber: "91320500MA1X")')
    c = case.ok(
        'deliverCaseResult(id: $id, input: {method: MAIL, signedByName: "张三", '
        'deliveryAddress: "苏州市工业园区星湖街1号", trackingNumber: "SF100"})'
    )
    assert c["status"] == "DELIVERED"
    c = case.ok("completeAssistanceCase(id: $id)")
    assert (c["status"], c["onTime"]) == ("COMPLETED", True)
    assert case.refused('terminateAssistanceCase(id: $id, reason: "x")') == ["CONFLICT"]
    assert case.refused("archiveAssistanceCase(id: $id)") == ["CONFLICT"]  # no 回访 yet
    c = case.ok(
        'recordCaseFollowUp(id: $id, reached: true, satisfied: true, note: "满意")', supervisor
    )
    assert c["followUpCalls"] == 1
    c = case.ok("archiveAssistanceCase(id: $id)")
    assert (c["status"], c["firstResponsible"]) == ("ARCHIVED", "S001")


def test_a_full_agency_case_with_a_one_time_notice_to_archive(gql, token, hall, platform, project):
    applicant = token(Role.APPLICANT, hall, subject="citizen-7")
    created = _data(gql(REQUEST, token=applicant), "requestAssistanceCase")
    assert (created["status"], created["applicantId"], created["channel"]) == (
        "REQUESTED",
        "citizen-7",
        "HALL",
    )
    case = CaseClient(gql, platform, hall, created["id"], token(Role.STAFF, hall, "S001"))
    due = _accept_check_and_notice(case)  # supplied the same day: no working day stopped
    _mandate_hand_over_and_submit(case, due)
    _deliver_complete_and_archive(case, token(Role.SUPERVISOR, hall, subject="sup-1"))
    _stored_events_keep_their_contracts(platform, hall)
    project()  # the projection workers pass over case events without trouble


def _stored_events_keep_their_contracts(platform, hall: str) -> None:
    """Stored on PostgreSQL, every event validates against its contract, and the
    applicant's personal data is only in the fields the contract marks personal."""
    notifications = platform.store.recorder(hall).select_notifications(start=1, limit=1000)
    names = []
    for notification in notifications:
        event_type, payload = to_payload(decode(notification))
        validate_payload(event_type, payload)
        if not event_type.name.startswith("cases."):
            continue
        names.append(event_type.name.removeprefix("cases."))
        public = str({k: v for k, v in payload.items() if k not in event_type.personal_fields})
        assert not [p for p in PERSONAL if p in public], event_type.name
    assert names == [
        "CaseRequested",
        "CaseAccepted",
        "CaseMaterialsChecked",
        "CaseOneTimeNoticeIssued",
        "CaseMaterialsSupplemented",
        "CaseReassigned",
        "CaseMandateSigned",
        "CaseMaterialsHandedOver",
        "CaseSubmittedToDepartment",
        "CaseSuspended",
        "CaseResumed",
        "CaseResultReceived",
        "CaseResultDelivered",
        "CaseCompleted",
        "CaseFollowUpCalled",
        "CaseArchived",
    ]


def test_cases_of_one_hall_are_invisible_to_another(gql, token, hall, tenant_id):
    case = _data(gql(REQUEST, token=token(Role.APPLICANT, hall)), "requestAssistanceCase")
    other = f"{hall}-b"
    _data(gql(REGISTER, {"id": other}, token=token(Role.PLATFORM_OPERATOR)), "registerHall")
    accept = 'mutation($id: ID!) { acceptAssistanceCase(id: $id, badgeNumber: "S001") { id } }'
    r = gql(accept, {"id": case["id"]}, token=token(Role.STAFF, other, subject="S001"))
    assert _codes(r) == ["NOT_FOUND"]


def test_staff_accept_as_themselves_and_hall_admins_name_the_member(gql, token, hall, platform):
    """首问负责: the first responsible is who took the case. A staff token accepts only with
    its own badge (its subject): naming a colleague would give them a case they never took.
    A hall admin names any current member."""

    def new_case(caller: str) -> CaseClient:
        created = _data(gql(REQUEST, token=token(Role.APPLICANT, hall)), "requestAssistanceCase")
        return CaseClient(gql, platform, hall, created["id"], caller)

    case = new_case(token(Role.STAFF, hall, subject="S001"))
    before = _position(platform, hall)
    as_colleague = """mutation($id: ID!) {
      acceptAssistanceCase(id: $id, badgeNumber: "S002") { id } }"""
    response = gql(as_colleague, {"id": case.case_id}, token=case.token)
    assert _codes(response) == ["FORBIDDEN"]
    message = response.json()["errors"][0]["message"]
    assert message.startswith("staff accept cases only as themselves"), message
    assert "give your own badge number ('S001')" in message, message
    assert _position(platform, hall) == before, "a refused acceptance recorded"

    c = case.ok('acceptAssistanceCase(id: $id, badgeNumber: "S001")')
    assert (c["status"], c["firstResponsible"], c["responsible"]) == ("ACCEPTED", "S001", "S001")

    by_admin = new_case(token(Role.HALL_ADMIN, hall, subject="admin-1"))
    c = by_admin.ok('acceptAssistanceCase(id: $id, badgeNumber: "S002")')
    assert (c["status"], c["firstResponsible"], c["responsible"]) == ("ACCEPTED", "S002", "S002")


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AUDITOR, Role.SUPERVISOR])
def test_only_staff_and_hall_admins_accept_cases(gql, token, hall, role):
    case = _data(gql(REQUEST, token=token(Role.APPLICANT, hall)), "requestAssistanceCase")
    accept = 'mutation($id: ID!) { acceptAssistanceCase(id: $id, badgeNumber: "S001") { id } }'
    assert _codes(gql(accept, {"id": case["id"]}, token=token(role, hall))) == ["FORBIDDEN"]


def test_a_request_without_a_token_is_unauthenticated(gql, hall):
    assert _codes(gql(REQUEST)) == ["UNAUTHENTICATED"]
