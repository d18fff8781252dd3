"""Badge numbers (工号) are not case-sensitive: s001 and S001 are one member. Onboarding
records the canonical form (upper case, no surrounding blanks); a member onboarded before in
lower case keeps their record and is found by either case."""

from __future__ import annotations

from datetime import date

import pytest

from services.cases import Applicant, CaseRequest, CaseService
from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.complaints import ComplaintService
from services.complaints.application import ComplaintDetails
from services.evaluations import EvaluationService, Invitation
from services.shared import ValidationError
from services.staff import StaffExistsError, StaffMember, StaffWorkOpenError, find_staff
from services.supervision import SupervisionService, ViolationDetails
from tests.unit.queue.support import refused


def _onboarded_before(staff, badge: str) -> StaffMember:
    """A member onboarded before badges were canonical: the badge as it was given."""
    member = StaffMember(
        hall_id=staff.hall_id,
        badge_number=badge,
        name="赵六",
        role="WINDOW_STAFF",
        skills=[],
        actor="admin",
        timestamp=staff.clock(),
    )
    staff.save(member)
    return member


@pytest.mark.parametrize("badge", ["s003", " S003", "S003\n", "s003 "])
def test_onboarding_records_the_canonical_badge(staff, badge):
    member = staff.onboard_staff(badge, "李强", "AGENT", [], "admin")
    assert member.badge_number == "S003"
    assert member.id == StaffMember.create_id("h1", "S003")
    assert staff.get_staff("s003").id == staff.get_staff("S003").id == member.id


def test_a_badge_in_another_case_is_the_same_member(staff):
    again = staff.onboard_staff
    for badge in ("s001", " S001 "):
        made = refused(staff, StaffExistsError, lambda b=badge: again(b, "李强", "AGENT", [], "a"))
        assert made == "CONFLICT"
    staff.assign_to_window("s001", "W1", "A", "admin")
    staff.sign_in("s001", "W1", "s001")
    assert (staff.get_staff("S001").on_duty_window, staff.get_staff("S001").badge_number) == (
        "W1",
        "S001",
    )


@pytest.mark.parametrize("badge", ["S 003", "S_003", "", "  ", "工号1"])
def test_a_badge_that_is_none_in_any_case_is_refused(staff, badge):
    assert (
        refused(
            staff, ValidationError, lambda: staff.onboard_staff(badge, "李强", "AGENT", [], "a")
        )
        == "VALIDATION"
    )


def test_a_member_onboarded_in_lower_case_before_is_not_locked_out(staff):
    legacy = _onboarded_before(staff, "s009")
    for badge in ("s009", "S009", " S009 "):
        assert staff.get_staff(badge).id == legacy.id
        assert find_staff(staff, badge) is not None
    assert (
        refused(
            staff, StaffExistsError, lambda: staff.onboard_staff("S009", "李强", "AGENT", [], "a")
        )
        == "CONFLICT"
    )
    staff.assign_to_window("S009", "W1", "A", "admin")
    staff.sign_in("S009", "W1", "S009")
    member = staff.get_staff("s009")
    assert (member.badge_number, member.on_duty_window) == ("s009", "W1")


def test_cases_complaints_evaluations_and_supervision_record_the_canonical_badge(staff, hall_apps):
    """Every command that names a member records 工号 in its canonical form."""
    terms = ItemTerms(name="帮办代办", category="ASSISTANCE", promised_working_days=5)
    hall_apps(CatalogService, "h1").publish_service_item("BDB-1", terms, "admin")
    cases = hall_apps(CaseService, "h1")
    person = Applicant("citizen-1", "张三", "110101199003070011", "13800000000")
    case = cases.request_case(CaseRequest("ONSITE_GUIDANCE", "BDB-1", "事项", "HALL", person), "x")
    staff.onboard_staff("S002", "李强", "AGENT", [], "admin")
    assert cases.accept_case(case.id, " s001", "admin").first_responsible == "S001"
    assert cases.reassign_case(case.id, "s002", "外出", "admin").responsible == "S002"

    complaints = hall_apps(ComplaintService, "h1")
    details = ComplaintDetails(
        channel="PHONE", facts="推诿", anonymous=True, respondent_badge="s002"
    )
    complaint = complaints.receive_complaint(details, "staff-x")
    complaints.accept_complaint(complaint.id, "INTERVENTION", "admin")
    assert complaint.respondent_badge == "S002"
    assert complaints.assign_complaint(complaint.id, "s001", "admin").assignee == "S001"

    invitation = Invitation("VISIT", "ZH:2026-03-02:1", "OFFLINE", "a-1", "W1", "s001", "")
    invited = hall_apps(EvaluationService, "h1").invite_evaluation(invitation, "S001")
    assert invited.evaluation.staff_badge == "S001"

    supervision = hall_apps(SupervisionService, "h1")
    violation = ViolationDetails("s001", "LANGUAGE", "态度生硬", date(2026, 3, 1))
    assert supervision.record_conduct_violation(violation, "sup-1").staff_badge == "S001"


def test_work_given_to_a_lower_case_member_in_upper_case_holds_back_their_offboarding(
    staff, hall_apps
):
    _onboarded_before(staff, "s009")
    complaints = hall_apps(ComplaintService, "h1")
    details = ComplaintDetails(channel="PHONE", facts="推诿", anonymous=True)
    complaint = complaints.receive_complaint(details, "staff-x")
    complaints.accept_complaint(complaint.id, "INTERVENTION", "admin")
    assert complaints.assign_complaint(complaint.id, "s009", "admin").assignee == "S009"
    leave = staff.offboard_staff
    assert refused(staff, StaffWorkOpenError, lambda: leave("S009", "调岗", "admin")) == "CONFLICT"
