"""The 帮办代办 case lifecycle, path by path, in memory with an injected clock."""

from __future__ import annotations

from datetime import date

import pytest

from services.cases import (
    Applicant,
    CaseNotFoundError,
    CaseRequest,
    CaseService,
    CaseStateError,
    CaseStatus,
    CaseValidationError,
    Delivery,
    ItemNotAvailableError,
    MandateError,
    StaffNotOnboardedError,
)
from services.halls import HallNotRegisteredError
from tests.unit.cases.support import APPLICANT, ITEM, MATERIALS, Hall, make_hall


def _names(hall: Hall, case_id) -> list[str]:
    return [type(e).__name__ for e in hall.events(case_id)]


def test_full_agency_with_one_time_notice_runs_from_request_to_archive(hall: Hall):
    cases, clock = hall.cases, hall.clock
    case_id = hall.request("FULL_AGENCY")
    assert cases.get_case(case_id).status is CaseStatus.REQUESTED

    case = cases.accept_case(case_id, "S001", "staff-1")
    assert (case.status, case.first_responsible, case.responsible) == (
        CaseStatus.ACCEPTED,
        "S001",
        "S001",
    )
    assert case.required_materials == MATERIALS

    case = cases.check_materials(case_id, ["身份证", "委托书"], "staff-1")
    assert case.missing_materials == ["营业执照"]
    case = cases.issue_notice(case_id, ["营业执照"], "请补交营业执照复印件", "staff-1")
    assert case.clock_stopped
    clock.advance(days=1)
    case = cases.supplement_materials(case_id, ["营业执照"], "staff-1")
    assert not case.clock_stopped
    assert case.materials_complete

    cases.sign_mandate(case_id, True, "ID_CARD_READER", "staff-1")
    cases.hand_over_materials(case_id, "JJ-2026-0001", "staff-1")
    case = cases.submit_to_department(
        case_id, "市场监督管理局", "SL-889", date(2026, 10, 20), "staff-1"
    )
    assert case.status is CaseStatus.SUBMITTED
    cases.suspend_case(case_id, "部门要求补充说明", "staff-1")
    case = cases.resume_case(case_id, "已补充说明", "staff-1")
    assert case.status is CaseStatus.SUBMITTED
    case = cases.receive_result(case_id, "APPROVED", "91320500MA1XXXX", "", "staff-1")
    assert case.outcome.value == "APPROVED"
    case = cases.deliver_result(
        case_id, Delivery("MAIL", "张三", "苏州市姑苏区某路1号", "SF123456"), "staff-1"
    )
    assert case.status is CaseStatus.DELIVERED
    case = cases.complete_case(case_id, "", "staff-1")
    assert (case.status, case.on_time) == (CaseStatus.COMPLETED, True)
    case = cases.record_follow_up(case_id, False, None, "无人接听", "staff-2")
    case = cases.record_follow_up(case_id, True, True, "满意", "staff-2")
    case = cases.archive_case(case_id, "staff-1")
    assert case.status is CaseStatus.ARCHIVED
    assert case.first_responsible == "S001"

    assert _names(hall, case_id) == [
        "Requested",
        "Accepted",
        "MaterialsChecked",
        "NoticeIssued",
        "MaterialsSupplemented",
        "MandateSigned",
        "MaterialsHandedOver",
        "SubmittedToDepartment",
        "Suspended",
        "Resumed",
        "ResultReceived",
        "ResultDelivered",
        "Completed",
        "FollowUpCalled",
        "FollowUpCalled",
        "Archived",
    ]
    assert all(e.actor for e in hall.events(case_id))


def test_full_agency_with_complete_materials_needs_no_notice(hall: Hall):
    cases = hall.cases
    case_id = hall.request()
    cases.accept_case(case_id, "S001", "staff-1")
    case = cases.check_materials(case_id, MATERIALS, "staff-1")
    assert case.materials_complete
    assert case.missing_materials == []
    cases.sign_mandate(case_id, True, "FACE_RECOGNITION", "staff-1")
    cases.hand_over_materials(case_id, "R-1", "staff-1")
    cases.submit_to_department(case_id, "税务局", "T-1", date(2026, 10, 9), "staff-1")
    cases.receive_result(case_id, "NOT_APPROVED", "", "不符合条件", "staff-1")
    cases.deliver_result(case_id, Delivery("PICKUP", "张三"), "staff-1")
    assert cases.complete_case(case_id, "", "staff-1").status is CaseStatus.COMPLETED


def test_step_assistance_completes_once_accepted_when_it_took_no_materials(hall: Hall):
    case_id = hall.request("STEP_ASSISTANCE")
    hall.cases.accept_case(case_id, "S001", "staff-1")
    hall.cases.check_materials(case_id, ["身份证"], "staff-1")
    case = hall.cases.complete_case(case_id, "已指导填表", "staff-1")
    assert case.status is CaseStatus.COMPLETED


def test_step_assistance_that_took_the_materials_completes_after_delivery(hall: Hall):
    cases = hall.cases
    case_id = hall.request("STEP_ASSISTANCE")
    cases.accept_case(case_id, "S001", "staff-1")
    cases.check_materials(case_id, MATERIALS, "staff-1")
    cases.sign_mandate(case_id, True, "MANUAL_CHECK", "staff-1")
    cases.hand_over_materials(case_id, "R-2", "staff-1")
    with pytest.raises(CaseStateError, match="accepted"):
        cases.complete_case(case_id, "", "staff-1")
    cases.submit_to_department(case_id, "人社局", "H-1", date(2026, 10, 30), "staff-1")
    cases.receive_result(case_id, "APPROVED", "", "", "staff-1")
    cases.deliver_result(case_id, Delivery("PICKUP", "李四"), "staff-1")
    assert cases.complete_case(case_id, "", "staff-1").status is CaseStatus.COMPLETED


def test_onsite_guidance_is_accepted_completed_followed_up_and_archived(hall: Hall):
    cases = hall.cases
    case_id = hall.request("ONSITE_GUIDANCE")
    cases.accept_case(case_id, "S002", "staff-2")
    cases.complete_case(case_id, "已现场导办", "staff-2")
    cases.record_follow_up(case_id, True, None, "未表态", "staff-3")
    assert cases.archive_case(case_id, "staff-2").status is CaseStatus.ARCHIVED
    assert _names(hall, case_id) == [
        "Requested",
        "Accepted",
        "Completed",
        "FollowUpCalled",
        "Archived",
    ]


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4])
def test_a_case_can_be_terminated_until_its_result_is_delivered(hall: Hall, steps: int):
    cases = hall.cases
    case_id = hall.request()
    commands = [
        lambda: cases.accept_case(case_id, "S001", "s"),
        lambda: (
            cases.check_materials(case_id, MATERIALS, "s"),
            cases.sign_mandate(case_id, True, "ID_CARD_READER", "s"),
            cases.hand_over_materials(case_id, "R", "s"),
            cases.submit_to_department(case_id, "D", "A", date(2026, 12, 1), "s"),
        ),
        lambda: cases.suspend_case(case_id, "等待", "s"),
        lambda: (
            cases.resume_case(case_id, "", "s"),
            cases.receive_result(case_id, "APPROVED", "", "", "s"),
        ),
    ]
    for command in commands[: min(steps, len(commands))]:
        command()
    case = cases.terminate_case(case_id, "申请人撤回委托", "s")
    assert (case.status, case.termination_reason) == (CaseStatus.TERMINATED, "申请人撤回委托")
    cases.record_follow_up(case_id, True, False, "", "s")
    assert cases.archive_case(case_id, "s").status is CaseStatus.ARCHIVED


def test_reassigning_changes_who_handles_but_not_the_first_responsible(hall: Hall):
    cases = hall.cases
    case_id = hall.request()
    cases.accept_case(case_id, "S001", "staff-1")
    case = cases.reassign_case(case_id, "S002", "S001 轮休", "staff-1")
    case = cases.reassign_case(case_id, "S003", "跨层级转办", "staff-2")
    assert (case.first_responsible, case.responsible) == ("S001", "S003")
    reassigned = hall.events(case_id)[-1]
    assert (reassigned.previous_responsible, reassigned.responsible) == ("S002", "S003")
    with pytest.raises(CaseValidationError):
        cases.reassign_case(case_id, "S003", "again", "staff-2")
    with pytest.raises(StaffNotOnboardedError):
        cases.reassign_case(case_id, "S999", "unknown", "staff-2")


def test_a_partial_supplement_keeps_the_clock_stopped(hall: Hall):
    cases = hall.cases
    case_id = hall.request()
    cases.accept_case(case_id, "S001", "s")
    cases.check_materials(case_id, ["身份证"], "s")
    cases.issue_notice(case_id, ["委托书", "营业执照"], "", "s")
    hall.clock.set(2026, 10, 9)
    case = cases.supplement_materials(case_id, ["委托书"], "s")
    assert case.clock_stopped
    assert case.outstanding_materials == ["营业执照"]
    event = hall.events(case_id)[-1]
    assert (event.clock_stopped_working_days, event.due_date) == (0, "2026-10-12")
    hall.clock.set(2026, 10, 12)
    case = cases.supplement_materials(case_id, ["营业执照"], "s")
    assert not case.clock_stopped
    assert case.materials_complete


def test_an_unverified_mandate_does_not_allow_hand_over_until_signed_verified(hall: Hall):
    cases = hall.cases
    case_id = hall.request()
    cases.accept_case(case_id, "S001", "s")
    cases.check_materials(case_id, MATERIALS, "s")
    case = cases.sign_mandate(case_id, False, "NONE", "s")
    assert case.mandate_signed
    assert not case.identity_verified
    with pytest.raises(MandateError):
        cases.hand_over_materials(case_id, "R", "s")
    cases.sign_mandate(case_id, True, "MANUAL_CHECK", "s")
    assert cases.hand_over_materials(case_id, "R", "s").receipt_number == "R"


@pytest.mark.parametrize(
    ("verified", "method"), [(True, "NONE"), (False, "MANUAL_CHECK"), (True, "PALM_READING")]
)
def test_a_mandate_names_how_identity_was_verified(hall: Hall, verified, method):
    case_id = hall.request()
    hall.cases.accept_case(case_id, "S001", "s")
    before = hall.position()
    with pytest.raises(CaseValidationError):
        hall.cases.sign_mandate(case_id, verified, method, "s")
    assert hall.position() == before


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"item_code": "NOPE"}, ItemNotAvailableError),
        ({"item_code": "RX-001"}, ItemNotAvailableError),
        ({"item_code": "OLD-001"}, ItemNotAvailableError),
        ({"mode": "SOMETHING"}, CaseValidationError),
        ({"channel": "UNRECORDED"}, CaseValidationError),
        ({"channel": "FAX"}, CaseValidationError),
        ({"matter": " "}, CaseValidationError),
        (
            {"applicant": Applicant("app 1", "张三", "110101199003070011", "138")},
            CaseValidationError,
        ),
        (
            {"applicant": Applicant("app-1", "", "110101199003070011", "13800000000")},
            CaseValidationError,
        ),
        ({"applicant": Applicant("app-1", "张三", "x", "13800000000")}, CaseValidationError),
        (
            {"applicant": Applicant("app-1", "张三", "110101199003070011", "call me")},
            CaseValidationError,
        ),
    ],
)
def test_invalid_requests_are_refused_and_record_nothing(hall: Hall, changes, error):
    fields = {
        "mode": "FULL_AGENCY",
        "item_code": ITEM,
        "matter": "企业设立登记",
        "channel": "ONLINE",
        "applicant": APPLICANT,
        **changes,
    }
    before = hall.position()
    with pytest.raises(error):
        hall.cases.request_case(CaseRequest(**fields), "applicant-1")
    assert hall.position() == before


def test_a_request_needs_a_registered_hall(hall_apps):
    with pytest.raises(HallNotRegisteredError):
        hall_apps(CaseService, "nohall").request_case(
            CaseRequest("FULL_AGENCY", ITEM, "m", "HALL", APPLICANT), "a"
        )


def test_only_an_onboarded_staff_member_accepts(hall: Hall):
    case_id = hall.request()
    before = hall.position()
    with pytest.raises(StaffNotOnboardedError):
        hall.cases.accept_case(case_id, "S999", "staff-1")
    assert hall.position() == before


def test_an_offboarded_staff_member_neither_accepts_nor_takes_over(hall: Hall):
    hall.staff.offboard_staff("S003", "调离", "admin")
    case_id = hall.request()
    with pytest.raises(StaffNotOnboardedError):
        hall.cases.accept_case(case_id, "S003", "staff-1")
    hall.cases.accept_case(case_id, "S001", "staff-1")
    before = hall.position()
    with pytest.raises(StaffNotOnboardedError):
        hall.cases.reassign_case(case_id, "S003", "轮岗", "staff-1")
    assert hall.position() == before


def test_the_item_is_read_at_acceptance_and_a_withdrawn_item_cannot_be_accepted(hall: Hall):
    case_id = hall.request()
    hall.catalog.withdraw_service_item(ITEM, "停办", "admin")
    before = hall.position()
    with pytest.raises(ItemNotAvailableError):
        hall.cases.accept_case(case_id, "S001", "staff-1")
    assert hall.position() == before


def test_a_case_of_another_hall_is_not_found():
    a, b = make_hall(), make_hall()
    case_id = a.request()
    with pytest.raises(CaseNotFoundError):
        b.cases.accept_case(case_id, "S001", "staff-1")
    with pytest.raises(CaseNotFoundError):
        b.cases.get_case(case_id)


def test_event_timestamps_come_from_the_injected_clock(hall: Hall):
    case_id = hall.request()
    hall.clock.advance(hours=2)
    hall.cases.accept_case(case_id, "S001", "s")
    requested, accepted = hall.events(case_id)
    assert accepted.timestamp - requested.timestamp == (hall.clock.now - requested.timestamp)
    assert accepted.timestamp == hall.clock.now


def test_the_aggregate_holds_no_personal_data(hall: Hall):
    case = hall.cases.get_case(hall.request())
    state = repr(vars(case))
    for value in (APPLICANT.name, APPLICANT.id_number, APPLICANT.phone, APPLICANT.address):
        assert value not in state
    assert case.applicant_id == APPLICANT.applicant_id
