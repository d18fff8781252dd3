"""A grant keeps ``context.*`` as a pattern, matched when an event is delivered; grants of
version 1 (recorded expanded) are read back as patterns; privacy types are granted by name
only; audit types (the hall's internal supervision records) are not granted at all."""

from __future__ import annotations

import json

import pytest
from eventsourcing.persistence import StoredEvent

from contracts import EVENT_TYPES
from services.halls import HallRegistry
from services.partners import (
    PLATFORM_LOG,
    Grant,
    GrantStart,
    GrantUnchangedError,
    PartnerGrants,
    PartnerRegistry,
    UnknownEventTypeError,
    grantable_event_types,
)
from services.partners.scope import covered_types, normalize_patterns, patterns_of_v1
from services.store import decode

V1_RECTIFICATIONS = [  # what `rectifications.*` was expanded to before RectificationWithdrawn
    "rectifications.RectificationCompleted",
    "rectifications.RectificationExplained",
    "rectifications.RectificationFedBack",
    "rectifications.RectificationFixedAtOnce",
    "rectifications.RectificationLedgerEntered",
    "rectifications.RectificationOpened",
    "rectifications.RectificationOverdue",
    "rectifications.RectificationReopened",
    "rectifications.RectificationReviewPassed",
    "rectifications.RectificationVerificationCalled",
]


@pytest.fixture
def grants(hall_apps):
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    return hall_apps(PartnerGrants, "h1")


@pytest.fixture
def tax(hall_apps):
    registry = hall_apps(PartnerRegistry, PLATFORM_LOG)
    registry.register_partner("tax", "税务局", "", "op")
    return registry.get_partner("tax")


def test_a_context_grant_is_recorded_as_its_pattern(grants, tax):
    grant, _ = grants.grant(
        tax, ["rectifications.*", "rectifications.RectificationOpened"], False, GrantStart.NOW, "a"
    )
    assert grant.patterns == ("rectifications.*",)  # the name the pattern covers is dropped
    assert "rectifications.RectificationWithdrawn" in grant.event_types
    stored = grants.recorder.select_notifications(start=1, limit=10)[-1]
    assert json.loads(stored.state)["patterns"] == ["rectifications.*"]


def test_a_pattern_is_matched_against_the_types_of_the_moment(monkeypatch):
    """A type the context gains after the grant is covered by the grant's pattern."""
    from services.partners import scope

    before = covered_types(["rectifications.*"])
    later = (*scope._grantable(), "rectifications.RectificationAnnulled")
    monkeypatch.setattr(scope, "_grantable", lambda: tuple(sorted(later)))
    assert covered_types(["rectifications.*"]) == before | {"rectifications.RectificationAnnulled"}
    assert "rectifications.RectificationAnnulled" not in covered_types(V1_RECTIFICATIONS)


def test_a_pattern_and_the_types_it_covers_today_are_different_grants(grants, tax):
    grants.grant(tax, ["halls.*"], False, GrantStart.NOW, "a")
    with pytest.raises(GrantUnchangedError):
        grants.grant(tax, ["halls.*"], False, GrantStart.BEGINNING, "a")
    every = sorted(covered_types(["halls.*"]))
    grant, _ = grants.grant(tax, every, False, GrantStart.NOW, "a")  # named: later ones not
    assert grant.patterns == tuple(every)


@pytest.mark.parametrize("pattern", ["privacy.*"])
def test_privacy_types_are_granted_by_name_only(grants, tax, pattern):
    with pytest.raises(UnknownEventTypeError, match="by name only"):
        grants.grant(tax, [pattern], False, GrantStart.NOW, "a")
    names = [t for t in grantable_event_types() if t.startswith(pattern[:-1])]
    assert names, f"no {pattern} type is grantable any more"
    grant, _ = grants.grant(tax, names, False, GrantStart.NOW, "a")
    assert set(grant.event_types) == set(names)


@pytest.mark.parametrize("pattern", [".*", "partners.*", "holidays.*", "queue.x.*", "nothing.*"])
def test_a_pattern_must_name_a_grantable_context(pattern):
    with pytest.raises(UnknownEventTypeError):
        normalize_patterns([pattern])


@pytest.mark.parametrize(
    "names", [["audit.AuditAccessRecorded"], ["audit.ChainHeadPublished"], ["audit.*"]]
)
def test_audit_types_are_not_granted_to_partners(grants, tax, names):
    """Who read the hall's audit trail and why is the hall's internal supervision record
    (a reason may name a person): refused, whether named or by pattern."""
    with pytest.raises(UnknownEventTypeError, match="not grantable") as refused:
        grants.grant(tax, [*names, "queue.TicketIssued"], False, GrantStart.NOW, "a")
    assert refused.value.code == "VALIDATION"
    assert covered_types(names) == frozenset()


def test_no_wildcard_covers_a_type_that_is_not_grantable_or_named_only():
    everything = covered_types({f"{t.name.split('.')[0]}.*" for t in EVENT_TYPES})
    assert everything == {t for t in grantable_event_types() if not t.startswith("privacy.")}


def test_the_grantable_types_are_every_published_type_but_the_platform_logs_and_audit():
    """What `yanshen partners types` lists: named-only types stay grantable, audit's not."""
    published = {t.name for t in EVENT_TYPES}
    assert set(grantable_event_types()) == {
        t for t in published if not t.startswith(("partners.", "holidays.", "audit."))
    }
    assert "privacy.PersonalDataErased" in grantable_event_types()
    assert not {t for t in grantable_event_types() if t.startswith("audit.")}


def test_version_1_grants_are_read_back_with_their_patterns(grants, tax):
    """A v1 GrantIssued that recorded `rectifications.*` expanded (before the context had
    RectificationWithdrawn) reads back as the pattern; named types stay names."""
    grants.grant(tax, ["halls.HallRegistered"], False, GrantStart.NOW, "a")
    stored = grants.recorder.select_notifications(start=1, limit=10)[-1]
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["patterns"]
    state["event_types"] = [*V1_RECTIFICATIONS, "queue.TicketIssued", "audit.ChainHeadPublished"]
    v1 = StoredEvent(stored.originator_id, 1, stored.topic, json.dumps(state).encode())
    event = decode(v1)
    assert isinstance(event, Grant.Issued)
    assert event.patterns == ["audit.ChainHeadPublished", "queue.TicketIssued", "rectifications.*"]
    assert "rectifications.RectificationWithdrawn" in covered_types(event.patterns)


def test_a_version_1_grant_missing_a_type_of_the_time_keeps_its_names():
    assert patterns_of_v1(V1_RECTIFICATIONS[1:]) == V1_RECTIFICATIONS[1:]
    later = [*V1_RECTIFICATIONS, "rectifications.RectificationWithdrawn"]
    assert patterns_of_v1(later) == ["rectifications.*"]  # a v1 grant given after it existed
