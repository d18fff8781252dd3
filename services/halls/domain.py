"""The hall aggregate: one government service hall (政务服务大厅), a tenant of the platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.halls.policies import HallPolicies
from services.shared import ConflictError, NotFoundError, ValidationError, stable_id
from services.shared.ids import validate_hall_id

__all__ = [
    "Hall",
    "HallAlreadyRegisteredError",
    "HallNotRegisteredError",
    "HallPoliciesUnchangedError",
]


class HallAlreadyRegisteredError(ConflictError):
    """A hall with this id is already registered."""


class HallNotRegisteredError(NotFoundError):
    """No hall with this id is registered."""


class HallPoliciesUnchangedError(ValidationError):
    """The hall already has exactly these policies: a change would change nothing."""


class Hall(Aggregate):
    """A government service hall; its id is the tenant id of all its records.

    >>> from datetime import UTC, datetime
    >>> hall = Hall(hall_id="demo", name="示范政务服务大厅", region="江苏省苏州市", actor="op-1",
    ...             timestamp=datetime(2026, 3, 2, 1, tzinfo=UTC))
    >>> hall.id == Hall.create_id("demo"), hall.name
    (True, '示范政务服务大厅')
    """

    class Registered(Aggregate.Created):
        """HallRegistered: a platform operator registered the hall."""

        hall_id: str
        name: str
        region: str
        actor: str

    @event(Registered)
    def __init__(
        self, hall_id: str, name: str, region: str, actor: str, *, timestamp: datetime
    ) -> None:
        validate_hall_id(hall_id)
        if not name.strip():
            raise ValidationError("a hall needs a name")
        self.hall_id = hall_id
        self.name = name.strip()
        self.region = region.strip()
        self._policies: dict[str, Any] = {}

    class PoliciesChanged(Aggregate.Event):
        """HallPoliciesChanged: the hall's time limits, queue and evaluation rules (all
        values, not a diff).

        v2 added ``invite_served_visits`` (一次一评 with the end of each service); v1 events,
        recorded before it existed, are read with it on, the default."""

        class_version = 2
        policies: dict[str, Any]
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v1 had no ``invite_served_visits``: the default (on)."""
            state["policies"] = {**state["policies"], "invite_served_visits": True}

    @property
    def policies(self) -> HallPolicies:
        """The hall's current policies (defaults until changed).

        Read tolerantly (``HallPolicies.from_stored``): a recorded policy this version does
        not know is ignored, so every command of the hall, which starts here, keeps working.
        """
        return HallPolicies.from_stored(self._policies)

    def change_policies(self, policies: HallPolicies, actor: str, *, now: datetime) -> None:
        """Replace the hall's policies; refused when the hall already has them."""
        if policies == self.policies:
            raise HallPoliciesUnchangedError("the hall already has these policies")
        self._policies_changed(policies.to_dict(), actor, timestamp=now)

    @event(PoliciesChanged)
    def _policies_changed(
        self, policies: dict[str, Any], actor: str, *, timestamp: datetime
    ) -> None:
        self._policies = dict(policies)

    @staticmethod
    def create_id(hall_id: str) -> UUID:
        """A hall's aggregate id is derived from its hall id, so it can be registered once."""
        return stable_id(hall_id, "hall", hall_id)
