"""Intake of a 帮办代办 case: materials, the one-time notice (一次性告知), supplements (补正),
the mandate (委托), the hand-over (交接) and the submission to the department (报送)."""

from __future__ import annotations

from datetime import date, datetime

from services.cases.domain.deadline import moved_due_date
from services.cases.domain.errors import (
    CaseStateError,
    CaseValidationError,
    HandOverError,
    MandateError,
    MaterialsIncompleteError,
    OneTimeNoticeError,
)
from services.cases.domain.materials import check_received, notice_list, supplied
from services.cases.domain.state import CaseState
from services.cases.domain.values import CaseStatus as S
from services.cases.domain.values import IdentityMethod, parse_enum, require_text
from services.shared.working_days import WorkingDayCalendar, local_date

__all__ = ["IntakeCommands"]


class IntakeCommands(CaseState):
    """The commands of an accepted case before it goes to the department."""

    def check_materials(self, received: list[str], actor: str, now: datetime) -> None:
        """Check the materials received against the item's list; records what is missing."""
        self._require("check materials of", S.ACCEPTED)
        self._require_no_open_notice("check materials")
        if self.receipt_number is not None:
            raise HandOverError("the materials were already handed over")
        got, missing = check_received(self.required_materials, received)
        self.trigger_event(
            self.MaterialsChecked, received=got, missing=missing, actor=actor, timestamp=now
        )

    def issue_notice(self, materials: list[str], note: str, actor: str, now: datetime) -> None:
        """一次性告知: list every missing material at once; stops the clock until supplied.

        A case gets one notice: a second one (for materials the first did not list) is
        refused with :class:`OneTimeNoticeError`. A notice after ``notice_due_date`` is
        still issued but does not stop the clock.
        """
        self._require("issue a one-time notice for", S.ACCEPTED)
        if self.notice_issued_on is not None:
            raise OneTimeNoticeError(
                "一次性告知: the case already had its one notice "
                f"({', '.join(self.notice_materials)}); no further notice"
            )
        if not self.missing_materials:
            raise CaseStateError("no material is known to be missing: check the materials")
        listed = notice_list(self.missing_materials, materials)
        today = local_date(now)
        assert self.notice_due_date is not None
        self.trigger_event(
            self.NoticeIssued,
            materials=listed,
            note=require_text(note, "a notice note", empty=True),
            issued_on=today.isoformat(),
            clock_stopped=today <= self.notice_due_date,
            actor=actor,
            timestamp=now,
        )

    def supplement_materials(
        self, materials: list[str], actor: str, now: datetime, calendar: WorkingDayCalendar
    ) -> None:
        """补正: noticed materials arrive; with the last one the clock restarts and the due
        date moves by exactly the working days it was stopped."""
        self._require("supplement materials of", S.ACCEPTED)
        if not self.outstanding_materials:
            raise CaseStateError("no noticed material is outstanding")
        got, outstanding = supplied(self.outstanding_materials, materials)
        today = local_date(now)
        stopped, due = 0, self._due()
        if not outstanding and self.notice_stopped_clock:
            assert self.notice_issued_on is not None
            stopped, due = moved_due_date(due, self.notice_issued_on, today, calendar)
        self.trigger_event(
            self.MaterialsSupplemented,
            materials=got,
            outstanding=outstanding,
            supplemented_on=today.isoformat(),
            clock_stopped_working_days=stopped,
            due_date=due.isoformat(),
            actor=actor,
            timestamp=now,
        )

    # --- 委托, 交接, 报送 ---------------------------------------------------------------

    def sign_mandate(
        self, identity_verified: bool, identity_method: str, actor: str, now: datetime
    ) -> None:
        """委托: the applicant signs the mandate; a verified one is needed to act for them."""
        self._require("sign a mandate for", S.ACCEPTED)
        self._require_on_behalf("take a mandate")
        if self.identity_verified:
            raise MandateError("a verified mandate is already signed")
        method = parse_enum(IdentityMethod, identity_method, "identity method")
        if identity_verified == (method is IdentityMethod.NONE):
            raise CaseValidationError("a verified identity names its method; NONE means unverified")
        self.trigger_event(
            self.MandateSigned,
            identity_verified=identity_verified,
            identity_method=method.value,
            actor=actor,
            timestamp=now,
        )

    def hand_over_materials(self, receipt_number: str, actor: str, now: datetime) -> None:
        """交接: the complete materials pass to the agent against a receipt number."""
        self._require("hand over materials of", S.ACCEPTED)
        self._require_on_behalf("take materials")
        if self.receipt_number is not None:
            raise HandOverError(f"already handed over (receipt {self.receipt_number})")
        if not self.identity_verified:
            raise MandateError("hand-over needs a mandate (委托) with verified identity")
        self._require_no_open_notice("hand over")
        if not self.materials_complete:
            raise MaterialsIncompleteError("check the materials until none is missing")
        self.trigger_event(
            self.MaterialsHandedOver,
            receipt_number=require_text(receipt_number, "a receipt number", limit=64),
            materials=list(self.received_materials),
            actor=actor,
            timestamp=now,
        )

    def submit_to_department(
        self,
        department: str,
        acceptance_number: str,
        department_due_date: date,
        actor: str,
        now: datetime,
    ) -> None:
        """报送: the agent submits the matter; the department gives its number and due date."""
        self._require("submit", S.ACCEPTED)
        self._require_on_behalf("submit to a department")
        if self.receipt_number is None:
            raise HandOverError("hand over the materials before submitting")
        if department_due_date < local_date(now):
            raise CaseValidationError("the department's due date lies in the past")
        self.trigger_event(
            self.SubmittedToDepartment,
            department=require_text(department, "a department", limit=200),
            acceptance_number=require_text(acceptance_number, "an acceptance number", limit=64),
            department_due_date=department_due_date.isoformat(),
            actor=actor,
            timestamp=now,
        )
