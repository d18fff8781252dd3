"""ComplaintService: applicants complain; staff, hall admins and supervisors handle it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from services.complaints.domain import Complaint
from services.complaints.errors import (
    AssigneeOffboardedError,
    ComplaintNotFoundError,
    NotTheComplainantError,
)
from services.complaints.policies import rectifications_opened_by
from services.halls.application import require_registered_hall
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.shared.ids import canonical_badge
from services.staff.directory import find_staff

__all__ = ["ComplaintDetails", "ComplaintService"]


@dataclass(frozen=True)
class ComplaintDetails:
    """What the complainant tells (the command's input); ``channel`` is a
    :class:`~services.complaints.values.ComplaintChannel` value.

    ``complainant_name`` and ``complainant_phone`` are personal data, kept only in the
    contract's personal fields and keyed by the opaque ``applicant_id``. A real-name
    complaint staff register without an ``applicant_id`` (a caller or walk-in without an
    account) gets a new one, as a walk-in's case does.
    """

    channel: str
    facts: str
    anonymous: bool = False
    applicant_id: str = ""
    complainant_name: str = ""
    complainant_phone: str = ""
    respondent_window: str = ""
    respondent_badge: str = ""
    evidence: list[str] = field(default_factory=list)


class ComplaintService(HallApplication):
    """Application service for one hall's complaints (GB/T 36113)."""

    new_applicant_id: Callable[[], str] = staticmethod(lambda: f"walk-in-{uuid4().hex}")
    """Opaque ids for complainants who have none (real-name complaints staff register)."""

    def receive_complaint(self, details: ComplaintDetails, actor: str) -> Complaint:
        """登记: register a complaint (applicants for themselves; staff on their behalf)."""
        require_registered_hall(self)
        applicant_id = details.applicant_id
        if not details.anonymous and not applicant_id:
            applicant_id = self.new_applicant_id()
        complaint = Complaint.receive(
            hall_id=self.hall_id,
            channel=details.channel,
            anonymous=details.anonymous,
            applicant_id=applicant_id,
            complainant_name=details.complainant_name.strip(),
            complainant_phone=details.complainant_phone.strip(),
            respondent_window=details.respondent_window,
            respondent_badge=details.respondent_badge,
            facts=details.facts.strip(),
            evidence=list(details.evidence),
            now=self.clock(),
            actor=actor,
        )
        return self._save(complaint)

    def get_complaint(self, complaint_id: UUID) -> Complaint:
        complaint = self.get_or_none(complaint_id)
        if not isinstance(complaint, Complaint):
            raise ComplaintNotFoundError(f"no complaint {complaint_id} in this hall")
        return complaint

    def _save(self, complaint: Complaint, *others: Aggregate) -> Complaint:
        conflict = ConflictError(f"complaint {complaint.id} changed concurrently")
        self.save_or_conflict(complaint, *others, conflict=conflict)
        return complaint

    def reject_complaint(
        self, complaint_id: UUID, reason: str, explanation: str, actor: str
    ) -> Complaint:
        """不予受理 with a reason code (hall admins, supervisors)."""
        complaint = self.get_complaint(complaint_id)
        complaint.reject(reason, explanation, now=self.clock(), actor=actor)
        return self._save(complaint)

    def withdraw_complaint(
        self, complaint_id: UUID, reason: str, actor: str, *, as_complainant: bool
    ) -> Complaint:
        """撤诉: the complainant (``as_complainant``: only their own), or staff recording it."""
        complaint = self.get_complaint(complaint_id)
        if as_complainant and (not complaint.applicant_id or complaint.applicant_id != actor):
            raise NotTheComplainantError("only the complainant may withdraw this complaint")
        complaint.withdraw(reason, now=self.clock(), actor=actor)
        return self._save(complaint)

    def accept_complaint(self, complaint_id: UUID, complaint_class: str, actor: str) -> Complaint:
        """受理 (hall admins, supervisors): the due date comes from the hall's limits."""
        policies = require_registered_hall(self).policies
        complaint = self.get_complaint(complaint_id)
        complaint.accept(
            complaint_class,
            now=self.clock(),
            calendar=self.calendar,
            policies=policies,
            actor=actor,
        )
        return self._save(complaint)

    def assign_complaint(self, complaint_id: UUID, assignee: str, actor: str) -> Complaint:
        """Hand the complaint to a handler: a staff member's badge or another handler (a
        department); never to the badge of a member who left the hall."""
        complaint = self.get_complaint(complaint_id)
        member = find_staff(self, assignee.strip())
        if member is not None and member.offboarded:
            raise AssigneeOffboardedError(f"staff {assignee!r} left the hall: assign someone else")
        if member is not None:  # a member's badge, in its canonical form (s001 is S001)
            assignee = canonical_badge(assignee)
        complaint.assign(assignee, now=self.clock(), actor=actor)
        return self._save(complaint)

    def investigate_complaint(
        self, complaint_id: UUID, finding: str, summary: str, actor: str
    ) -> Complaint:
        """调查核实; a substantiated finding opens a rectification in the same save."""
        policies = require_registered_hall(self).policies
        complaint = self.get_complaint(complaint_id)
        now = self.clock()
        complaint.investigate(finding, summary, now=now, actor=actor)
        opened = rectifications_opened_by(
            complaint, now=now, calendar=self.calendar, policies=policies
        )
        return self._save(complaint, *opened)

    def dispose_complaint(self, complaint_id: UUID, measures: list[str], actor: str) -> Complaint:
        complaint = self.get_complaint(complaint_id)
        complaint.dispose(measures, now=self.clock(), actor=actor)
        return self._save(complaint)

    def extend_complaint_deadline(
        self, complaint_id: UUID, working_days: int, reason: str, actor: str
    ) -> Complaint:
        """延期 (hall admins, supervisors); after the due date, its miss is recorded first."""
        complaint = self.get_complaint(complaint_id)
        complaint.extend_deadline(
            working_days, reason, now=self.clock(), calendar=self.calendar, actor=actor
        )
        return self._save(complaint)

    def reply_to_complaint(self, complaint_id: UUID, content: str, actor: str) -> Complaint:
        complaint = self.get_complaint(complaint_id)
        complaint.reply(content, now=self.clock(), actor=actor)
        return self._save(complaint)

    def follow_up_complaint(
        self, complaint_id: UUID, satisfied: bool, comment: str, actor: str
    ) -> Complaint:
        complaint = self.get_complaint(complaint_id)
        complaint.follow_up(satisfied, comment, now=self.clock(), actor=actor)
        return self._save(complaint)

    def reopen_complaint(self, complaint_id: UUID, reason: str, actor: str) -> Complaint:
        policies = require_registered_hall(self).policies
        complaint = self.get_complaint(complaint_id)
        complaint.reopen(
            reason, now=self.clock(), calendar=self.calendar, policies=policies, actor=actor
        )
        return self._save(complaint)

    def archive_complaint(self, complaint_id: UUID, actor: str) -> Complaint:
        complaint = self.get_complaint(complaint_id)
        complaint.archive(now=self.clock(), actor=actor)
        return self._save(complaint)
