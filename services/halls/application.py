"""HallRegistry: registers a hall on the platform (platform operators only)."""

from __future__ import annotations

from services.halls.domain import Hall, HallAlreadyRegisteredError, HallNotRegisteredError
from services.halls.policies import HallPolicies
from services.shared.application import HallApplication
from services.shared.errors import ConflictError, ValidationError

__all__ = ["HallRegistry", "require_registered_hall"]


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
        hall = Hall(hall_id=self.hall_id, name=name, region=region, actor=actor)
        conflict = HallAlreadyRegisteredError(f"hall {self.hall_id!r} is already registered")
        return self.save_or_conflict(hall, conflict=conflict)

    def change_policies(self, policies: HallPolicies, actor: str) -> Hall:
        """Replace the hall's policies (hall admins)."""
        hall = require_registered_hall(self)
        hall.change_policies(policies, actor)
        self.save_or_conflict(hall, conflict=ConflictError("the hall changed concurrently"))
        return hall

    def get_hall(self) -> Hall:
        return require_registered_hall(self)
