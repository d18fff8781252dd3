"""Offboarding over GraphQL, where the open work is read from the worklist read model: refused
(CONFLICT, with the counts, nothing recorded) while a case or complaint is still the member's,
accepted once it is reassigned; a member who left gets no case or complaint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import pytest

from gateway.auth import Role
from services.cases import Applicant, CaseRequest, CaseService
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.staff import StaffService
from tests.integration.read_models.conftest import ITEM, codes, data, moment

OFFBOARD = """mutation($b: String!) {
  offboardStaff(badgeNumber: $b, reason: "离职") { badgeNumber offboarded }
}"""
ASSIGN = """mutation($id: ID!, $to: String!) {
  assignComplaint(id: $id, assignee: $to) { status }
}"""

AppAt = Callable[..., object]


def _open_case(app_at: AppAt, hall: str, badge: str) -> UUID:
    app = app_at(CaseService, hall, moment("2026-03-02"))
    assert isinstance(app, CaseService)
    person = Applicant("citizen-1", "张三", "110101199003070011", "13800000000")
    case = app.request_case(CaseRequest("FULL_AGENCY", ITEM, "企业设立登记", "HALL", person), "x")
    app.accept_case(case.id, badge, badge)
    return case.id


def _assigned_complaint(app_at: AppAt, hall: str, badge: str) -> UUID:
    app = app_at(ComplaintService, hall, moment("2026-03-02"))
    assert isinstance(app, ComplaintService)
    details = ComplaintDetails(
        channel="PHONE", facts="推诿", applicant_id="a-1", complainant_name="某某"
    )
    complaint = app.receive_complaint(details, "a-1").id
    app.accept_complaint(complaint, "REFERRED", "admin-1")
    app.assign_complaint(complaint, badge, "admin-1")
    return complaint


def _head(platform, hall: str) -> int:
    return platform.hall_app(StaffService, hall).recorder.max_notification_id() or 0


@pytest.fixture
def admin(token, hall) -> str:
    return str(token(Role.HALL_ADMIN, hall, "admin-1"))


def test_offboarding_is_refused_while_the_worklist_shows_open_work_then_accepted(
    gql, admin, hall, app_at, project, platform
):
    case = _open_case(app_at, hall, "S001")
    complaint = _assigned_complaint(app_at, hall, "S001")
    project()
    before = _head(platform, hall)
    refused = gql(OFFBOARD, {"b": "S001"}, token=admin)
    assert codes(refused) == ["CONFLICT"]
    message = refused.json()["errors"][0]["message"]
    assert "1 open cases, 1 open complaints, 0 pending rectification steps" in message
    assert "reassign" in message
    assert _head(platform, hall) == before

    at = datetime.fromisoformat("2026-03-03T01:00:00+00:00")
    app_at(CaseService, hall, at).reassign_case(case, "S002", "S001 离职", "admin-1")
    assert data(gql(ASSIGN, {"id": str(complaint), "to": "S002"}, token=admin), "assignComplaint")
    project()
    done = data(gql(OFFBOARD, {"b": "S001"}, token=admin), "offboardStaff")
    assert done == {"badgeNumber": "S001", "offboarded": True}


def test_a_complaint_is_not_assigned_to_a_member_who_left(gql, admin, hall, app_at, project):
    project()
    data(gql(OFFBOARD, {"b": "S002"}, token=admin), "offboardStaff")
    complaint = _assigned_complaint(app_at, hall, "S001")
    assert codes(gql(ASSIGN, {"id": str(complaint), "to": "S002"}, token=admin)) == ["CONFLICT"]
