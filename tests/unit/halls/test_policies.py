"""A hall's policies: changing some of them, strict checks of new input, tolerant reading of
recorded values."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts import event_type_for_topic, to_payload, validate_payload
from services.complaints import ComplaintDetails, ComplaintService
from services.halls import (
    CallRule,
    Hall,
    HallPolicies,
    HallPoliciesUnchangedError,
    HallRegistry,
    MissedNumberPolicy,
)
from services.shared import ValidationError
from services.store import decode


@pytest.fixture
def registry(hall_apps) -> HallRegistry:
    registry = hall_apps(HallRegistry, "h1")
    registry.register_hall("一号大厅", "沈阳", "op")
    return registry


def test_amending_changes_the_named_policies_and_keeps_the_others(registry):
    policies, position = registry.amend_policies({"rectification_working_days": 15}, "admin")
    assert policies == HallPolicies(rectification_working_days=15)
    assert position == registry.recorder.max_notification_id()
    policies, _ = registry.amend_policies(
        {"missed_number_policy": "REQUEUE", "call_rule": CallRule.LONGEST_WAITING}, "admin"
    )
    expected = HallPolicies(
        rectification_working_days=15,
        missed_number_policy=MissedNumberPolicy.REQUEUE,
        call_rule=CallRule.LONGEST_WAITING,
    )
    assert policies == expected
    assert registry.get_hall().policies == expected
    recorded = registry.repository.event_store.get(Hall.create_id("h1"))
    assert [type(e).__name__ for e in recorded] == [
        "Registered",
        "PoliciesChanged",
        "PoliciesChanged",
    ]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({}, ValidationError),
        ({"rectification_working_days": 5}, HallPoliciesUnchangedError),
        ({"call_rule": "PRIORITY_THEN_LONGEST_WAITING"}, HallPoliciesUnchangedError),
        ({"rectification_working_days": 0}, ValidationError),
        ({"waiting_target_minutes": 366}, ValidationError),
        ({"rectification_working_days": True}, ValidationError),
        ({"rectification_working_days": "15"}, ValidationError),
        ({"rectification_working_days": 15.0}, ValidationError),
        ({"missed_number_policy": "SHOUT"}, ValidationError),
        ({"missed_number_policy": 1}, ValidationError),
        ({"call_rule": ["LONGEST_WAITING"]}, ValidationError),
        ({"no_such_policy": 1}, ValidationError),
    ],
)
def test_a_refused_change_records_nothing(registry, changes, error):
    before = registry.recorder.max_notification_id()
    with pytest.raises(error):
        registry.amend_policies(changes, "admin")
    assert registry.recorder.max_notification_id() == before
    assert registry.get_hall().policies == HallPolicies()


def test_an_unchanged_change_is_a_validation_error_after_a_change_too(registry):
    registry.amend_policies({"complaint_complex_working_days": 10}, "admin")
    with pytest.raises(HallPoliciesUnchangedError) as refused:
        registry.amend_policies({"complaint_complex_working_days": 10}, "admin")
    assert refused.value.code == "VALIDATION"


def test_setting_up_a_hall_with_the_policies_it_has_records_nothing(registry):
    before = registry.recorder.max_notification_id()
    registry.change_policies(HallPolicies(), "seed")
    assert registry.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "values",
    [
        {"unrated_default_days": True},
        {"verification_call_working_days": False},
        {"complaint_simple_working_days": "1"},
        {"materials_notice_working_days": None},
        {"missed_number_defer_places": 2.5},
        {"missed_number_policy": "KEEP"},  # the constructor takes the enum, not its value
        {"call_rule": None},
        {"invite_served_visits": 1},  # a switch: true or false, not a number
        {"invite_served_visits": "true"},
    ],
)
def test_policies_of_the_wrong_type_are_refused(values: dict[str, Any]):
    with pytest.raises(ValidationError):
        HallPolicies(**values)


def test_stored_policies_a_later_version_removed_are_ignored_when_read():
    stored = {**HallPolicies(waiting_target_minutes=20).to_dict(), "retired_policy": 4}
    assert HallPolicies.from_stored(stored) == HallPolicies(waiting_target_minutes=20)
    with pytest.raises(ValidationError, match="unknown policies: retired_policy"):
        HallPolicies.from_dict(stored)  # new input is still checked strictly


def test_a_hall_whose_log_names_a_removed_policy_keeps_working(hall_apps, registry):
    """A ``HallPoliciesChanged`` recorded by a version that had a policy this one lacks:
    the hall's policies read without it, and commands that start from them still run."""
    hall = registry.get_hall()
    recorded = {**HallPolicies(complaint_complex_working_days=10).to_dict(), "retired": 2}
    hall._policies_changed(recorded, "admin-of-a-later-version", timestamp=registry.clock())
    registry.save(hall)

    assert registry.get_hall().policies == HallPolicies(complaint_complex_working_days=10)
    complaints = hall_apps(ComplaintService, "h1")
    complaint = complaints.receive_complaint(
        ComplaintDetails(channel="IN_PERSON", facts="等候过久", anonymous=True), "a-1"
    )
    complaints.accept_complaint(complaint.id, "REFERRED", "admin")
    accepted = list(complaints.repository.event_store.get(complaint.id))[-1]
    assert accepted.time_limit_working_days == 10
    policies, _ = registry.amend_policies({"rectification_working_days": 15}, "admin")
    assert policies.complaint_complex_working_days == 10
    assert policies.rectification_working_days == 15


def test_the_halls_events_carry_the_injected_clocks_time(hall_apps):
    """A queue board keeps the target in force per service day: the change's time must be
    the application's, not the wall clock's."""
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    registry = hall_apps(HallRegistry, "h2")
    registry.clock = lambda: at
    registry.register_hall("二号大厅", "沈阳", "op")
    registry.amend_policies({"waiting_target_minutes": 20}, "admin")
    events = [decode(n) for n in registry.recorder.select_notifications(1, 10)]
    assert [e.timestamp for e in events] == [at, at]


def test_policies_changed_before_the_visit_switch_read_it_on(registry):
    """A HallPoliciesChanged v1 (before ``invite_served_visits``): upcast with the switch
    on, the default, so a hall that changed its policies then invites served visits too."""
    hall = registry.get_hall()
    hall.change_policies(HallPolicies(unrated_default_days=5), "admin", now=registry.clock())
    stored = registry.mapper.to_stored_event(hall.collect_events()[0])
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["policies"]["invite_served_visits"]
    v1 = replace(stored, state=json.dumps(state).encode())
    registry.recorder.insert_events([v1])

    assert event_type_for_topic(v1.topic).version == 2
    event = registry.mapper.to_domain_event(v1)
    assert event.policies["invite_served_visits"] is True
    validate_payload(*to_payload(event))  # the upcast event keeps the v2 contract
    policies = registry.get_hall().policies
    assert (policies.unrated_default_days, policies.invite_served_visits) == (5, True)


def test_the_visit_switch_is_changed_like_any_policy(registry):
    policies, _ = registry.amend_policies({"invite_served_visits": False}, "admin")
    assert policies == HallPolicies(invite_served_visits=False)
    assert registry.get_hall().policies.invite_served_visits is False
