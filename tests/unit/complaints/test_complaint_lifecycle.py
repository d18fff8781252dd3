"""The complaint procedure (GB/T 36113) through the application service, in memory."""

from __future__ import annotations

from datetime import date

import pytest

from services.complaints import (
    ComplaintDetails,
    ComplaintNotFoundError,
    ComplaintNotRepliedError,
    ComplaintStateError,
    ComplaintStatus,
    NotTheComplainantError,
)
from services.halls import HallNotRegisteredError, HallPolicies, HallRegistry
from services.rectifications import Rectification, RectificationSource, RectificationStatus
from services.shared import ValidationError

REAL_NAME = ComplaintDetails(
    channel="IN_PERSON",
    facts="W01 窗口工作人员态度生硬，拒绝解释所需材料",
    applicant_id="a-1",
    complainant_name="张三",
    complainant_phone="13800000000",
    respondent_window="W01",
    respondent_badge="S001",
    evidence=["file:recording-1"],
)
ANONYMOUS = ComplaintDetails(channel="ONLINE", facts="大厅无人引导", anonymous=True)


def _events(app, complaint):
    return [type(e).__name__ for e in app.repository.event_store.get(complaint.id)]


def test_a_complaint_goes_from_receipt_to_archive(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    assert c.status is ComplaintStatus.RECEIVED
    c = complaints.accept_complaint(c.id, "REFERRED", "admin")
    assert c.due_on == date(2026, 10, 13)  # 5 working days, National Day and 调休 counted
    c = complaints.assign_complaint(c.id, "S009", "admin")
    c = complaints.investigate_complaint(c.id, "NOT_SUBSTANTIATED", "录像显示无不当言行", "S009")
    c = complaints.dispose_complaint(c.id, ["向投诉人解释材料要求"], "S009")
    c = complaints.reply_to_complaint(c.id, "经调查，投诉不属实；已解释材料要求。", "S009")
    assert c.replied_on_time is True
    c = complaints.follow_up_complaint(c.id, True, "满意", "S009")
    c = complaints.archive_complaint(c.id, "admin")
    assert c.status is ComplaintStatus.ARCHIVED
    assert _events(complaints, c) == [
        "Received",
        "Accepted",
        "Assigned",
        "Investigated",
        "Disposed",
        "Replied",
        "FollowedUp",
        "Archived",
    ]
    assert all(e.actor for e in complaints.repository.event_store.get(c.id))


def _stamps(app, record_id) -> list:
    return [e.timestamp for e in app.repository.event_store.get(record_id)]


def test_event_timestamps_come_from_the_injected_clock(complaints, rectifications, clock):
    """Every event is stamped with the service's clock at its command, not the wall clock:
    the register's and the deadlines' times (received, replied …) follow the timestamps."""
    moments = []

    def at_next_hour(command, *args, **kwargs):
        clock.advance(hours=1)
        moments.append(clock.now)
        return command(*args, **kwargs)

    c = at_next_hour(complaints.receive_complaint, REAL_NAME, "a-1")
    at_next_hour(complaints.accept_complaint, c.id, "REFERRED", "admin")
    at_next_hour(complaints.assign_complaint, c.id, "S009", "admin")
    at_next_hour(complaints.investigate_complaint, c.id, "SUBSTANTIATED", "属实", "S009")
    at_next_hour(complaints.dispose_complaint, c.id, ["批评教育"], "S009")
    at_next_hour(complaints.extend_complaint_deadline, c.id, 2, "需回访", "admin")
    at_next_hour(complaints.reply_to_complaint, c.id, "已处理", "S009")
    at_next_hour(complaints.follow_up_complaint, c.id, False, "不满意", "S009")
    at_next_hour(complaints.reopen_complaint, c.id, "不满意", "admin")
    at_next_hour(complaints.withdraw_complaint, c.id, "已协商解决", "a-1", as_complainant=True)
    at_next_hour(complaints.archive_complaint, c.id, "admin")
    assert _stamps(complaints, c.id) == moments
    rectification_id = Rectification.create_id("h1", "COMPLAINT", f"{c.id}#1")
    assert _stamps(rectifications, rectification_id) == [moments[3]]

    rejected = complaints.receive_complaint(ANONYMOUS, "S001")
    clock.advance(days=1)
    complaints.reject_complaint(rejected.id, "OUT_OF_SCOPE", "不属于本大厅受理范围", "admin")
    assert _stamps(complaints, rejected.id)[-1] == clock.now


def test_the_due_date_is_in_the_event(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "REFERRED", "admin")
    accepted = list(complaints.repository.event_store.get(c.id))[-1]
    assert (accepted.due_on, accepted.time_limit_working_days) == ("2026-10-13", 5)


def test_an_on_the_spot_complaint_is_due_the_next_working_day(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    c = complaints.accept_complaint(c.id, "ON_THE_SPOT", "admin")
    assert c.due_on == date(2026, 10, 8)


def test_the_limits_are_the_halls_policies(hall_apps, complaints, hall):
    registry = hall_apps(HallRegistry, hall)
    registry.change_policies(HallPolicies(complaint_complex_working_days=10), "admin")
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    c = complaints.accept_complaint(c.id, "INTERVENTION", "admin")
    assert c.due_on == date(2026, 10, 20)


def test_the_deadline_moves_only_by_an_extension_with_a_reason(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "ON_THE_SPOT", "admin")
    c = complaints.extend_complaint_deadline(c.id, 3, "需调取监控录像", "admin")
    assert c.due_on == date(2026, 10, 12)  # 10-08 + 3 working days (10-10 is a 调休 day)
    extended = list(complaints.repository.event_store.get(c.id))[-1]
    assert (extended.previous_due_on, extended.due_on) == ("2026-10-08", "2026-10-12")


def test_a_late_reply_is_recorded_as_late(complaints, clock):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "ON_THE_SPOT", "admin")
    complaints.investigate_complaint(c.id, "NOT_SUBSTANTIATED", "无", "admin")
    complaints.dispose_complaint(c.id, ["解释"], "admin")
    clock.set(2026, 10, 9)
    c = complaints.reply_to_complaint(c.id, "答复", "admin")
    assert c.replied_on_time is False


@pytest.mark.parametrize(
    "reason",
    [
        "OUT_OF_SCOPE",
        "NO_CLEAR_RESPONDENT",
        "ALREADY_HANDLED",
        "IN_LITIGATION_OR_REVIEW",
        "REPEATED_WITHOUT_NEW_FACTS",
    ],
)
def test_a_rejected_complaint_can_be_archived(complaints, reason):
    c = complaints.receive_complaint(ANONYMOUS, "staff-1")
    c = complaints.reject_complaint(c.id, reason, "已告知不予受理的理由", "admin")
    assert c.status is ComplaintStatus.REJECTED
    assert complaints.archive_complaint(c.id, "admin").status is ComplaintStatus.ARCHIVED


def test_an_unknown_rejection_reason_is_refused(complaints):
    c = complaints.receive_complaint(ANONYMOUS, "staff-1")
    before = complaints.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        complaints.reject_complaint(c.id, "DONT_LIKE_IT", "x", "admin")
    assert complaints.recorder.max_notification_id() == before


def test_the_complainant_withdraws_their_own_complaint(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "REFERRED", "admin")
    with pytest.raises(NotTheComplainantError):
        complaints.withdraw_complaint(c.id, "", "a-2", as_complainant=True)
    c = complaints.withdraw_complaint(c.id, "已协商解决", "a-1", as_complainant=True)
    assert c.status is ComplaintStatus.WITHDRAWN
    assert complaints.archive_complaint(c.id, "admin").status is ComplaintStatus.ARCHIVED


def test_staff_may_record_a_withdrawal_of_an_anonymous_complaint(complaints):
    c = complaints.receive_complaint(ANONYMOUS, "staff-1")
    with pytest.raises(NotTheComplainantError):
        complaints.withdraw_complaint(c.id, "", "someone", as_complainant=True)
    c = complaints.withdraw_complaint(c.id, "来电撤回", "staff-1", as_complainant=False)
    assert c.status is ComplaintStatus.WITHDRAWN


def test_a_substantiated_finding_opens_a_rectification_in_the_same_save(complaints, rectifications):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "INTERVENTION", "admin")
    before = complaints.recorder.max_notification_id()
    complaints.investigate_complaint(c.id, "SUBSTANTIATED", "属实", "admin")
    assert complaints.recorder.max_notification_id() == before + 2
    rid = Rectification.create_id("h1", "COMPLAINT", f"{c.id}#1")
    r = rectifications.get_rectification(rid)
    assert (r.source, r.status) == (RectificationSource.COMPLAINT, RectificationStatus.OPEN)
    assert (r.window_code, r.staff_badge, r.applicant_id) == ("W01", "S001", "a-1")
    assert r.verification_due_on == date(2026, 10, 8)


def test_a_partly_substantiated_finding_opens_one_too_and_an_unfounded_one_does_not(
    complaints, rectifications
):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "INTERVENTION", "admin")
    complaints.investigate_complaint(c.id, "PARTLY_SUBSTANTIATED", "部分属实", "admin")
    rectifications.get_rectification(Rectification.create_id("h1", "COMPLAINT", f"{c.id}#1"))
    d = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(d.id, "INTERVENTION", "admin")
    before = complaints.recorder.max_notification_id()
    complaints.investigate_complaint(d.id, "NOT_SUBSTANTIATED", "不属实", "admin")
    assert complaints.recorder.max_notification_id() == before + 1


def test_a_reopened_complaint_gets_a_new_due_date_and_round(complaints, rectifications, clock):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "ON_THE_SPOT", "admin")
    complaints.investigate_complaint(c.id, "SUBSTANTIATED", "属实", "admin")
    complaints.dispose_complaint(c.id, ["批评教育"], "admin")
    complaints.reply_to_complaint(c.id, "已处理", "admin")
    complaints.follow_up_complaint(c.id, False, "不满意", "admin")
    clock.set(2026, 10, 9)
    c = complaints.reopen_complaint(c.id, "投诉人不满意处理结果", "admin")
    assert (c.status, c.handling_round, c.due_on) == (
        ComplaintStatus.ACCEPTED,
        2,
        date(2026, 10, 15),  # 5 working days from 10-09; Saturday 10-10 is a 调休 working day
    )
    complaints.investigate_complaint(c.id, "SUBSTANTIATED", "复查属实", "admin")
    rectifications.get_rectification(Rectification.create_id("h1", "COMPLAINT", f"{c.id}#2"))


def test_a_complaint_without_a_reply_cannot_be_archived(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    steps = [
        lambda: None,
        lambda: complaints.accept_complaint(c.id, "REFERRED", "admin"),
        lambda: complaints.assign_complaint(c.id, "S009", "admin"),
        lambda: complaints.investigate_complaint(c.id, "NOT_SUBSTANTIATED", "无", "admin"),
        lambda: complaints.dispose_complaint(c.id, ["解释"], "admin"),
    ]
    for step in steps:
        step()
        before = complaints.recorder.max_notification_id()
        with pytest.raises(ComplaintNotRepliedError) as raised:
            complaints.archive_complaint(c.id, "admin")
        assert raised.value.code == "CONFLICT"
        assert complaints.recorder.max_notification_id() == before


def test_an_archived_complaint_is_final(complaints):
    c = complaints.receive_complaint(ANONYMOUS, "staff-1")
    complaints.reject_complaint(c.id, "OUT_OF_SCOPE", "非本大厅事项", "admin")
    complaints.archive_complaint(c.id, "admin")
    before = complaints.recorder.max_notification_id()
    for act in (
        lambda: complaints.archive_complaint(c.id, "admin"),
        lambda: complaints.reopen_complaint(c.id, "x", "admin"),
        lambda: complaints.withdraw_complaint(c.id, "", "staff-1", as_complainant=False),
    ):
        with pytest.raises(ComplaintStateError):
            act()
    assert complaints.recorder.max_notification_id() == before


ILLEGAL = [
    # (steps to reach the state, the illegal command)
    ([], "assign"),
    ([], "investigate"),
    ([], "dispose"),
    ([], "extend"),
    ([], "reply"),
    ([], "follow_up"),
    ([], "reopen"),
    (["accept"], "accept"),
    (["accept"], "reject"),
    (["accept"], "dispose"),
    (["accept"], "reply"),
    (["accept", "investigate"], "assign"),
    (["accept", "investigate"], "investigate"),
    (["accept", "investigate"], "reply"),
    (["accept", "investigate", "dispose"], "dispose"),
    (["accept", "investigate", "dispose"], "follow_up"),
    (["accept", "investigate", "dispose", "reply"], "withdraw"),
    (["accept", "investigate", "dispose", "reply"], "extend"),
    (["accept", "investigate", "dispose", "reply"], "reply"),
    (["accept", "investigate", "dispose", "reply", "follow_up"], "follow_up"),
    (["reject"], "accept"),
    (["reject"], "withdraw"),
    (["withdraw"], "accept"),
    (["withdraw"], "reject"),
]


@pytest.mark.parametrize(("steps", "command"), ILLEGAL)
def test_an_illegal_transition_is_refused_and_records_nothing(complaints, steps, command):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    act = {
        "accept": lambda: complaints.accept_complaint(c.id, "INTERVENTION", "admin"),
        "reject": lambda: complaints.reject_complaint(c.id, "OUT_OF_SCOPE", "x", "admin"),
        "withdraw": lambda: complaints.withdraw_complaint(c.id, "", "a-1", as_complainant=True),
        "assign": lambda: complaints.assign_complaint(c.id, "S009", "admin"),
        "investigate": lambda: complaints.investigate_complaint(
            c.id, "NOT_SUBSTANTIATED", "无", "admin"
        ),
        "dispose": lambda: complaints.dispose_complaint(c.id, ["解释"], "admin"),
        "extend": lambda: complaints.extend_complaint_deadline(c.id, 2, "复杂", "admin"),
        "reply": lambda: complaints.reply_to_complaint(c.id, "答复", "admin"),
        "follow_up": lambda: complaints.follow_up_complaint(c.id, True, "", "admin"),
        "reopen": lambda: complaints.reopen_complaint(c.id, "再查", "admin"),
    }
    for step in steps:
        act[step]()
    before = complaints.recorder.max_notification_id()
    with pytest.raises(ComplaintStateError):
        act[command]()
    assert complaints.recorder.max_notification_id() == before


def test_an_anonymous_complaint_has_nobody_to_follow_up(complaints):
    c = complaints.receive_complaint(ANONYMOUS, "staff-1")
    complaints.accept_complaint(c.id, "ON_THE_SPOT", "admin")
    complaints.investigate_complaint(c.id, "SUBSTANTIATED", "属实", "admin")
    complaints.dispose_complaint(c.id, ["增设引导员"], "admin")
    complaints.reply_to_complaint(c.id, "已增设引导员", "admin")
    with pytest.raises(ComplaintStateError):
        complaints.follow_up_complaint(c.id, True, "", "admin")
    assert complaints.archive_complaint(c.id, "admin").status is ComplaintStatus.ARCHIVED


@pytest.mark.parametrize(
    "details",
    [
        ComplaintDetails(channel="FAX", facts="x", anonymous=True),
        ComplaintDetails(channel="ONLINE", facts="  ", anonymous=True),
        ComplaintDetails(channel="ONLINE", facts="x" * 5001, anonymous=True),
        ComplaintDetails(channel="ONLINE", facts="x", anonymous=True, complainant_name="张三"),
        ComplaintDetails(channel="ONLINE", facts="x", anonymous=True, applicant_id="a-1"),
        ComplaintDetails(channel="ONLINE", facts="x", applicant_id="a-1"),  # real name, no name
        ComplaintDetails(channel="ONLINE", facts="x", applicant_id="a 1", complainant_name="张三"),
        ComplaintDetails(
            channel="ONLINE",
            facts="x",
            applicant_id="a-1",
            complainant_name="张三",
            complainant_phone="call me",
        ),
        ComplaintDetails(channel="ONLINE", facts="x", anonymous=True, respondent_window="W 1"),
        ComplaintDetails(channel="ONLINE", facts="x", anonymous=True, respondent_badge="S_1"),
        ComplaintDetails(channel="ONLINE", facts="x", anonymous=True, evidence=[""]),
        ComplaintDetails(channel="ONLINE", facts="x", anonymous=True, evidence=["f"] * 21),
    ],
)
def test_invalid_complaints_are_refused(complaints, details):
    before = complaints.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        complaints.receive_complaint(details, "a-1")
    assert complaints.recorder.max_notification_id() == before


def test_a_real_name_complaint_without_an_applicant_id_gets_a_new_one(complaints):
    """Staff register a caller without an account as they register a walk-in's case."""
    details = ComplaintDetails(channel="PHONE", facts="x", complainant_name="张三")
    first = complaints.receive_complaint(details, "S001")
    second = complaints.receive_complaint(details, "S001")
    assert first.applicant_id.startswith("walk-in-")
    assert not first.anonymous
    assert second.applicant_id.startswith("walk-in-")
    assert second.applicant_id != first.applicant_id
    anonymous = complaints.receive_complaint(
        ComplaintDetails(channel="PHONE", facts="x", anonymous=True), "S001"
    )
    assert anonymous.applicant_id == ""


@pytest.mark.parametrize(
    ("accepted", "command"),
    [
        (False, lambda app, cid: app.accept_complaint(cid, "SOMETIME", "admin")),
        (True, lambda app, cid: app.extend_complaint_deadline(cid, 0, "x", "admin")),
        (True, lambda app, cid: app.extend_complaint_deadline(cid, 31, "x", "admin")),
        (True, lambda app, cid: app.extend_complaint_deadline(cid, 2, " ", "admin")),
        (True, lambda app, cid: app.investigate_complaint(cid, "MAYBE", "x", "admin")),
        (True, lambda app, cid: app.assign_complaint(cid, "", "admin")),
    ],
)
def test_invalid_input_to_a_command_is_refused(complaints, accepted, command):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    if accepted:
        complaints.accept_complaint(c.id, "INTERVENTION", "admin")
    before = complaints.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        command(complaints, c.id)
    assert complaints.recorder.max_notification_id() == before


def test_disposing_needs_a_measure(complaints):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    complaints.accept_complaint(c.id, "INTERVENTION", "admin")
    complaints.investigate_complaint(c.id, "NOT_SUBSTANTIATED", "无", "admin")
    with pytest.raises(ValidationError):
        complaints.dispose_complaint(c.id, [], "admin")


def test_another_halls_complaint_is_not_found(hall_apps, complaints, clock):
    c = complaints.receive_complaint(REAL_NAME, "a-1")
    hall_apps(HallRegistry, "h2").register_hall("二号大厅", "", "op")
    from services.complaints import ComplaintService

    other = hall_apps(ComplaintService, "h2")
    with pytest.raises(ComplaintNotFoundError) as raised:
        other.accept_complaint(c.id, "REFERRED", "admin")
    assert raised.value.code == "NOT_FOUND"


def test_complaints_need_a_registered_hall(hall_apps):
    from services.complaints import ComplaintService

    with pytest.raises(HallNotRegisteredError):
        hall_apps(ComplaintService, "nohall").receive_complaint(REAL_NAME, "a-1")
