"""Rules of the complaint procedure that the state table alone does not show (GB/T 36113;
``docs/domain.md``, Complaints): 回避 of the respondent, one extension per handling round,
and a referred complaint (登记转办) investigated only once it was referred."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from gateway.auth import Principal, Role
from gateway.schema import build_schema
from services.complaints import (
    Complaint,
    ComplaintDetails,
    ComplaintNotAssignedError,
    ComplaintService,
    ComplaintStatus,
    ExtensionLimitError,
    RespondentRecusalError,
)
from services.halls import HallPolicies
from services.shared import ValidationError
from services.shared.working_days import CHINA_TZ, WorkingDayCalendar

CAL = WorkingDayCalendar()
POLICIES = HallPolicies()
NOW = datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ)


def _received(respondent_badge: str = "S001") -> Complaint:
    return Complaint.receive(
        hall_id="h1",
        channel="IN_PERSON",
        anonymous=False,
        applicant_id="a-1",
        complainant_name="张三",
        complainant_phone="13800000000",
        respondent_window="W01",
        respondent_badge=respondent_badge,
        facts="窗口人员态度生硬",
        evidence=[],
        now=NOW,
        actor="a-1",
    )


def _accepted(complaint_class: str = "INTERVENTION", respondent_badge: str = "S001") -> Complaint:
    c = _received(respondent_badge)
    c.accept(complaint_class, now=NOW, calendar=CAL, policies=POLICIES, actor="admin")
    return c


def _disposed(handler: str = "S009") -> Complaint:
    c = _accepted()
    c.investigate("SUBSTANTIATED", "属实", now=NOW, actor=handler)
    c.dispose(["批评教育"], now=NOW, actor=handler)
    return c


def _refused(c: Complaint, error: type[Exception], act: Any) -> None:
    before = len(c.pending_events)
    with pytest.raises(error):
        act()
    assert len(c.pending_events) == before


# -- 回避: the respondent takes no part in handling the complaint against them -----------------


def test_a_complaint_is_not_assigned_to_the_staff_member_it_is_about():
    c = _accepted()
    _refused(c, RespondentRecusalError, lambda: c.assign("S001", now=NOW, actor="admin"))
    _refused(c, RespondentRecusalError, lambda: c.assign(" S001 ", now=NOW, actor="admin"))
    c.assign("S009", now=NOW, actor="admin")
    assert c.assignee == "S009"


def test_the_respondent_badge_is_recorded_canonical_and_recused_whatever_its_case():
    """工号 are not case-sensitive: a complaint naming s001 is about staff S001 (回避)."""
    c = _received(" s001 ")
    assert c.respondent_badge == "S001"
    _refused(
        c,
        RespondentRecusalError,
        lambda: c.accept("ON_THE_SPOT", now=NOW, calendar=CAL, policies=POLICIES, actor="S001"),
    )
    c.accept("INTERVENTION", now=NOW, calendar=CAL, policies=POLICIES, actor="admin")
    _refused(c, RespondentRecusalError, lambda: c.assign("S001", now=NOW, actor="admin"))
    _refused(c, RespondentRecusalError, lambda: c.withdraw("已协商", now=NOW, actor="s001"))


def test_a_respondent_recorded_in_lower_case_before_is_recused_too():
    """A complaint received before badges were canonical keeps its lower-case respondent."""
    c = Complaint(
        hall_id="h1",
        channel="IN_PERSON",
        anonymous=True,
        applicant_id="",
        complainant_name="",
        complainant_phone="",
        respondent_window="W01",
        respondent_badge="s001",
        facts="窗口人员态度生硬",
        evidence=[],
        actor="staff-1",
        timestamp=NOW,
    )
    assert c.respondent_badge == "s001"
    _refused(
        c,
        RespondentRecusalError,
        lambda: c.reject("OUT_OF_SCOPE", "不属于", now=NOW, actor="S001"),
    )


@pytest.mark.parametrize(
    ("status", "act"),
    [
        ("ACCEPTED", lambda c: c.investigate("NOT_SUBSTANTIATED", "无", now=NOW, actor="S001")),
        ("INVESTIGATED", lambda c: c.dispose(["解释"], now=NOW, actor="S001")),
        ("DISPOSED", lambda c: c.reply("答复", now=NOW, actor="S001")),
        ("REPLIED", lambda c: c.follow_up(True, "满意", now=NOW, actor="S001")),
        (
            "REPLIED",
            lambda c: c.reopen("再查", now=NOW, calendar=CAL, policies=POLICIES, actor="S001"),
        ),
        ("ACCEPTED", lambda c: c.withdraw("已协商", now=NOW, actor="S001")),
        (
            "ACCEPTED",
            lambda c: c.extend_deadline(2, "需调取录像", now=NOW, calendar=CAL, actor="S001"),
        ),
    ],
)
def test_the_respondent_takes_no_step_of_the_handling(status, act):
    c = _accepted()
    if status != "ACCEPTED":
        c.investigate("NOT_SUBSTANTIATED", "无", now=NOW, actor="S009")
    if status in ("DISPOSED", "REPLIED"):
        c.dispose(["解释"], now=NOW, actor="S009")
    if status == "REPLIED":
        c.reply("答复", now=NOW, actor="S009")
    assert c.status is ComplaintStatus(status)
    _refused(c, RespondentRecusalError, lambda: act(c))
    assert c.status is ComplaintStatus(status)


def test_the_respondent_is_not_asked_to_decide_acceptance():
    c = _received()
    _refused(
        c,
        RespondentRecusalError,
        lambda: c.accept("ON_THE_SPOT", now=NOW, calendar=CAL, policies=POLICIES, actor="S001"),
    )
    _refused(
        c, RespondentRecusalError, lambda: c.reject("OUT_OF_SCOPE", "不属于", now=NOW, actor="S001")
    )


def test_others_handle_it_and_the_complainant_still_withdraws():
    c = _disposed(handler="S009")
    c.reply("答复", now=NOW, actor="S009")
    assert c.status is ComplaintStatus.REPLIED
    withdrawn = _accepted(respondent_badge="a-1")  # an applicant id that reads like a badge
    withdrawn.withdraw("已协商解决", now=NOW, actor="a-1")  # the complainant themselves
    assert withdrawn.status is ComplaintStatus.WITHDRAWN


def test_a_complaint_about_no_staff_member_recuses_nobody():
    c = _accepted(respondent_badge="")
    c.investigate("NOT_SUBSTANTIATED", "无", now=NOW, actor="S001")
    assert c.status is ComplaintStatus.INVESTIGATED


# -- 延期: once per handling round ---------------------------------------------------------------


def test_a_deadline_is_extended_once_per_handling_round():
    c = _accepted()
    c.extend_deadline(3, "需调取监控录像", now=NOW, calendar=CAL, actor="admin")
    due = c.due_on
    _refused(
        c,
        ExtensionLimitError,
        lambda: c.extend_deadline(2, "还需协调", now=NOW, calendar=CAL, actor="admin"),
    )
    assert c.due_on == due
    assert c.extensions_this_round == 1


def test_a_reopened_round_may_be_extended_once_again():
    c = _disposed()
    c.extend_deadline(3, "需协调部门", now=NOW, calendar=CAL, actor="admin")
    c.reply("答复", now=NOW, actor="S009")
    c.reopen("投诉人不满意", now=NOW, calendar=CAL, policies=POLICIES, actor="admin")
    c.extend_deadline(2, "需再次调查", now=NOW, calendar=CAL, actor="admin")
    assert c.due_on == date(2026, 10, 15)  # 10-13 (reopened, 5 working days) + 2
    _refused(
        c,
        ExtensionLimitError,
        lambda: c.extend_deadline(1, "再延", now=NOW, calendar=CAL, actor="admin"),
    )


def test_stored_histories_with_two_extensions_in_a_round_still_load():
    """A complaint extended twice before the rule still replays (the rule is the command's)."""
    c = _accepted()
    c.extend_deadline(3, "一", now=NOW, calendar=CAL, actor="admin")
    c._deadline_extended(2, "二", "2026-10-13", "2026-10-15", "admin", timestamp=NOW)
    copy = None
    for stored in c.collect_events():
        copy = stored.mutate(copy)
    assert isinstance(copy, Complaint)
    assert copy.due_on == date(2026, 10, 15)
    assert copy.extensions_this_round == 2


# -- 登记转办: referred, then investigated -------------------------------------------------------


def test_a_referred_complaint_is_investigated_only_once_referred():
    c = _accepted("REFERRED")
    _refused(
        c,
        ComplaintNotAssignedError,
        lambda: c.investigate("SUBSTANTIATED", "属实", now=NOW, actor="admin"),
    )
    assert c.status is ComplaintStatus.ACCEPTED
    c.assign("S009", now=NOW, actor="admin")
    c.investigate("SUBSTANTIATED", "属实", now=NOW, actor="S009")
    assert c.status is ComplaintStatus.INVESTIGATED


@pytest.mark.parametrize("complaint_class", ["ON_THE_SPOT", "INTERVENTION"])
def test_on_the_spot_and_intervention_complaints_need_no_referral(complaint_class):
    c = _accepted(complaint_class)
    c.investigate("NOT_SUBSTANTIATED", "无", now=NOW, actor="admin")
    assert c.status is ComplaintStatus.INVESTIGATED


def test_a_reopened_referred_complaint_stays_with_its_unit():
    c = _accepted("REFERRED")
    c.assign("S009", now=NOW, actor="admin")
    c.investigate("NOT_SUBSTANTIATED", "无", now=NOW, actor="S009")
    c.dispose(["解释"], now=NOW, actor="S009")
    c.reply("答复", now=NOW, actor="S009")
    c.reopen("不满意", now=NOW, calendar=CAL, policies=POLICIES, actor="admin")
    c.investigate("NOT_SUBSTANTIATED", "复查", now=NOW, actor="S009")
    assert c.handling_round == 2


# -- the same rules through the application and GraphQL ----------------------------------------


REAL_NAME = ComplaintDetails(
    channel="IN_PERSON",
    facts="W01 窗口工作人员态度生硬",
    applicant_id="a-1",
    complainant_name="张三",
    respondent_window="W01",
    respondent_badge="S001",
)


def test_the_service_refuses_and_records_nothing(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "REFERRED", "admin")
    before = complaints.recorder.max_notification_id()
    with pytest.raises(ComplaintNotAssignedError):
        complaints.investigate_complaint(c.id, "SUBSTANTIATED", "属实", "admin")
    with pytest.raises(RespondentRecusalError):
        complaints.assign_complaint(c.id, "S001", "admin")
    complaints.extend_complaint_deadline(c.id, 2, "需调取录像", "admin")
    after_extension = complaints.recorder.max_notification_id()
    with pytest.raises(ExtensionLimitError):
        complaints.extend_complaint_deadline(c.id, 2, "再延", "admin")
    assert complaints.recorder.max_notification_id() == after_extension == before + 1


@pytest.fixture
def run(complaints: ComplaintService):
    schema = build_schema()

    def execute(query: str, role: Role, variables: dict[str, Any], subject: str) -> Any:
        platform = SimpleNamespace(
            hall_app=lambda cls, hall_id: complaints if cls is ComplaintService else None
        )
        context = SimpleNamespace(
            platform=platform,
            principal=Principal(subject=subject, role=role, tenant="h1"),
            request_id="req-1",
        )
        return asyncio.run(schema.execute(query, variable_values=variables, context_value=context))

    return execute


def _code(result: Any) -> str:
    assert result.errors, result
    return str(result.errors[0].extensions["code"])


def test_graphql_gives_the_stable_codes(run, complaints: ComplaintService):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "REFERRED", "admin")
    variables = {"id": str(c.id)}
    investigate = (
        "mutation($id: ID!) { investigateComplaint(id: $id, finding: NOT_SUBSTANTIATED, "
        'summary: "无") { status } }'
    )
    assign = (
        "mutation($id: ID!, $to: String!) { assignComplaint(id: $id, assignee: $to) { status } }"
    )
    extend = (
        'mutation($id: ID!) { extendComplaintDeadline(id: $id, workingDays: 2, reason: "需协调") '
        "{ dueOn } }"
    )
    before = complaints.recorder.max_notification_id()
    assert _code(run(investigate, Role.HALL_ADMIN, variables, "admin")) == "CONFLICT"
    assert _code(run(assign, Role.HALL_ADMIN, {**variables, "to": "S001"}, "admin")) == "FORBIDDEN"
    assert complaints.recorder.max_notification_id() == before
    assert run(assign, Role.HALL_ADMIN, {**variables, "to": "S001X"}, "admin").errors is None
    assert _code(run(investigate, Role.STAFF, variables, "S001")) == "FORBIDDEN"
    assert run(extend, Role.HALL_ADMIN, variables, "admin").errors is None
    assert _code(run(extend, Role.SUPERVISOR, variables, "sup-1")) == "CONFLICT"
    result = run(investigate, Role.STAFF, variables, "S001X")
    assert result.errors is None, result.errors
    assert complaints.get_complaint(UUID(str(c.id))).status is ComplaintStatus.INVESTIGATED


# -- 撤诉: a withdrawal recorded for the complainant says why ------------------------------------


def test_a_withdrawal_recorded_by_staff_gives_the_complainants_reason():
    c = _accepted()
    _refused(c, ValidationError, lambda: c.withdraw("  ", now=NOW, actor="S009"))
    assert c.status is ComplaintStatus.ACCEPTED
    c.withdraw("投诉人来电表示已协商解决，撤回投诉", now=NOW, actor="S009")
    assert c.status is ComplaintStatus.WITHDRAWN


def test_the_complainant_withdraws_without_giving_a_reason():
    c = _accepted()
    c.withdraw("", now=NOW, actor="a-1")
    assert c.status is ComplaintStatus.WITHDRAWN


def test_graphql_refuses_a_staff_withdrawal_without_a_reason(run, complaints: ComplaintService):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    withdraw = (
        "mutation($id: ID!, $why: String!) { withdrawComplaint(id: $id, reason: $why) { status } }"
    )
    before = complaints.recorder.max_notification_id()
    assert _code(run(withdraw, Role.STAFF, {"id": str(c.id), "why": ""}, "S009")) == "VALIDATION"
    assert complaints.recorder.max_notification_id() == before
    result = run(withdraw, Role.APPLICANT, {"id": str(c.id), "why": ""}, "a-1")
    assert result.errors is None, result.errors
