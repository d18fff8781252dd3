"""Rectifications (整改): verification call, disposition, feedback, review, overdue."""

from __future__ import annotations

from datetime import date

import pytest

from services.complaints import ComplaintDetails
from services.halls import HallPolicies, HallRegistry
from services.rectifications import (
    DeadlineKind,
    Disposition,
    Rectification,
    RectificationNotFoundError,
    RectificationStateError,
    RectificationStatus,
)
from services.shared import ValidationError

S = RectificationStatus


@pytest.fixture
def opened(complaints, rectifications):
    """A rectification opened by a substantiated complaint on Wednesday 2026-09-30."""

    def make() -> Rectification:
        details = ComplaintDetails(
            channel="IN_PERSON",
            facts="态度生硬",
            applicant_id="a-1",
            complainant_name="张三",
            respondent_window="W01",
            respondent_badge="S001",
        )
        c = complaints.receive_complaint(details, "a-1")
        complaints.accept_complaint(c.id, "INTERVENTION", "admin")
        complaints.investigate_complaint(c.id, "SUBSTANTIATED", "属实", "admin")
        rid = Rectification.create_id("h1", "COMPLAINT", f"{c.id}#1")
        return rectifications.get_rectification(rid)

    return make


@pytest.fixture
def complaints(hall_apps, hall, clock):
    from services.complaints import ComplaintService

    app = hall_apps(ComplaintService, hall)
    app.clock = clock
    return app


def _names(app, r):
    return [type(e).__name__ for e in app.repository.event_store.get(r.id)]


def test_fixed_at_once_fed_back_and_closed(rectifications, opened):
    r = opened()
    assert (r.status, r.verification_due_on) == (S.OPEN, date(2026, 10, 8))
    r = rectifications.record_verification_call(r.id, True, "投诉人确认情况属实", "S002")
    assert (r.status, r.verified_on_time) == (S.VERIFIED, True)
    r = rectifications.fix_at_once(r.id, ["当面致歉", "批评教育"], "S002")
    assert (r.status, r.disposition) == (S.COMPLETED, Disposition.FIX_AT_ONCE)
    r = rectifications.feed_back(r.id, "PHONE", "已整改并致歉", "S002")
    r = rectifications.pass_review(r.id, "整改到位", "sup-1")
    assert r.status is S.CLOSED
    assert _names(rectifications, r) == [
        "Opened",
        "VerificationCalled",
        "FixedAtOnce",
        "FedBack",
        "ReviewPassed",
    ]


def test_a_ledger_entry_is_due_in_the_halls_working_days(rectifications, opened, clock):
    r = opened()
    rectifications.record_verification_call(r.id, True, "核实属实", "S002")
    r = rectifications.enter_ledger(r.id, ["调整窗口排班"], "S002")
    assert (r.status, r.due_on) == (S.IN_PROGRESS, date(2026, 10, 13))
    entered = list(rectifications.repository.event_store.get(r.id))[-1]
    assert (entered.working_days, entered.due_on) == (5, "2026-10-13")
    clock.set(2026, 10, 13, 23)
    r = rectifications.complete(r.id, ["已调整排班"], "S002")
    assert (r.status, r.completed_on_time) == (S.COMPLETED, True)


def test_the_ledger_limit_is_the_halls_policy(hall_apps, hall, rectifications, opened):
    hall_apps(HallRegistry, hall).change_policies(
        HallPolicies(rectification_working_days=15), "admin"
    )
    r = opened()
    rectifications.record_verification_call(r.id, True, "核实属实", "S002")
    assert rectifications.enter_ledger(r.id, ["整改"], "S002").due_on == date(2026, 10, 27)


def test_explained_then_reopened_at_review_then_closed(rectifications, opened):
    r = opened()
    rectifications.record_verification_call(r.id, False, "电话未接通，短信告知", "S002")
    r = rectifications.explain(r.id, "所需材料系法定要求", "S002")
    assert (r.status, r.disposition) == (S.COMPLETED, Disposition.EXPLANATION)
    rectifications.feed_back(r.id, "SMS", "已解释", "S002")
    r = rectifications.reopen(r.id, "解释不充分", "sup-1")
    assert (r.status, r.handling_round, r.disposition) == (S.VERIFIED, 2, None)
    rectifications.fix_at_once(r.id, ["补充书面说明"], "S002")
    rectifications.feed_back(r.id, "LETTER", "已书面说明", "S002")
    assert rectifications.pass_review(r.id, "", "sup-1").status is S.CLOSED


def _stamps(app, record_id) -> list:
    return [e.timestamp for e in app.repository.event_store.get(record_id)]


def test_event_timestamps_come_from_the_injected_clock(rectifications, opened, clock):
    """Every event is stamped with the service's clock at its command, not the wall clock:
    the ledger's times follow the timestamps."""
    r = opened()
    moments = [clock.now]

    def at_next_hour(command, *args):
        clock.advance(hours=1)
        moments.append(clock.now)
        return command(*args)

    at_next_hour(rectifications.record_verification_call, r.id, True, "核实", "S002")
    at_next_hour(rectifications.explain, r.id, "所需材料系法定要求", "S002")
    at_next_hour(rectifications.feed_back, r.id, "SMS", "已解释", "S002")
    at_next_hour(rectifications.reopen, r.id, "解释不充分", "sup-1")
    at_next_hour(rectifications.fix_at_once, r.id, ["补充书面说明"], "S002")
    at_next_hour(rectifications.feed_back, r.id, "LETTER", "已书面说明", "S002")
    at_next_hour(rectifications.pass_review, r.id, "", "sup-1")
    assert _stamps(rectifications, r.id) == moments

    ledger = opened()
    rectifications.record_verification_call(ledger.id, True, "核实", "S002")
    clock.advance(hours=1)
    rectifications.enter_ledger(ledger.id, ["整改"], "S002")
    assert _stamps(rectifications, ledger.id)[-1] == clock.now
    clock.advance(hours=1)
    rectifications.complete(ledger.id, ["完成"], "S002")
    assert _stamps(rectifications, ledger.id)[-1] == clock.now


def test_overdue_is_stamped_with_the_moment_of_the_check(rectifications, opened, clock):
    """The deadline scheduler passes its own ``now``: ``RectificationOverdue`` carries it,
    whatever the service's clock says; without ``now`` the service's clock stamps it."""
    by_scheduler, by_admin = opened(), opened()
    rectifications.record_verification_call(by_admin.id, True, "核实", "S002")
    rectifications.enter_ledger(by_admin.id, ["整改"], "S002")  # due 10-14
    scheduler_now = clock.now.replace(month=10, day=9, hour=0, minute=5)
    assert rectifications.mark_overdue(scheduler_now) == 1
    assert _stamps(rectifications, by_scheduler.id)[-1] == scheduler_now
    clock.set(2026, 10, 15)
    assert rectifications.mark_overdue() == 1
    assert _stamps(rectifications, by_admin.id)[-1] == clock.now


def test_a_late_verification_call_is_recorded_as_late(rectifications, opened, clock):
    r = opened()
    clock.set(2026, 10, 9)
    assert (
        rectifications.record_verification_call(r.id, True, "核实", "S002").verified_on_time
        is False
    )


def test_overdue_is_recorded_once_per_deadline_by_the_scheduled_command(
    rectifications, opened, clock
):
    r = opened()
    assert rectifications.mark_overdue() == 0  # due 10-08: not yet
    clock.set(2026, 10, 8, 23)
    assert rectifications.mark_overdue() == 0  # the due date itself is in time
    clock.set(2026, 10, 9, 0)
    assert rectifications.mark_overdue() == 1
    assert rectifications.mark_overdue() == 0  # recorded once
    r = rectifications.get_rectification(r.id)
    assert r.is_overdue
    overdue = list(rectifications.repository.event_store.get(r.id))[-1]
    assert isinstance(overdue, Rectification.Overdue)
    assert (overdue.deadline, overdue.due_on, overdue.detected_on, overdue.actor) == (
        "VERIFICATION",
        "2026-10-08",
        "2026-10-09",
        "system",
    )
    rectifications.record_verification_call(r.id, True, "核实", "S002")
    r = rectifications.enter_ledger(r.id, ["整改"], "S002")  # due 5 working days from 10-09
    assert r.due_on == date(2026, 10, 15)
    assert not r.is_overdue
    clock.set(2026, 10, 16)
    assert rectifications.mark_overdue(clock.now) == 1
    r = rectifications.get_rectification(r.id)
    assert r.missed_deadline(date(2026, 10, 20)) is None
    assert r.is_overdue
    assert rectifications.complete(r.id, ["完成"], "S002").completed_on_time is False


def test_marking_overdue_checks_every_rectification_of_the_hall(rectifications, opened, clock):
    first, second = opened(), opened()
    rectifications.record_verification_call(second.id, True, "核实", "S002")
    clock.set(2026, 10, 12)
    assert rectifications.mark_overdue() == 1
    assert rectifications.get_rectification(first.id).is_overdue
    assert not rectifications.get_rectification(second.id).is_overdue


def test_a_closed_rectification_is_never_overdue(rectifications, opened, clock):
    r = opened()
    rectifications.record_verification_call(r.id, True, "核实", "S002")
    rectifications.fix_at_once(r.id, ["已改"], "S002")
    clock.set(2027, 1, 1)
    assert rectifications.mark_overdue() == 0
    assert rectifications.get_rectification(r.id).missed_deadline(date(2027, 1, 1)) is None
    assert DeadlineKind.VERIFICATION.value == "VERIFICATION"


ILLEGAL = [
    ([], "fix"),
    ([], "ledger"),
    ([], "explain"),
    ([], "complete"),
    ([], "feed_back"),
    ([], "pass"),
    ([], "reopen"),
    (["verify"], "verify"),
    (["verify"], "complete"),
    (["verify"], "feed_back"),
    (["verify"], "pass"),
    (["verify", "fix"], "fix"),
    (["verify", "fix"], "complete"),
    (["verify", "fix"], "pass"),
    (["verify", "fix"], "reopen"),
    (["verify", "ledger"], "feed_back"),
    (["verify", "ledger"], "explain"),
    (["verify", "fix", "feed_back"], "feed_back"),
    (["verify", "fix", "feed_back", "pass"], "reopen"),
    (["verify", "fix", "feed_back", "pass"], "pass"),
    (["verify", "fix", "feed_back", "pass"], "verify"),
]


@pytest.mark.parametrize(("steps", "command"), ILLEGAL)
def test_an_illegal_transition_is_refused_and_records_nothing(
    rectifications, opened, steps, command
):
    r = opened()
    act = {
        "verify": lambda: rectifications.record_verification_call(r.id, True, "核实", "S"),
        "fix": lambda: rectifications.fix_at_once(r.id, ["改"], "S"),
        "ledger": lambda: rectifications.enter_ledger(r.id, ["计划"], "S"),
        "explain": lambda: rectifications.explain(r.id, "解释", "S"),
        "complete": lambda: rectifications.complete(r.id, ["完成"], "S"),
        "feed_back": lambda: rectifications.feed_back(r.id, "PHONE", "反馈", "S"),
        "pass": lambda: rectifications.pass_review(r.id, "", "sup"),
        "reopen": lambda: rectifications.reopen(r.id, "不到位", "sup"),
    }
    for step in steps:
        act[step]()
    before = rectifications.recorder.max_notification_id()
    with pytest.raises(RectificationStateError) as raised:
        act[command]()
    assert raised.value.code == "CONFLICT"
    assert rectifications.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    ("verified", "command"),
    [
        (False, lambda app, rid: app.record_verification_call(rid, True, " ", "S")),
        (True, lambda app, rid: app.fix_at_once(rid, [], "S")),
        (True, lambda app, rid: app.fix_at_once(rid, [""], "S")),
        (True, lambda app, rid: app.explain(rid, "", "S")),
        (True, lambda app, rid: app.enter_ledger(rid, ["x"] * 21, "S")),
    ],
)
def test_invalid_input_is_refused(rectifications, opened, verified, command):
    r = opened()
    if verified:
        rectifications.record_verification_call(r.id, True, "核实", "S")
    before = rectifications.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        command(rectifications, r.id)
    assert rectifications.recorder.max_notification_id() == before


def test_an_unknown_feedback_method_is_refused(rectifications, opened):
    r = opened()
    rectifications.record_verification_call(r.id, True, "核实", "S")
    rectifications.fix_at_once(r.id, ["改"], "S")
    with pytest.raises(ValidationError):
        rectifications.feed_back(r.id, "PIGEON", "x", "S")


def test_an_unknown_rectification_is_not_found(rectifications):
    import uuid

    with pytest.raises(RectificationNotFoundError) as raised:
        rectifications.fix_at_once(uuid.uuid4(), ["x"], "S")
    assert raised.value.code == "NOT_FOUND"


def test_an_unknown_source_is_refused():
    from datetime import UTC, datetime

    from services.shared.working_days import WorkingDayCalendar

    with pytest.raises(ValidationError):
        Rectification.open(
            hall_id="h1",
            source="GOSSIP",
            source_id="x",
            applicant_id="",
            window_code="",
            staff_badge="",
            summary="x",
            now=datetime(2026, 5, 6, tzinfo=UTC),
            calendar=WorkingDayCalendar(),
            policies=HallPolicies(),
            actor="sup",
        )
