"""Staff members (服务人员) of a hall, identified by badge number (工号)."""

from __future__ import annotations

import re
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.shared import ConflictError, ValidationError, stable_id

__all__ = ["StaffExistsError", "StaffMember", "StaffRole"]

_BADGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")


class StaffRole(StrEnum):
    WINDOW_STAFF = "WINDOW_STAFF"
    """窗口工作人员: window staff."""
    AGENT = "AGENT"
    """代办员: 帮办代办 agent."""
    HALL_ADMIN = "HALL_ADMIN"
    SUPERVISOR = "SUPERVISOR"


class StaffExistsError(ConflictError):
    """A staff member with this badge number is already onboarded in the hall."""


class StaffMember(Aggregate):
    """A hall's staff member.

    >>> s = StaffMember(hall_id="demo", badge_number="S001", name="王芳",
    ...                 role="WINDOW_STAFF", skills=["综合受理"], actor="admin")
    >>> s.role
    <StaffRole.WINDOW_STAFF: 'WINDOW_STAFF'>
    """

    class Onboarded(Aggregate.Created):
        """StaffOnboarded: a staff member joined the hall."""

        hall_id: str
        badge_number: str
        name: str
        role: str
        skills: list[str]
        actor: str

    @event(Onboarded)
    def __init__(
        self, hall_id: str, badge_number: str, name: str, role: str, skills: list[str], actor: str
    ) -> None:
        if not _BADGE.match(badge_number):
            raise ValidationError(f"invalid badge number {badge_number!r}")
        if not name.strip() or len(name) > 100:
            raise ValidationError("a staff name is 1 to 100 characters")
        try:
            self.role = StaffRole(role)
        except ValueError:
            raise ValidationError(f"unknown staff role {role!r}") from None
        self.hall_id = hall_id
        self.badge_number = badge_number
        self.name = name.strip()
        self.skills = list(skills)

    @staticmethod
    def create_id(hall_id: str, badge_number: str) -> UUID:
        return stable_id(hall_id, "staff", badge_number)
