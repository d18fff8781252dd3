"""Who is on a hall's staff: the check other contexts run before giving work to a badge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.staff.domain import StaffMember

if TYPE_CHECKING:
    from services.shared.application import HallApplication

__all__ = ["find_staff"]


def find_staff(app: HallApplication, badge_number: str) -> StaffMember | None:
    """The member of ``app``'s hall with this badge, whatever its case (工号 are compared
    case-insensitively, :meth:`StaffMember.lookup_ids`), from the hall's log (``None`` if
    never onboarded); one who left the hall has ``offboarded`` set.

    帮办代办 cases are accepted and taken over only by members who have not left
    (``CaseService``); complaints are never assigned to a departed member's badge
    (``ComplaintService.assign_complaint``).
    """
    for member_id in StaffMember.lookup_ids(app.hall_id, badge_number):
        member = app.get_or_none(member_id)
        if isinstance(member, StaffMember):
            return member
    return None
