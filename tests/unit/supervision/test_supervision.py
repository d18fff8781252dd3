"""Supervision: inspections (明察暗访) and their rectifications, conduct violations,
assessments and rankings, interviews (约谈), improvement actions."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.rectifications import Rectification, RectificationSource, RectificationStatus
from services.shared import ValidationError
from services.supervision import (
    AssessmentExistsError,
    FindingDetails,
    InterviewDetails,
    InterviewStatus,
    SupervisionNotFoundError,
    SupervisionStateError,
    ViolationDetails,
)

TODAY = date(2026, 9, 30)
ABSENT = FindingDetails(
    category="DISCIPLINE", description="W01 窗口脱岗 20 分钟", window_code="W01", staff_badge="S001"
)
DIRTY = FindingDetails(
    category="ENVIRONMENT", description="等候区地面不洁", rectification_required=False
)


def test_event_timestamps_come_from_the_injected_clock(supervision, rectifications, clock):
    """Every event is stamped with the service's clock at its command, not the wall clock."""
    moments: list = []

    def a_minute_later(command, *args):
        clock.advance(minutes=1)
        moments.append(clock.now)
        return command(*args)

    def stamps(record) -> list:
        return [e.timestamp for e in supervision.repository.event_store.get(record.id)]

    i = a_minute_later(supervision.record_inspection, "ANNOUNCED", TODAY, ["W01"], ["sup-1"], "s")
    a_minute_later(supervision.record_inspection_finding, i.id, ABSENT, "s")
    a_minute_later(supervision.close_inspection, i.id, "发现问题 1 项", "s")
    assert stamps(i) == moments
    opened = Rectification.create_id("h1", "INSPECTION", f"{i.id}#1")
    assert [e.timestamp for e in rectifications.repository.event_store.get(opened)] == [moments[1]]

    moments.clear()
    details = ViolationDetails("S001", "LANGUAGE", "服务用语生硬", TODAY, 2)
    v = a_minute_later(supervision.record_conduct_violation, details, "s")
    a_minute_later(supervision.dismiss_conduct_violation, v.id, "误记", "s")
    assert stamps(v) == moments

    moments.clear()
    a = a_minute_later(supervision.open_assessment, "2026-09", "WINDOW", "好评率", "s")
    a_minute_later(supervision.record_assessment_score, a.id, "W01", 97.5, "", "s")
    a_minute_later(supervision.publish_ranking, a.id, "s")
    assert stamps(a) == moments

    moments.clear()
    held = InterviewDetails("WINDOW", "W03", "排名末位", date(2026, 10, 9))
    cancelled = InterviewDetails("WINDOW", "W04", "排名末位", date(2026, 10, 9))
    held = a_minute_later(supervision.schedule_interview, held, "s")
    cancelled = a_minute_later(supervision.schedule_interview, cancelled, "s")
    a_minute_later(supervision.hold_interview, held.id, "已约谈", ["两周内整改"], "s")
    a_minute_later(supervision.cancel_interview, cancelled.id, "问题已解决", "s")
    assert stamps(held) + stamps(cancelled) == [moments[0], moments[2], moments[1], moments[3]]

    moments.clear()
    action = a_minute_later(
        supervision.open_improvement_action, "优化叫号", "ASSESSMENT", "", "admin-1", 5, "s"
    )
    a_minute_later(supervision.complete_improvement_action, action.id, "已优化", "admin-1")
    assert stamps(action) == moments


def test_an_unannounced_inspection_with_findings_opens_rectifications(supervision, rectifications):
    i = supervision.record_inspection("UNANNOUNCED", TODAY, ["W01", "W02"], ["sup-1"], "sup-1")
    before = supervision.recorder.max_notification_id()
    i = supervision.record_inspection_finding(i.id, ABSENT, "sup-1")
    assert supervision.recorder.max_notification_id() == before + 2
    r = rectifications.get_rectification(Rectification.create_id("h1", "INSPECTION", f"{i.id}#1"))
    assert (r.source, r.status, r.window_code, r.staff_badge, r.summary) == (
        RectificationSource.INSPECTION,
        RectificationStatus.OPEN,
        "W01",
        "S001",
        "W01 窗口脱岗 20 分钟",
    )
    assert r.verification_due_on == date(2026, 10, 8)
    i = supervision.record_inspection_finding(i.id, DIRTY, "sup-1")
    assert (i.findings, i.rectifications_required) == (2, 1)
    assert supervision.recorder.max_notification_id() == before + 3
    i = supervision.close_inspection(i.id, "发现问题 2 项", "sup-1")
    assert i.closed
    with pytest.raises(SupervisionStateError):
        supervision.record_inspection_finding(i.id, DIRTY, "sup-1")
    with pytest.raises(SupervisionStateError):
        supervision.close_inspection(i.id, "again", "sup-1")


@pytest.mark.parametrize(
    ("kind", "day", "windows", "inspectors"),
    [
        ("SECRET", TODAY, [], ["sup-1"]),
        ("ANNOUNCED", date(2026, 10, 1), [], ["sup-1"]),  # in the future
        ("ANNOUNCED", TODAY, [], []),  # nobody inspected
        ("ANNOUNCED", TODAY, ["W 1"], ["sup-1"]),
    ],
)
def test_invalid_inspections_are_refused(supervision, kind, day, windows, inspectors):
    before = supervision.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        supervision.record_inspection(kind, day, windows, inspectors, "sup-1")
    assert supervision.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "finding",
    [
        FindingDetails(category="VIBES", description="x"),
        FindingDetails(category="ORDER", description=" "),
        FindingDetails(category="ORDER", description="x", window_code="W 1"),
        FindingDetails(category="ORDER", description="x", staff_badge="S_1"),
    ],
)
def test_invalid_findings_are_refused(supervision, finding):
    i = supervision.record_inspection("ANNOUNCED", TODAY, [], ["sup-1"], "sup-1")
    before = supervision.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        supervision.record_inspection_finding(i.id, finding, "sup-1")
    assert supervision.recorder.max_notification_id() == before


def test_a_conduct_violation_is_recorded_and_can_be_dismissed(supervision):
    i = supervision.record_inspection("UNANNOUNCED", TODAY, ["W01"], ["sup-1"], "sup-1")
    details = ViolationDetails("S001", "LANGUAGE", "服务用语生硬", TODAY, 2, i.id)
    v = supervision.record_conduct_violation(details, "sup-1")
    assert (v.staff_badge, v.points, v.inspection_id, v.dismissed) == ("S001", 2, str(i.id), False)
    v = supervision.dismiss_conduct_violation(v.id, "录像显示为误记", "sup-1")
    assert v.dismissed
    before = supervision.recorder.max_notification_id()
    with pytest.raises(SupervisionStateError):
        supervision.dismiss_conduct_violation(v.id, "again", "sup-1")
    assert supervision.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "details",
    [
        ViolationDetails("", "LANGUAGE", "x", TODAY),
        ViolationDetails("S001", "RUDENESS", "x", TODAY),
        ViolationDetails("S001", "LANGUAGE", "", TODAY),
        ViolationDetails("S001", "LANGUAGE", "x", TODAY, points=101),
        ViolationDetails("S001", "LANGUAGE", "x", date(2026, 10, 2)),
    ],
)
def test_invalid_violations_are_refused(supervision, details):
    with pytest.raises(ValidationError):
        supervision.record_conduct_violation(details, "sup-1")


def test_a_violation_of_an_unknown_inspection_is_refused(supervision):
    details = ViolationDetails("S001", "LANGUAGE", "x", TODAY, inspection_id=uuid.uuid4())
    with pytest.raises(SupervisionNotFoundError):
        supervision.record_conduct_violation(details, "sup-1")


def test_a_monthly_window_ranking(supervision):
    a = supervision.open_assessment("2026-09", "WINDOW", "好评率、按时办结率", "sup-1")
    assert a.id == supervision.assessment_id("WINDOW", "2026-09")
    for code, score in [("W01", 97.5), ("W02", 99.0), ("W03", 90.0), ("W04", 97.5)]:
        supervision.record_assessment_score(a.id, code, score, "", "sup-1")
    supervision.record_assessment_score(a.id, "W03", 95.0, "复核后更正", "sup-1")
    a = supervision.publish_ranking(a.id, "sup-1")
    assert a.ranking == [
        {"subject": "W02", "score": 99.0, "rank": 1},
        {"subject": "W01", "score": 97.5, "rank": 2},
        {"subject": "W04", "score": 97.5, "rank": 2},
        {"subject": "W03", "score": 95.0, "rank": 4},
    ]
    published = list(supervision.repository.event_store.get(a.id))[-1]
    assert published.ranking == a.ranking
    before = supervision.recorder.max_notification_id()
    with pytest.raises(SupervisionStateError):
        supervision.record_assessment_score(a.id, "W05", 80.0, "", "sup-1")
    with pytest.raises(SupervisionStateError):
        supervision.publish_ranking(a.id, "sup-1")
    assert supervision.recorder.max_notification_id() == before


def test_an_assessment_is_opened_once_per_scope_and_period(supervision):
    supervision.open_assessment("2026-09", "WINDOW", "", "sup-1")
    with pytest.raises(AssessmentExistsError):
        supervision.open_assessment("2026-09", "WINDOW", "", "sup-1")
    supervision.open_assessment("2026-09", "STAFF", "", "sup-1")
    supervision.open_assessment("2026-Q3", "WINDOW", "", "sup-1")


def test_an_empty_assessment_cannot_be_ranked(supervision):
    a = supervision.open_assessment("2026", "ITEM", "", "sup-1")
    with pytest.raises(SupervisionStateError):
        supervision.publish_ranking(a.id, "sup-1")


@pytest.mark.parametrize(
    ("period", "scope"), [("2026-13", "WINDOW"), ("26-09", "WINDOW"), ("2026-09", "REGION")]
)
def test_invalid_assessments_are_refused(supervision, period, scope):
    with pytest.raises(ValidationError):
        supervision.open_assessment(period, scope, "", "sup-1")


@pytest.mark.parametrize(
    ("subject", "score"), [("W 1", 90.0), ("W01", 100.5), ("W01", -1.0), ("W01", float("nan"))]
)
def test_invalid_scores_are_refused(supervision, subject, score):
    a = supervision.open_assessment("2026-09", "WINDOW", "", "sup-1")
    before = supervision.recorder.max_notification_id()
    with pytest.raises(ValidationError):
        supervision.record_assessment_score(a.id, subject, score, "", "sup-1")
    assert supervision.recorder.max_notification_id() == before


def test_an_interview_is_scheduled_and_held(supervision):
    details = InterviewDetails("WINDOW", "W03", "连续两个月排名末位", date(2026, 10, 9), "a-1")
    i = supervision.schedule_interview(details, "sup-1")
    assert (i.status, i.scheduled_on) == (InterviewStatus.SCHEDULED, date(2026, 10, 9))
    i = supervision.hold_interview(i.id, "已约谈窗口负责人", ["两周内完成整改"], "sup-1")
    assert i.status is InterviewStatus.HELD
    for act in (
        lambda: supervision.hold_interview(i.id, "again", [], "sup-1"),
        lambda: supervision.cancel_interview(i.id, "late", "sup-1"),
    ):
        with pytest.raises(SupervisionStateError):
            act()


def test_an_interview_can_be_cancelled(supervision):
    details = InterviewDetails("DEPARTMENT", "市场监管局窗口", "投诉集中", TODAY)
    i = supervision.cancel_interview(
        supervision.schedule_interview(details, "sup-1").id, "问题已解决", "sup-1"
    )
    assert i.status is InterviewStatus.CANCELLED
    with pytest.raises(SupervisionStateError):
        supervision.hold_interview(i.id, "x", [], "sup-1")


@pytest.mark.parametrize(
    "details",
    [
        InterviewDetails("MAYOR", "x", "y", TODAY),
        InterviewDetails("STAFF", "S_1", "y", TODAY),
        InterviewDetails("WINDOW", "W01", "", TODAY),
        InterviewDetails("WINDOW", "W01", "y", date(2026, 9, 29)),  # in the past
    ],
)
def test_invalid_interviews_are_refused(supervision, details):
    with pytest.raises(ValidationError):
        supervision.schedule_interview(details, "sup-1")


def test_an_improvement_action_is_due_in_working_days(supervision, clock):
    a = supervision.open_improvement_action(
        "优化叫号规则", "ASSESSMENT", "2026-09", "admin-1", 5, "sup-1"
    )
    assert a.due_on == date(2026, 10, 13)
    clock.set(2026, 10, 14)
    a = supervision.complete_improvement_action(a.id, "已调整为优先级叫号", "admin-1")
    assert (a.completed, a.completed_on_time) == (True, False)
    with pytest.raises(SupervisionStateError):
        supervision.complete_improvement_action(a.id, "again", "admin-1")


@pytest.mark.parametrize(
    ("title", "source", "days"),
    [("", "OTHER", 5), ("x", "WHIM", 5), ("x", "OTHER", 0), ("x", "OTHER", 366)],
)
def test_invalid_improvement_actions_are_refused(supervision, title, source, days):
    with pytest.raises(ValidationError):
        supervision.open_improvement_action(title, source, "", "admin-1", days, "sup-1")


@pytest.mark.parametrize(
    "command",
    [
        lambda app, rid: app.close_inspection(rid, "x", "sup"),
        lambda app, rid: app.dismiss_conduct_violation(rid, "x", "sup"),
        lambda app, rid: app.publish_ranking(rid, "sup"),
        lambda app, rid: app.hold_interview(rid, "x", [], "sup"),
        lambda app, rid: app.complete_improvement_action(rid, "x", "sup"),
    ],
)
def test_unknown_records_are_not_found(supervision, command):
    with pytest.raises(SupervisionNotFoundError) as raised:
        command(supervision, uuid.uuid4())
    assert raised.value.code == "NOT_FOUND"


def test_a_record_of_another_kind_is_not_found(supervision):
    i = supervision.record_inspection("ANNOUNCED", TODAY, [], ["sup-1"], "sup-1")
    with pytest.raises(SupervisionNotFoundError):
        supervision.publish_ranking(i.id, "sup-1")
