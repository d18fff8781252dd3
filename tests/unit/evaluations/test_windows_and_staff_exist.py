"""An invitation names only the hall's own window and staff: a window configured in the
hall, a member onboarded and not offboarded. Anything else is NOT_FOUND and records nothing
(so no rating, default or rectification ever points at it)."""

from __future__ import annotations

import pytest

from services.evaluations import Invitation, WindowOrStaffNotFoundError
from services.halls import HallRegistry
from services.places import PlacesService
from services.shared import ValidationError
from services.staff import StaffService


def _visit(window_code: str = "", staff_badge: str = "") -> Invitation:
    return Invitation("VISIT", "T-9", "OFFLINE", "a-1", window_code, staff_badge)


def _refused(evaluations, invitation: Invitation) -> None:
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(WindowOrStaffNotFoundError) as refused:
        evaluations.invite_evaluation(invitation, "S001")
    assert refused.value.code == "NOT_FOUND"
    assert evaluations.recorder.max_notification_id() == before
    assert evaluations.get_or_none(evaluations.evaluation_id("VISIT", "T-9")) is None


@pytest.mark.parametrize(
    "invitation",
    [
        _visit(window_code="W404"),
        _visit(staff_badge="S404"),
        _visit(window_code="W404", staff_badge="S001"),
        _visit(window_code="W01", staff_badge="S404"),
    ],
    ids=["window never configured", "badge never onboarded", "bad window", "bad badge"],
)
def test_an_unknown_window_or_badge_takes_no_invitation(evaluations, invitation):
    _refused(evaluations, invitation)


def test_a_window_or_badge_of_another_hall_takes_no_invitation(hall_apps, evaluations):
    hall_apps(HallRegistry, "h2").register_hall("二号大厅", "苏州", "op")
    hall_apps(PlacesService, "h2").configure_window("W02", "窗口二", "COMPREHENSIVE", [], "a")
    hall_apps(StaffService, "h2").onboard_staff("S002", "员工二", "WINDOW_STAFF", [], "a")
    _refused(evaluations, _visit(window_code="W02"))
    _refused(evaluations, _visit(staff_badge="S002"))


def test_an_offboarded_member_takes_no_invitation(hall_apps, evaluations):
    hall_apps(StaffService, "h1").offboard_staff("S001", "调离", "admin")
    _refused(evaluations, _visit(window_code="W01", staff_badge="S001"))


def test_the_hall_s_window_and_member_are_recorded_on_the_invitation(evaluations):
    e = evaluations.invite_evaluation(_visit(window_code="W01", staff_badge="S001"), "S001")
    assert (e.evaluation.window_code, e.evaluation.staff_badge) == ("W01", "S001")


def test_a_closed_window_still_takes_invitations(evaluations):
    """A window is closed at the end of the day (and when configured): visits it served are
    rated after."""
    e = evaluations.invite_evaluation(_visit(window_code="W01"), "S001")
    assert e.evaluation.window_code == "W01"


@pytest.mark.parametrize("field", ["window_code", "staff_badge"])
def test_a_malformed_window_code_or_badge_stays_a_validation_error(evaluations, field):
    before = evaluations.recorder.max_notification_id()
    with pytest.raises(ValidationError) as refused:
        evaluations.invite_evaluation(_visit(**{field: "W 404"}), "S001")
    assert refused.value.code == "VALIDATION"
    assert evaluations.recorder.max_notification_id() == before
