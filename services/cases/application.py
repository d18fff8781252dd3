"""CaseService: applicants request 帮办代办 cases; staff and agents carry them to the archive.

Each command loads the case from this hall's log, runs one domain command with the
application's ``clock()`` and ``calendar`` and saves the one event it triggered. A case id
from another hall is simply not found: a hall's application reads only its own log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from services.cases.domain import (
    Applicant,
    Case,
    CaseNotFoundError,
    ItemNotAvailableError,
    StaffNotOnboardedError,
)
from services.catalog.domain import ItemCategory, ServiceItem
from services.halls.application import require_registered_hall
from services.halls.domain import Hall
from services.shared.application import HallApplication
from services.shared.errors import ConflictError
from services.staff.directory import find_staff
from services.staff.domain import StaffMember

__all__ = ["CaseRequest", "CaseService", "Delivery"]


@dataclass(frozen=True)
class CaseRequest:
    """What an applicant asks for (the request command's input)."""

    mode: str
    """An :class:`~services.cases.domain.AssistanceMode` value."""
    item_code: str
    """A published 帮办代办 item of the hall's catalog."""
    matter: str
    """The government matter to handle, e.g. ``企业设立登记`` (no personal data)."""
    channel: str
    """A :class:`~services.cases.domain.RequestChannel` value."""
    applicant: Applicant
    """The applicant; an empty ``applicant_id`` (a walk-in without an account) gets a new one."""


@dataclass(frozen=True)
class Delivery:
    """How a result is delivered (送达); ``method`` is a ``DeliveryMethod`` value."""

    method: str
    signed_by_name: str
    delivery_address: str = ""
    tracking_number: str = ""


class CaseService(HallApplication):
    """Application service for one hall's 帮办代办 cases."""

    new_case_id: Callable[[], UUID] = staticmethod(uuid4)
    """Ids of new cases: replaced in tests to make them predictable."""
    new_applicant_id: Callable[[], str] = staticmethod(lambda: f"walk-in-{uuid4().hex}")
    """Opaque ids for applicants who have none (walk-ins registered by staff)."""

    # --- reading ---------------------------------------------------------------------

    def get_case(self, case_id: UUID) -> Case:
        case = self.get_or_none(case_id)
        if not isinstance(case, Case):
            raise CaseNotFoundError(f"no case {case_id} in this hall")
        return case

    def _save(self, case: Case) -> Case:
        self.save_or_conflict(case, conflict=ConflictError(f"case {case.id} changed concurrently"))
        return case

    def _item(self, code: str) -> ServiceItem:
        item = self.get_or_none(ServiceItem.create_id(self.hall_id, code))
        if not isinstance(item, ServiceItem) or item.withdrawn:
            raise ItemNotAvailableError(f"no published item {code!r} in this hall's catalog")
        if item.category is not ItemCategory.ASSISTANCE:
            raise ItemNotAvailableError(f"item {code!r} is not a 帮办代办 item")
        return item

    def _require_staff(self, badge_number: str) -> None:
        """Only an onboarded member who has not left accepts or takes over a case."""
        member = find_staff(self, badge_number)
        if member is None or member.offboarded:
            raise StaffNotOnboardedError(f"no staff member with badge {badge_number!r} here")

    # --- commands --------------------------------------------------------------------

    def request_case(self, request: CaseRequest, actor: str) -> Case:
        """申请: open a case for a published 帮办代办 item of this hall."""
        require_registered_hall(self)
        self._item(request.item_code)
        applicant = request.applicant
        if not applicant.applicant_id:
            applicant = replace(applicant, applicant_id=self.new_applicant_id())
        case = Case.request(
            case_id=self.new_case_id(),
            hall_id=self.hall_id,
            mode=request.mode,
            item_code=request.item_code,
            matter=request.matter,
            channel=request.channel,
            applicant=applicant,
            actor=actor,
            now=self.clock(),
        )
        return self._save(case)

    def accept_case(self, case_id: UUID, badge_number: str, actor: str) -> Case:
        """受理: the staff member ``badge_number`` accepts and stays first responsible.

        The due date counts the item's promised working days (as published now); the
        notice limit is the hall's ``materials_notice_working_days`` policy.
        """
        staff = StaffMember.lookup_ids(self.hall_id, badge_number)
        with self.reading_ahead(Hall.create_id(self.hall_id), case_id, *staff):
            hall = require_registered_hall(self)
            case = self.get_case(case_id)
            self._require_staff(badge_number)
        item = self._item(case.item_code)
        case.accept(
            badge_number=badge_number,
            item_revision=item.revision,
            promised_working_days=item.promised_working_days,
            required_materials=list(item.materials),
            notice_working_days=hall.policies.materials_notice_working_days,
            actor=actor,
            now=self.clock(),
            calendar=self.calendar,
        )
        return self._save(case)

    def reassign_case(self, case_id: UUID, badge_number: str, reason: str, actor: str) -> Case:
        case = self.get_case(case_id)
        self._require_staff(badge_number)
        case.reassign(badge_number, reason, actor, self.clock())
        return self._save(case)

    def check_materials(self, case_id: UUID, received: list[str], actor: str) -> Case:
        case = self.get_case(case_id)
        case.check_materials(list(received), actor, self.clock())
        return self._save(case)

    def issue_notice(self, case_id: UUID, materials: list[str], note: str, actor: str) -> Case:
        """一次性告知 of every missing material."""
        case = self.get_case(case_id)
        case.issue_notice(list(materials), note, actor, self.clock())
        return self._save(case)

    def supplement_materials(self, case_id: UUID, materials: list[str], actor: str) -> Case:
        case = self.get_case(case_id)
        case.supplement_materials(list(materials), actor, self.clock(), self.calendar)
        return self._save(case)

    def sign_mandate(
        self, case_id: UUID, identity_verified: bool, identity_method: str, actor: str
    ) -> Case:
        case = self.get_case(case_id)
        case.sign_mandate(identity_verified, identity_method, actor, self.clock())
        return self._save(case)

    def hand_over_materials(self, case_id: UUID, receipt_number: str, actor: str) -> Case:
        case = self.get_case(case_id)
        case.hand_over_materials(receipt_number, actor, self.clock())
        return self._save(case)

    def submit_to_department(
        self,
        case_id: UUID,
        department: str,
        acceptance_number: str,
        department_due_date: date,
        actor: str,
    ) -> Case:
        case = self.get_case(case_id)
        case.submit_to_department(
            department, acceptance_number, department_due_date, actor, self.clock()
        )
        return self._save(case)

    def suspend_case(self, case_id: UUID, reason: str, actor: str) -> Case:
        case = self.get_case(case_id)
        case.suspend(reason, actor, self.clock())
        return self._save(case)

    def resume_case(self, case_id: UUID, note: str, actor: str) -> Case:
        case = self.get_case(case_id)
        case.resume(note, actor, self.clock(), self.calendar)
        return self._save(case)

    def receive_result(
        self, case_id: UUID, outcome: str, document_number: str, note: str, actor: str
    ) -> Case:
        case = self.get_case(case_id)
        case.receive_result(outcome, document_number, note, actor, self.clock())
        return self._save(case)

    def deliver_result(self, case_id: UUID, delivery: Delivery, actor: str) -> Case:
        case = self.get_case(case_id)
        case.deliver(
            delivery.method,
            delivery.signed_by_name,
            delivery.delivery_address,
            delivery.tracking_number,
            actor,
            self.clock(),
        )
        return self._save(case)

    def complete_case(self, case_id: UUID, note: str, actor: str) -> Case:
        case = self.get_case(case_id)
        case.complete(note, actor, self.clock())
        return self._save(case)

    def terminate_case(self, case_id: UUID, reason: str, actor: str) -> Case:
        case = self.get_case(case_id)
        case.terminate(reason, actor, self.clock())
        return self._save(case)

    def record_follow_up(
        self, case_id: UUID, reached: bool, satisfied: bool | None, note: str, actor: str
    ) -> Case:
        """回访 after the case ended."""
        case = self.get_case(case_id)
        case.record_follow_up(reached, satisfied, note, actor, self.clock())
        return self._save(case)

    def archive_case(self, case_id: UUID, actor: str) -> Case:
        case = self.get_case(case_id)
        case.archive(actor, self.clock())
        return self._save(case)
