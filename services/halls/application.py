"""HallRegistry: registers a hall on the platform (platform operators) and changes its
policies (its hall admins)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.halls.domain import Hall, HallAlreadyRegisteredError, HallNotRegisteredError
from services.halls.policies import HallPolicies
from services.shared.application import HallApplication
from services.shared.errors import ConflictError, ValidationError

__all__ = ["HallRegistry", "require_registered_hall"]

_CHANGED_CONCURRENTLY = "the hall's policies changed concurrently; try again"


def require_registered_hall(app: HallApplication) -> Hall:
    """The hall of ``app``, read from its log; every hall command of another context starts here."""
    hall = app.get_or_none(Hall.create_id(app.hall_id))
    if hall is None:
        raise HallNotRegisteredError(f"hall {app.hall_id!r} is not registered")
    assert isinstance(hall, Hall)
    return hall


class HallRegistry(HallApplication):
    """Application service for one hall's registration."""

    def register_hall(self, name: str, region: str, actor: str) -> int:
        """Register this application's hall; returns the position of the event in its log."""
        if self.get_or_none(Hall.create_id(self.hall_id)) is not None:
            raise HallAlreadyRegisteredError(f"hall {self.hall_id!r} is already registered")
        if len(name) > 200 or len(region) > 200:
            raise ValidationError("hall name and region are limited to 200 characters")
        hall = Hall(
            hall_id=self.hall_id, name=name, region=region, actor=actor, timestamp=self.clock()
        )
        conflict = HallAlreadyRegisteredError(f"hall {self.hall_id!r} is already registered")
        return self.save_or_conflict(hall, conflict=conflict)

    def amend_policies(self, changes: Mapping[str, Any], actor: str) -> tuple[HallPolicies, int]:
        """Change the named policies (hall admins); the others keep their values.

        ``changes`` is new input: an unknown name, a value of the wrong type or out of range
        is refused (``ValidationError``), and so is a change that changes nothing
        (``HallPoliciesUnchangedError``); nothing is recorded then. Returns the hall's
        policies and the position of ``HallPoliciesChanged`` in the hall's log.
        """
        if not changes:
            raise ValidationError("name at least one policy to change")
        hall = require_registered_hall(self)
        hall.change_policies(hall.policies.with_changes(changes), actor, now=self.clock())
        position = self.save_or_conflict(hall, conflict=ConflictError(_CHANGED_CONCURRENTLY))
        return hall.policies, position

    def change_policies(self, policies: HallPolicies, actor: str) -> Hall:
        """Set every policy of the hall (setting a hall up: seeds, tests); records nothing
        when the hall already has exactly these. Hall admins use :meth:`amend_policies`."""
        hall = require_registered_hall(self)
        if hall.policies != policies:
            hall.change_policies(policies, actor, now=self.clock())
            self.save_or_conflict(hall, conflict=ConflictError(_CHANGED_CONCURRENTLY))
        return hall

    def get_hall(self) -> Hall:
        return require_registered_hall(self)
