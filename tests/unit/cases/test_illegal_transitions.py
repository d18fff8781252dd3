"""Every command in every status: the legal ones record one event, the rest are refused with
a typed case error and record nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from services.cases import (
    CaseEndedError,
    CaseError,
    CaseStateError,
    CaseSuspendedError,
    CaseValidationError,
    Delivery,
    FollowUpError,
    HandOverError,
    IncompleteNoticeError,
    MandateError,
    MaterialsIncompleteError,
    ModeNotAllowedError,
    NoticeOutstandingError,
    OneTimeNoticeError,
)
from tests.unit.cases.support import MATERIALS, Hall

Command = Callable[[Hall, UUID], object]

COMMANDS: dict[str, Command] = {
    "accept": lambda h, c: h.cases.accept_case(c, "S002", "s"),
    "reassign": lambda h, c: h.cases.reassign_case(c, "S003", "轮岗", "s"),
    "check": lambda h, c: h.cases.check_materials(c, MATERIALS, "s"),
    "notice": lambda h, c: h.cases.issue_notice(c, ["营业执照"], "", "s"),
    "supplement": lambda h, c: h.cases.supplement_materials(c, ["营业执照"], "s"),
    "mandate": lambda h, c: h.cases.sign_mandate(c, True, "ID_CARD_READER", "s"),
    "hand_over": lambda h, c: h.cases.hand_over_materials(c, "R-9", "s"),
    "submit": lambda h, c: h.cases.submit_to_department(c, "D", "A-9", date(2026, 12, 31), "s"),
    "suspend": lambda h, c: h.cases.suspend_case(c, "等待", "s"),
    "resume": lambda h, c: h.cases.resume_case(c, "", "s"),
    "receive": lambda h, c: h.cases.receive_result(c, "APPROVED", "", "", "s"),
    "deliver": lambda h, c: h.cases.deliver_result(c, Delivery("PICKUP", "张三"), "s"),
    "complete": lambda h, c: h.cases.complete_case(c, "", "s"),
    "terminate": lambda h, c: h.cases.terminate_case(c, "撤回", "s"),
    "follow_up": lambda h, c: h.cases.record_follow_up(c, True, True, "", "s"),
    "archive": lambda h, c: h.cases.archive_case(c, "s"),
}

_TO_ACCEPTED = ["accept:S001"]
_TO_SUBMITTED = [*_TO_ACCEPTED, "check", "mandate", "hand_over", "submit"]
_TO_DELIVERED = [*_TO_SUBMITTED, "receive", "deliver"]

# state name -> (mode, steps to reach it, commands legal there)
STATES: dict[str, tuple[str, list[str], set[str]]] = {
    "requested": ("FULL_AGENCY", [], {"accept", "terminate"}),
    "accepted": (
        "FULL_AGENCY",
        _TO_ACCEPTED,
        {"reassign", "check", "mandate", "suspend", "terminate"},
    ),
    "checked_complete": (
        "FULL_AGENCY",
        [*_TO_ACCEPTED, "check"],
        {"reassign", "check", "mandate", "suspend", "terminate"},
    ),
    "checked_missing": (
        "FULL_AGENCY",
        [*_TO_ACCEPTED, "check:partial"],
        {"reassign", "check", "notice", "mandate", "suspend", "terminate"},
    ),
    "notice_open": (
        "FULL_AGENCY",
        [*_TO_ACCEPTED, "check:partial", "notice"],
        {"reassign", "supplement", "mandate", "terminate"},
    ),
    "supplemented": (
        "FULL_AGENCY",
        [*_TO_ACCEPTED, "check:partial", "notice", "supplement"],
        {"reassign", "check", "mandate", "suspend", "terminate"},
    ),
    "mandated": (
        "FULL_AGENCY",
        [*_TO_ACCEPTED, "check", "mandate"],
        {"reassign", "check", "hand_over", "suspend", "terminate"},
    ),
    "handed_over": (
        "FULL_AGENCY",
        [*_TO_ACCEPTED, "check", "mandate", "hand_over"],
        {"reassign", "submit", "suspend", "terminate"},
    ),
    "submitted": ("FULL_AGENCY", _TO_SUBMITTED, {"reassign", "suspend", "receive", "terminate"}),
    "suspended": (
        "FULL_AGENCY",
        [*_TO_SUBMITTED, "suspend"],
        {"reassign", "resume", "terminate"},
    ),
    "result_received": (
        "FULL_AGENCY",
        [*_TO_SUBMITTED, "receive"],
        {"reassign", "deliver", "terminate"},
    ),
    "delivered": ("FULL_AGENCY", _TO_DELIVERED, {"reassign", "complete"}),
    "completed": ("FULL_AGENCY", [*_TO_DELIVERED, "complete"], {"follow_up"}),
    "followed_up": (
        "FULL_AGENCY",
        [*_TO_DELIVERED, "complete", "follow_up"],
        {"archive"},
    ),
    "terminated": ("FULL_AGENCY", ["terminate"], {"follow_up"}),
    "archived": ("FULL_AGENCY", [*_TO_DELIVERED, "complete", "follow_up", "archive"], set()),
    "guidance_accepted": (
        "ONSITE_GUIDANCE",
        _TO_ACCEPTED,
        {"reassign", "check", "suspend", "complete", "terminate"},
    ),
    "step_accepted": (
        "STEP_ASSISTANCE",
        _TO_ACCEPTED,
        {"reassign", "check", "mandate", "suspend", "complete", "terminate"},
    ),
}

SETUP: dict[str, Command] = {
    **COMMANDS,
    "accept:S001": lambda h, c: h.cases.accept_case(c, "S001", "s"),
    "check:partial": lambda h, c: h.cases.check_materials(c, ["身份证", "委托书"], "s"),
}


def _reach(hall: Hall, state: str) -> UUID:
    mode, steps, _ = STATES[state]
    case_id = hall.request(mode)
    for step in steps:
        SETUP[step](hall, case_id)
    return case_id


CASES = [(state, command) for state in STATES for command in COMMANDS]


@pytest.mark.parametrize(("state", "command"), CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_a_command_records_one_event_when_legal_and_nothing_when_refused(
    hall: Hall, state: str, command: str
):
    case_id = _reach(hall, state)
    before = hall.position()
    if command in STATES[state][2]:
        COMMANDS[command](hall, case_id)
        assert hall.position() == before + 1
    else:
        with pytest.raises(CaseError):
            COMMANDS[command](hall, case_id)
        assert hall.position() == before


@pytest.mark.parametrize(
    ("state", "command", "error"),
    [
        ("notice_open", "notice", OneTimeNoticeError),
        ("supplemented", "notice", OneTimeNoticeError),
        ("notice_open", "check", NoticeOutstandingError),
        ("notice_open", "suspend", NoticeOutstandingError),
        ("accepted", "hand_over", MandateError),
        ("checked_missing", "mandate", None),
        ("accepted", "submit", HandOverError),
        ("handed_over", "hand_over", HandOverError),
        ("handed_over", "check", HandOverError),
        ("suspended", "receive", CaseSuspendedError),
        ("completed", "complete", CaseEndedError),
        ("completed", "terminate", CaseEndedError),
        ("terminated", "accept", CaseEndedError),
        ("archived", "follow_up", CaseEndedError),
        ("completed", "archive", FollowUpError),
        ("followed_up", "follow_up", FollowUpError),
        ("guidance_accepted", "mandate", ModeNotAllowedError),
        ("guidance_accepted", "hand_over", ModeNotAllowedError),
        ("guidance_accepted", "submit", ModeNotAllowedError),
        ("accepted", "complete", CaseStateError),
        ("requested", "check", CaseStateError),
    ],
)
def test_refusals_name_the_rule_they_break(hall: Hall, state, command, error):
    case_id = _reach(hall, state)
    if error is None:
        COMMANDS[command](hall, case_id)
        return
    with pytest.raises(error):
        COMMANDS[command](hall, case_id)


def test_hand_over_needs_every_material_checked(hall: Hall):
    case_id = _reach(hall, "checked_missing")
    SETUP["mandate"](hall, case_id)
    with pytest.raises(MaterialsIncompleteError):
        COMMANDS["hand_over"](hall, case_id)


def test_a_notice_must_list_every_missing_material_at_once(hall: Hall):
    case_id = hall.request()
    hall.cases.accept_case(case_id, "S001", "s")
    hall.cases.check_materials(case_id, ["身份证"], "s")
    before = hall.position()
    with pytest.raises(IncompleteNoticeError, match="营业执照"):
        hall.cases.issue_notice(case_id, ["委托书"], "", "s")
    with pytest.raises(CaseError, match="not missing"):
        hall.cases.issue_notice(case_id, ["委托书", "营业执照", "身份证"], "", "s")
    assert hall.position() == before


def test_a_material_found_missing_after_the_notice_cannot_get_a_second_notice(hall: Hall):
    case_id = hall.request()
    hall.cases.accept_case(case_id, "S001", "s")
    hall.cases.check_materials(case_id, ["身份证", "委托书"], "s")
    hall.cases.issue_notice(case_id, ["营业执照"], "", "s")
    hall.cases.supplement_materials(case_id, ["营业执照"], "s")
    case = hall.cases.check_materials(case_id, ["身份证", "营业执照"], "s")  # 委托书 now lacking
    assert case.missing_materials == ["委托书"]
    before = hall.position()
    with pytest.raises(OneTimeNoticeError, match="一次性告知"):
        hall.cases.issue_notice(case_id, ["委托书"], "", "s")
    assert hall.position() == before


@pytest.mark.parametrize(
    "supplied",
    [[], ["身份证"], ["营业执照", "户口本"], [" "]],
    ids=["none", "not-noticed", "unknown", "blank"],
)
def test_only_noticed_materials_can_be_supplemented(hall: Hall, supplied):
    case_id = _reach(hall, "notice_open")
    before = hall.position()
    with pytest.raises(CaseError):
        hall.cases.supplement_materials(case_id, supplied, "s")
    assert hall.position() == before


@pytest.mark.parametrize(
    "delivery",
    [
        Delivery("MAIL", "张三"),
        Delivery("MAIL", "张三", "苏州市", ""),
        Delivery("PICKUP", "张三", "苏州市"),
        Delivery("PICKUP", ""),
        Delivery("DRONE", "张三"),
    ],
)
def test_a_delivery_says_how_and_who_signed(hall: Hall, delivery):
    case_id = _reach(hall, "result_received")
    before = hall.position()
    with pytest.raises(CaseError):
        hall.cases.deliver_result(case_id, delivery, "s")
    assert hall.position() == before


BAD_INPUT = {
    "blank-termination-reason": ("accepted", lambda h, c: h.cases.terminate_case(c, "  ", "s")),
    "no-suspension-reason": ("accepted", lambda h, c: h.cases.suspend_case(c, "", "s")),
    "no-reassign-reason": ("accepted", lambda h, c: h.cases.reassign_case(c, "S002", "", "s")),
    "unknown-material": ("accepted", lambda h, c: h.cases.check_materials(c, ["户口本"], "s")),
    "past-department-due": (
        "handed_over",
        lambda h, c: h.cases.submit_to_department(c, "D", "A", date(2026, 9, 28), "s"),
    ),
    "no-department": (
        "handed_over",
        lambda h, c: h.cases.submit_to_department(c, "", "A", date(2026, 12, 1), "s"),
    ),
    "blank-receipt": ("mandated", lambda h, c: h.cases.hand_over_materials(c, " ", "s")),
    "unreached-but-satisfied": (
        "completed",
        lambda h, c: h.cases.record_follow_up(c, False, True, "", "s"),
    ),
    "unknown-outcome": ("submitted", lambda h, c: h.cases.receive_result(c, "MAYBE", "", "", "s")),
    "long-note": ("suspended", lambda h, c: h.cases.resume_case(c, "x" * 2001, "s")),
}


@pytest.mark.parametrize("name", BAD_INPUT)
def test_bad_input_is_refused_and_records_nothing(hall: Hall, name: str):
    state, command = BAD_INPUT[name]
    case_id = _reach(hall, state)
    before = hall.position()
    with pytest.raises(CaseValidationError):
        command(hall, case_id)
    assert hall.position() == before
