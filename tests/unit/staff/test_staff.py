"""Staff: posts at windows (AB岗), duty sign-in and sign-out, training records, offboarding."""

from __future__ import annotations

from datetime import date

import pytest

from services.places import WindowNotFoundError
from services.shared import ValidationError
from services.staff import (
    Post,
    StaffAlreadyAssignedError,
    StaffAlreadySignedInError,
    StaffMember,
    StaffNotAssignedError,
    StaffNotFoundError,
    StaffNotOnDutyError,
    StaffNotSignedInError,
    StaffOffboardedError,
    StaffOnDutyError,
    Training,
)
from tests.unit.queue.support import refused


def test_event_timestamps_come_from_the_injected_clock(staff, clock):
    """Every event is stamped with the service's clock at its command, not the wall clock."""
    moments = []

    def a_minute_later(command, *args):
        moments.append(clock.advance(minutes=1))
        return command(*args)

    member = a_minute_later(staff.onboard_staff, "S002", "李强", "AGENT", [], "admin")
    a_minute_later(staff.assign_to_window, "S002", "W1", "A", "admin")
    a_minute_later(staff.assign_to_window, "S002", "W2", "B", "admin")
    a_minute_later(staff.sign_in, "S002", "W1", "S002")
    a_minute_later(staff.sign_out, "S002", "S002")
    a_minute_later(staff.unassign_from_window, "S002", "W2", "admin")
    a_minute_later(staff.record_training, "S002", "帮办代办实务", 8, date(2026, 3, 1), "", "admin")
    a_minute_later(staff.offboard_staff, "S002", "调岗", "admin")
    assert [e.timestamp for e in staff.repository.event_store.get(member.id)] == moments


def test_assigns_a_and_b_posts_and_changes_a_post(staff):
    staff.onboard_staff("S002", "李强", "AGENT", [], "admin")
    staff.assign_to_window("S001", "W1", "A", "admin")
    staff.assign_to_window("S002", "W1", "B", "admin")  # S002 backs S001 up at W1
    staff.assign_to_window("S002", "W2", "A", "admin")
    assert staff.get_staff("S001").posts == {"W1": Post.A}
    assert staff.get_staff("S002").posts == {"W1": Post.B, "W2": Post.A}
    staff.assign_to_window("S002", "W1", "A", "admin")
    assert staff.get_staff("S002").posts["W1"] is Post.A
    assert (
        refused(
            staff, StaffAlreadyAssignedError, lambda: staff.assign_to_window("S002", "W1", "A", "a")
        )
        == "CONFLICT"
    )


@pytest.mark.parametrize(
    ("badge", "window", "post", "error"),
    [
        ("S001", "W9", "A", WindowNotFoundError),
        ("S001", "W1", "C", ValidationError),
        ("S404", "W1", "A", StaffNotFoundError),
    ],
)
def test_refuses_bad_assignments(staff, badge, window, post, error):
    refused(staff, error, lambda: staff.assign_to_window(badge, window, post, "admin"))


def test_signs_in_and_out_at_a_window_where_the_member_holds_a_post(staff, clock):
    staff.assign_to_window("S001", "W1", "B", "admin")
    signed_in = staff.sign_in("S001", "W1", "S001")
    assert signed_in.on_duty_window == "W1"
    signed_in.require_on_duty("W1")
    with pytest.raises(StaffNotOnDutyError):
        signed_in.require_on_duty("W2")
    clock.advance(hours=4)
    assert staff.sign_out("S001", "S001").on_duty_window == ""
    events = list(staff.events.get(StaffMember.create_id("h1", "S001")))
    in_, out = events[-2], events[-1]
    assert (in_.window_code, out.window_code) == ("W1", "W1")
    assert (out.signed_out_at - in_.signed_in_at).total_seconds() == 4 * 3600


def test_illegal_duty_changes_record_nothing(staff):
    assert (
        refused(staff, StaffNotAssignedError, lambda: staff.sign_in("S001", "W1", "a"))
        == "FORBIDDEN"
    )
    refused(staff, StaffNotSignedInError, lambda: staff.sign_out("S001", "a"))
    refused(staff, WindowNotFoundError, lambda: staff.sign_in("S001", "W9", "a"))
    staff.assign_to_window("S001", "W1", "A", "admin")
    staff.assign_to_window("S001", "W2", "A", "admin")
    staff.sign_in("S001", "W1", "a")
    refused(staff, StaffAlreadySignedInError, lambda: staff.sign_in("S001", "W2", "a"))
    refused(staff, StaffAlreadySignedInError, lambda: staff.sign_in("S001", "W1", "a"))
    refused(staff, StaffOnDutyError, lambda: staff.unassign_from_window("S001", "W1", "admin"))
    staff.unassign_from_window("S001", "W2", "admin")
    refused(staff, StaffNotAssignedError, lambda: staff.unassign_from_window("S001", "W2", "admin"))


def test_records_training_completed_on_or_before_today(staff):
    member = staff.record_training(
        "S001", "政务服务礼仪", 2.5, date(2026, 2, 27), "CERT-1", "admin"
    )
    assert member.trainings == [Training("政务服务礼仪", 2.5, "2026-02-27", "CERT-1")]
    staff.record_training("S001", "帮办代办实务", 8, date(2026, 3, 2), "", "admin")  # today
    assert len(staff.get_staff("S001").trainings) == 2


@pytest.mark.parametrize(
    ("course", "hours", "completed_on"),
    [
        ("", 2, date(2026, 3, 1)),
        ("礼仪", 0, date(2026, 3, 1)),
        ("礼仪", 1001, date(2026, 3, 1)),
        ("礼仪", 2, date(2026, 3, 3)),  # tomorrow in Beijing
    ],
)
def test_refuses_invalid_training_records(staff, course, hours, completed_on):
    refused(
        staff,
        ValidationError,
        lambda: staff.record_training("S001", course, hours, completed_on, "", "admin"),
    )


def test_offboards_a_signed_out_member_and_then_refuses_everything(staff):
    staff.assign_to_window("S001", "W1", "A", "admin")
    staff.sign_in("S001", "W1", "S001")
    refused(staff, StaffOnDutyError, lambda: staff.offboard_staff("S001", "调岗", "admin"))
    staff.sign_out("S001", "S001")
    refused(staff, ValidationError, lambda: staff.offboard_staff("S001", " ", "admin"))
    member = staff.offboard_staff("S001", "调往市中心", "admin")
    assert (member.offboarded, member.posts) == (True, {})
    with pytest.raises(StaffNotOnDutyError):
        member.require_on_duty("W1")
    for command in [
        lambda: staff.assign_to_window("S001", "W1", "A", "admin"),
        lambda: staff.sign_in("S001", "W1", "a"),
        lambda: staff.sign_out("S001", "a"),
        lambda: staff.record_training("S001", "x", 1, date(2026, 3, 1), "", "a"),
        lambda: staff.offboard_staff("S001", "again", "admin"),
        lambda: staff.unassign_from_window("S001", "W1", "admin"),
    ]:
        assert refused(staff, StaffOffboardedError, command) == "CONFLICT"


def test_commands_for_an_unknown_badge_are_not_found(staff):
    assert refused(staff, StaffNotFoundError, lambda: staff.sign_out("S404", "a")) == "NOT_FOUND"


@pytest.mark.parametrize("badge", ["S003\n", "S003 ", "\nS003"])
def test_a_badge_with_a_line_break_or_space_around_it_is_the_badge(staff, badge):
    """A trailing line break once passed a pattern ending in ``$``: S003 and a line break
    became a member of its own, whom no search for S003 finds. Badges are canonical now
    (tests/unit/staff/test_badge_case.py): it is S003, found as S003."""
    member = staff.onboard_staff(badge, "李强", "AGENT", [], "a")
    assert staff.get_staff("S003").id == member.id
    assert member.badge_number == "S003"
