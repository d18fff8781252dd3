"""StaffService: hall admins onboard staff."""

from __future__ import annotations

from services.halls.application import require_registered_hall
from services.shared.application import HallApplication
from services.staff.domain import StaffExistsError, StaffMember

__all__ = ["StaffService"]


class StaffService(HallApplication):
    """Application service for one hall's staff."""

    def onboard_staff(
        self, badge_number: str, name: str, role: str, skills: list[str], actor: str
    ) -> StaffMember:
        require_registered_hall(self)
        if self.get_or_none(StaffMember.create_id(self.hall_id, badge_number)) is not None:
            raise StaffExistsError(f"badge {badge_number!r} is already onboarded")
        member = StaffMember(
            hall_id=self.hall_id,
            badge_number=badge_number,
            name=name,
            role=role,
            skills=list(skills),
            actor=actor,
        )
        self.save_or_conflict(member, conflict=StaffExistsError(f"badge {badge_number!r} exists"))
        return member
