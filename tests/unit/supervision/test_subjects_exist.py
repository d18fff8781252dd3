"""Supervision points only at what the hall has: a badge number onboarded, a window
configured, an item published. Anything else is NOT_FOUND and records nothing."""

from __future__ import annotations

from datetime import date

import pytest

from services.catalog import CatalogService
from services.shared import ValidationError
from services.staff import StaffService
from services.supervision import (
    FindingDetails,
    InterviewDetails,
    SupervisionSubjectNotFoundError,
    ViolationDetails,
)

TODAY = date(2026, 9, 30)


def _finding(window_code: str = "", staff_badge: str = "") -> FindingDetails:
    return FindingDetails("DISCIPLINE", "脱岗", window_code=window_code, staff_badge=staff_badge)


def _score(scope: str, subject: str):
    def command(app):
        a = app.open_assessment("2026-09", scope, "", "sup-1")
        return lambda: app.record_assessment_score(a.id, subject, 80.0, "", "sup-1")

    return command


def _inspected(finding: FindingDetails):
    def command(app):
        i = app.record_inspection("UNANNOUNCED", TODAY, ["W01"], ["sup-1"], "sup-1")
        return lambda: app.record_inspection_finding(i.id, finding, "sup-1")

    return command


def _at_once(call):
    return lambda app: lambda: call(app)


UNKNOWN = {
    "violation of badge S404": _at_once(
        lambda app: app.record_conduct_violation(
            ViolationDetails("S404", "DISCIPLINE", "脱岗", TODAY, points=5), "sup-1"
        )
    ),
    "inspection of window W404": _at_once(
        lambda app: app.record_inspection("ANNOUNCED", TODAY, ["W01", "W404"], ["sup-1"], "s")
    ),
    "finding at window W404": _inspected(_finding(window_code="W404")),
    "finding about badge S404": _inspected(_finding(window_code="W01", staff_badge="S404")),
    "window score of W404": _score("WINDOW", "W404"),
    "staff score of S404": _score("STAFF", "S404"),
    "staff score of window W01": _score("STAFF", "W01"),
    "item score of X404": _score("ITEM", "X404"),
    "interview of badge S404": _at_once(
        lambda app: app.schedule_interview(InterviewDetails("STAFF", "S404", "违规", TODAY), "s")
    ),
    "interview of window W404": _at_once(
        lambda app: app.schedule_interview(InterviewDetails("WINDOW", "W404", "末位", TODAY), "s")
    ),
}


@pytest.mark.parametrize("prepare", list(UNKNOWN.values()), ids=list(UNKNOWN))
def test_a_subject_the_hall_does_not_have_is_not_found(supervision, prepare):
    command = prepare(supervision)
    before = supervision.recorder.max_notification_id()
    with pytest.raises(SupervisionSubjectNotFoundError) as refused:
        command()
    assert refused.value.code == "NOT_FOUND"
    assert supervision.recorder.max_notification_id() == before


def test_a_malformed_code_stays_a_validation_error(supervision):
    with pytest.raises(ValidationError):
        supervision.record_conduct_violation(
            ViolationDetails("S_1", "DISCIPLINE", "脱岗", TODAY), "sup-1"
        )


def test_a_subject_that_left_since_can_still_be_supervised(hall_apps, hall, supervision):
    """Supervision looks back: an offboarded member, a withdrawn item are still the hall's."""
    hall_apps(StaffService, hall).offboard_staff("S002", "调离", "admin")
    hall_apps(CatalogService, hall).withdraw_service_item("BDB-001", "停办", "admin")
    v = supervision.record_conduct_violation(
        ViolationDetails("S002", "DISCIPLINE", "脱岗", TODAY), "sup-1"
    )
    assert v.staff_badge == "S002"
    a = supervision.open_assessment("2026-09", "ITEM", "", "sup-1")
    assert supervision.record_assessment_score(a.id, "BDB-001", 90.0, "", "sup-1").scores == {
        "BDB-001": 90.0
    }


def test_known_subjects_are_recorded(supervision):
    i = supervision.record_inspection("ANNOUNCED", TODAY, ["W01", "W02"], ["sup-1"], "sup-1")
    i = supervision.record_inspection_finding(i.id, _finding("W02", "S001"), "sup-1")
    assert i.findings == 1
    for kind, who in [("STAFF", "S001"), ("WINDOW", "W02"), ("DEPARTMENT", "市场监管局")]:
        interview = supervision.schedule_interview(InterviewDetails(kind, who, "x", TODAY), "s")
        assert interview.interviewee == who
