"""StaffService: hall admins onboard staff and assign posts; staff sign in and out of duty.

Offboarding is refused while the member still holds open work (:mod:`services.staff.open_work`);
other contexts refuse to give work to a departed member
(:func:`services.staff.directory.find_staff`).
"""

from __future__ import annotations

from datetime import date

from services.halls.application import require_registered_hall
from services.places.domain import Window
from services.places.errors import WindowNotFoundError
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.shared.ids import canonical_badge
from services.staff.directory import find_staff
from services.staff.domain import StaffMember
from services.staff.errors import StaffExistsError, StaffNotFoundError
from services.staff.open_work import OpenWorkLookup, open_work_in_log

__all__ = ["StaffService"]


class StaffService(HallApplication):
    """Application service for one hall's staff."""

    open_work: OpenWorkLookup = staticmethod(open_work_in_log)
    """Where offboarding reads a member's open work: the hall's log unless the composition
    root gives a faster lookup (the gateway: the worklist read model)."""

    def onboard_staff(
        self, badge_number: str, name: str, role: str, skills: list[str], actor: str
    ) -> StaffMember:
        require_registered_hall(self)
        badge_number = canonical_badge(badge_number)
        if find_staff(self, badge_number) is not None:  # in any case: s001 is S001
            raise StaffExistsError(f"badge {badge_number!r} is already onboarded")
        member = StaffMember(
            hall_id=self.hall_id,
            badge_number=badge_number,
            name=name,
            role=role,
            skills=list(skills),
            actor=actor,
            timestamp=self.clock(),
        )
        self.save_or_conflict(member, conflict=StaffExistsError(f"badge {badge_number!r} exists"))
        return member

    def assign_to_window(
        self, badge_number: str, window_code: str, post: str, actor: str
    ) -> StaffMember:
        """Give the member the A (主岗) or B (备岗) post at a configured window."""
        member = self.get_staff(badge_number)
        self._require_window(window_code)
        member.assign_to_window(window_code, post, self.clock(), actor)
        return self._save(member)

    def unassign_from_window(self, badge_number: str, window_code: str, actor: str) -> StaffMember:
        member = self.get_staff(badge_number)
        member.unassign_from_window(window_code, self.clock(), actor)
        return self._save(member)

    def sign_in(self, badge_number: str, window_code: str, actor: str) -> StaffMember:
        """上岗签到 at a window where the member holds a post."""
        member = self.get_staff(badge_number)
        self._require_window(window_code)
        member.sign_in(window_code, self.clock(), actor)
        return self._save(member)

    def sign_out(self, badge_number: str, actor: str) -> StaffMember:
        """离岗签退."""
        member = self.get_staff(badge_number)
        member.sign_out(self.clock(), actor)
        return self._save(member)

    def record_training(
        self,
        badge_number: str,
        course: str,
        hours: float,
        completed_on: date,
        certificate: str,
        actor: str,
    ) -> StaffMember:
        member = self.get_staff(badge_number)
        member.record_training(course, hours, completed_on, certificate, self.clock(), actor)
        return self._save(member)

    def offboard_staff(self, badge_number: str, reason: str, actor: str) -> StaffMember:
        """The member leaves the hall: signed out, and with no open work left to them.

        Open cases, complaints assigned to them and pending rectification steps must be
        reassigned first (``StaffWorkOpenError``, nothing recorded): no active member's
        worklist would show them, and their deadlines would run out unnoticed.

        Not atomic with the commands that give work to the member: they read the member and
        do not write it, so work given after :attr:`open_work` read its state and before this
        save (up to the worklist wait, 5 s, with the gateway's lookup), or by a command that
        checked the member before this save and is saved after it, is not counted and
        raises nothing. That record stays open with the departed member as its responsible;
        the registers show it so, and the hall reassigns it from there (``docs/domain.md``,
        "Staff").
        """
        as_of = self.recorder.max_notification_id() or 0
        member = self.get_staff(badge_number)
        open_work = self.open_work(self, member.badge_number, as_of=as_of)
        member.offboard(reason, open_work, self.clock(), actor)
        return self._save(member)

    def get_staff(self, badge_number: str) -> StaffMember:
        """The member with this badge, whatever its case (:func:`find_staff`)."""
        member = find_staff(self, badge_number)
        if member is None:
            raise StaffNotFoundError(f"no staff member with badge {badge_number!r} in this hall")
        return member

    def _require_window(self, window_code: str) -> None:
        if self.get_or_none(Window.create_id(self.hall_id, window_code)) is None:
            raise WindowNotFoundError(f"no window {window_code!r} in this hall")

    def _save(self, member: StaffMember) -> StaffMember:
        conflict = ConflictError(f"staff {member.badge_number!r} changed concurrently; try again")
        self.save_or_conflict(member, conflict=conflict)
        return member
