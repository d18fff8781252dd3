"""The GraphQL mutations of 帮办代办 cases, executed in process against an in-memory hall."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.auth import Principal, Role
from gateway.schema import build_schema
from services.cases import CaseService
from services.cases.domain import values
from tests.unit.cases.support import Hall

EXPECTED = {
    "requestAssistanceCase",
    "acceptAssistanceCase",
    "reassignAssistanceCase",
    "checkCaseMaterials",
    "issueOneTimeNotice",
    "supplementCaseMaterials",
    "signCaseMandate",
    "handOverCaseMaterials",
    "submitCaseToDepartment",
    "suspendAssistanceCase",
    "resumeAssistanceCase",
    "receiveCaseResult",
    "deliverCaseResult",
    "completeAssistanceCase",
    "terminateAssistanceCase",
    "recordCaseFollowUp",
    "archiveAssistanceCase",
}

REQUEST = """mutation($mode: AssistanceMode!) {
  requestAssistanceCase(input: {mode: $mode, itemCode: "BDB-001", matter: "企业设立登记",
    channel: ONLINE, applicantId: "ignored-for-applicants",
    applicant: {name: "张三", idNumber: "110101199003070011", phone: "13800000000"}}) {
    id status mode channel applicantId
  }
}"""


def test_every_case_command_has_a_documented_mutation():
    mutation = build_schema()._schema.mutation_type
    assert mutation is not None
    assert set(mutation.fields) >= EXPECTED
    assert not [name for name in EXPECTED if not mutation.fields[name].description]


def test_the_graphql_enums_have_the_domain_values():
    schema = build_schema()._schema
    for name, domain in [
        ("AssistanceMode", values.AssistanceMode),
        ("AssistanceCaseStatus", values.CaseStatus),
        ("CaseRequestChannel", values.RequestChannel),
        ("CaseIdentityMethod", values.IdentityMethod),
        ("CaseResultOutcome", values.ResultOutcome),
        ("CaseDeliveryMethod", values.DeliveryMethod),
    ]:
        assert set(schema.type_map[name].values) == {m.value for m in domain}


@pytest.fixture
def run(hall: Hall):
    schema = build_schema()

    def execute(
        query: str,
        role: Role | None,
        variables: dict[str, Any] | None = None,
        subject: str = "u-1",
        tenant: str = "h1",
    ) -> Any:
        platform = SimpleNamespace(
            hall_app=lambda cls, hall_id: hall.cases if cls is CaseService else None
        )
        context = SimpleNamespace(
            platform=platform,
            principal=Principal(subject=subject, role=role, tenant=tenant),
            request_id="req-1",
        )
        return asyncio.run(
            schema.execute(query, variable_values=variables or {}, context_value=context)
        )

    return execute


def _code(result: Any) -> str:
    assert result.errors, result
    return result.errors[0].extensions["code"]


def test_an_applicant_requests_as_themselves(run):
    result = run(REQUEST, Role.APPLICANT, {"mode": "FULL_AGENCY"}, subject="citizen-42")
    assert result.errors is None, result.errors
    assert result.data["requestAssistanceCase"]["applicantId"] == "citizen-42"
    assert result.data["requestAssistanceCase"]["status"] == "REQUESTED"


def test_staff_register_a_walk_in_under_the_given_or_a_new_applicant_id(run):
    result = run(REQUEST, Role.STAFF, {"mode": "ONSITE_GUIDANCE"})
    assert result.data["requestAssistanceCase"]["applicantId"] == "ignored-for-applicants"
    walk_in = REQUEST.replace('applicantId: "ignored-for-applicants",', "")
    result = run(walk_in, Role.STAFF, {"mode": "ONSITE_GUIDANCE"})
    assert result.data["requestAssistanceCase"]["applicantId"].startswith("walk-in-")


def test_staff_accept_and_applicants_may_not(run, hall: Hall):
    case_id = run(REQUEST, Role.APPLICANT, {"mode": "FULL_AGENCY"}).data["requestAssistanceCase"][
        "id"
    ]
    accept = (
        'mutation($id: ID!) { acceptAssistanceCase(id: $id, badgeNumber: "S001") '
        "{ status firstResponsible dueDate } }"
    )
    before = hall.position()
    assert _code(run(accept, Role.APPLICANT, {"id": case_id})) == "FORBIDDEN"
    assert _code(run(accept, None, {"id": case_id})) == "UNAUTHENTICATED"
    assert hall.position() == before
    result = run(accept, Role.STAFF, {"id": case_id}, subject="S001")
    assert result.data["acceptAssistanceCase"] == {
        "status": "ACCEPTED",
        "firstResponsible": "S001",
        "dueDate": "2026-10-12",
    }


def test_errors_carry_the_domain_codes(run):
    case_id = run(REQUEST, Role.APPLICANT, {"mode": "ONSITE_GUIDANCE"}).data[
        "requestAssistanceCase"
    ]["id"]
    mandate = (
        "mutation($id: ID!) { signCaseMandate(id: $id, identityVerified: true, "
        "identityMethod: ID_CARD_READER) { status } }"
    )
    archive = "mutation($id: ID!) { archiveAssistanceCase(id: $id) { status } }"
    assert _code(run(mandate, Role.STAFF, {"id": case_id})) == "CONFLICT"
    assert _code(run(archive, Role.HALL_ADMIN, {"id": "not-a-uuid"})) == "NOT_FOUND"
    assert (
        _code(run(REQUEST.replace("BDB-001", "NOPE"), Role.APPLICANT, {"mode": "FULL_AGENCY"}))
        == "NOT_FOUND"
    )
    bad_phone = REQUEST.replace("13800000000", "call me")
    assert _code(run(bad_phone, Role.APPLICANT, {"mode": "FULL_AGENCY"})) == "VALIDATION"


def test_supervisors_make_follow_up_calls_but_do_not_handle_cases(run):
    case_id = run(REQUEST, Role.APPLICANT, {"mode": "ONSITE_GUIDANCE"}).data[
        "requestAssistanceCase"
    ]["id"]
    accept = 'mutation($id: ID!) { acceptAssistanceCase(id: $id, badgeNumber: "S001") { status } }'
    assert _code(run(accept, Role.SUPERVISOR, {"id": case_id})) == "FORBIDDEN"
    run(accept, Role.STAFF, {"id": case_id}, subject="S001")
    run(
        "mutation($id: ID!) { completeAssistanceCase(id: $id) { status } }",
        Role.STAFF,
        {"id": case_id},
    )
    follow_up = (
        "mutation($id: ID!) { recordCaseFollowUp(id: $id, reached: true, "
        "satisfied: true) { followUpCalls satisfied } }"
    )
    result = run(follow_up, Role.SUPERVISOR, {"id": case_id})
    assert result.data["recordCaseFollowUp"] == {"followUpCalls": 1, "satisfied": True}
