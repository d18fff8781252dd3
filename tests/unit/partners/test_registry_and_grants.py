"""The partners context in memory: register partners, grant, change and revoke."""

from __future__ import annotations

import pytest

from contracts import to_payload, validate_payload
from services.halls import HallNotRegisteredError, HallRegistry
from services.partners import (
    PLATFORM_LOG,
    GrantNotActiveError,
    GrantStart,
    GrantUnchangedError,
    PartnerAlreadyRegisteredError,
    PartnerGrants,
    PartnerIdError,
    PartnerNotFoundError,
    PartnerRegistry,
    UnknownEventTypeError,
    grantable_event_types,
)
from services.shared import ValidationError, validate_hall_id
from services.store import validate_tenant_id


@pytest.fixture
def registry(hall_apps):
    return hall_apps(PartnerRegistry, PLATFORM_LOG)


@pytest.fixture
def grants(hall_apps):
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    return hall_apps(PartnerGrants, "h1")


@pytest.fixture
def tax(registry):
    registry.register_partner("tax", "税务局", "ops@tax.example", "op")
    return registry.get_partner("tax")


def test_the_platform_log_is_a_tenant_but_never_a_hall():
    assert validate_tenant_id(PLATFORM_LOG) == "platform"
    with pytest.raises(ValidationError):
        validate_hall_id("platform")


def test_registers_a_partner_once_in_the_platform_log(registry):
    assert registry.register_partner("tax", "税务局", "", "op") == 1
    assert registry.get_partner("tax").name == "税务局"
    with pytest.raises(PartnerAlreadyRegisteredError):
        registry.register_partner("tax", "again", "", "op")
    with pytest.raises(PartnerNotFoundError):
        registry.get_partner("nobody")


@pytest.mark.parametrize("bad", ["", "Tax", "-x", "a" * 64, "tax_bureau", "税务"])
def test_refuses_invalid_partner_ids(registry, bad):
    with pytest.raises(PartnerIdError):
        registry.register_partner(bad, "n", "", "op")


def test_the_registry_refuses_to_run_on_a_hall_log(hall_apps):
    with pytest.raises(RuntimeError):
        hall_apps(PartnerRegistry, "h1").register_partner("tax", "n", "", "op")


def test_a_hall_admin_grants_changes_and_revokes(grants, tax):
    grant, position = grants.grant(tax, ["queue.TicketIssued"], False, GrantStart.NOW, "admin")
    assert position == 2  # after the hall's registration
    assert (grant.active, grant.event_types, grant.personal_data) == (
        True,
        ("queue.TicketIssued",),
        False,
    )
    grant, position = grants.grant(tax, ["queue.*"], True, GrantStart.BEGINNING, "admin")
    assert position == 3
    assert "queue.TicketCalled" in grant.event_types
    assert grant.patterns == ("queue.*",)
    assert grant.personal_data
    grant, position = grants.revoke("tax", "contract ended", "admin")
    assert (position, grant.active) == (4, False)
    with pytest.raises(GrantNotActiveError):
        grants.revoke("tax", "again", "admin")
    grant, _ = grants.grant(tax, ["halls.HallRegistered"], False, GrantStart.NOW, "admin")
    assert grant.active
    assert grant.event_types == ("halls.HallRegistered",)


def test_granting_the_same_scope_again_is_refused(grants, tax):
    grants.grant(tax, ["queue.TicketIssued"], False, GrantStart.NOW, "admin")
    with pytest.raises(GrantUnchangedError):
        grants.grant(tax, ["queue.TicketIssued"], False, GrantStart.BEGINNING, "admin")


@pytest.mark.parametrize(
    "types", [[], ["queue.NoSuchEvent"], ["partners.GrantIssued"], ["nothing.*"], ["  "]]
)
def test_refuses_unknown_or_ungrantable_event_types(grants, tax, types):
    with pytest.raises(ValidationError):
        grants.grant(tax, types, False, GrantStart.NOW, "admin")


def test_unknown_type_error_is_a_validation_error():
    assert issubclass(UnknownEventTypeError, ValidationError)
    assert "partners.GrantIssued" not in grantable_event_types()
    assert "queue.TicketIssued" in grantable_event_types()


def test_grants_need_a_registered_hall(hall_apps, tax):
    with pytest.raises(HallNotRegisteredError):
        hall_apps(PartnerGrants, "h2").grant(tax, ["queue.*"], False, GrantStart.NOW, "a")


def test_revoking_a_grant_that_never_was_is_refused(grants):
    with pytest.raises(GrantNotActiveError, match="partner 'tax' holds no grant in hall 'h1'"):
        grants.revoke("tax", "", "admin")


def test_revoking_twice_names_the_hall(grants, tax):
    grants.grant(tax, ["queue.TicketIssued"], False, GrantStart.NOW, "admin")
    grants.revoke("tax", "", "admin")
    with pytest.raises(GrantNotActiveError, match=r"in hall 'h1' .*already revoked"):
        grants.revoke("tax", "again", "admin")


def test_revoking_in_a_hall_that_is_not_registered_says_so(hall_apps):
    """Not "no grant in this hall" for a misspelt ``--tenant``: the hall does not exist."""
    with pytest.raises(HallNotRegisteredError, match="'h2'"):
        hall_apps(PartnerGrants, "h2").revoke("tax", "", "a")


def test_the_events_validate_against_their_contracts(registry, grants, tax):
    grants.grant(tax, ["queue.TicketIssued"], False, GrantStart.NOW, "admin")
    grants.grant(tax, ["queue.TicketIssued"], True, GrantStart.BEGINNING, "admin")
    grants.revoke("tax", "ended", "admin")
    events = [
        n
        for app in (registry, grants)
        for n in app.recorder.select_notifications(start=1, limit=100)
    ]
    names = []
    for notification in events:
        event = registry.mapper.to_domain_event(notification)
        event_type, payload = to_payload(event)
        validate_payload(event_type, payload)
        names.append(event_type.name)
    assert names == [
        "partners.PartnerRegistered",
        "halls.HallRegistered",
        "partners.GrantIssued",
        "partners.GrantChanged",
        "partners.GrantRevoked",
    ]
