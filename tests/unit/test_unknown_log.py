"""A refused log says what it is: an unknown hall, or the platform log before its first
event (auditors asking for ``--tenant platform`` on a new platform were told of an
"unknown hall 'platform'")."""

from __future__ import annotations

from services.shared.ids import PLATFORM_LOG
from services.store import UnknownTenantError


def test_an_unknown_hall_is_named():
    assert str(UnknownTenantError("nohall")) == "unknown hall 'nohall': it has no events"


def test_the_empty_platform_log_is_not_called_a_hall():
    message = str(UnknownTenantError(PLATFORM_LOG))
    assert "unknown hall" not in message
    assert message.startswith("the platform log has no events yet")
