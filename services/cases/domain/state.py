"""The state of a 帮办代办 case and the guards its commands share.

:class:`CaseState` is the base of the command groups (:mod:`.intake`, :mod:`.closing`) that
:class:`~services.cases.domain.case.Case` is made of. Only events change this state (their
``apply`` in :mod:`.events`); the aggregate never holds the applicant's personal data.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from services.cases.domain.errors import (
    CaseEndedError,
    CaseStateError,
    CaseSuspendedError,
    ModeNotAllowedError,
    NoticeOutstandingError,
)
from services.cases.domain.values import (
    AssistanceMode,
    CaseStatus,
    DeliveryMethod,
    IdentityMethod,
    RequestChannel,
    ResultOutcome,
)

if TYPE_CHECKING:
    from services.cases.domain import events

__all__ = ["CaseState"]


class CaseState:
    """What a case knows, and the checks every command starts with."""

    hall_id: str
    mode: AssistanceMode
    item_code: str
    matter: str
    channel: RequestChannel
    applicant_id: str
    """The opaque key of the applicant (the data subject)."""
    status: CaseStatus
    status_before_suspension: CaseStatus
    first_responsible: str | None
    """首问负责: the staff member who accepted the case; never changes afterwards."""
    responsible: str | None
    """The staff member handling the case now."""
    accepted_on: date | None
    promised_working_days: int
    due_date: date | None
    """限时办结: the case's due date; moves only with a stopped clock."""
    notice_due_date: date | None
    """The last day for a one-time notice that stops the clock."""
    required_materials: list[str]
    received_materials: list[str]
    missing_materials: list[str]
    materials_checked: bool
    notice_materials: list[str]
    """一次性告知: the materials of the case's one notice."""
    outstanding_materials: list[str]
    notice_issued_on: date | None
    notice_stopped_clock: bool
    suspended_on: date | None
    mandate_signed: bool
    identity_verified: bool
    identity_method: IdentityMethod
    receipt_number: str | None
    department: str | None
    acceptance_number: str | None
    department_due_date: date | None
    outcome: ResultOutcome | None
    delivery_method: DeliveryMethod | None
    ended_on: date | None
    on_time: bool | None
    termination_reason: str | None
    follow_up_calls: int
    follow_up_reached: bool
    satisfied: bool | None
    overdue_due_dates: set[str]
    """超期: the due dates (ISO) already recorded as missed (``CaseOverdue``)."""

    if TYPE_CHECKING:  # provided by the aggregate (its events, redefined as nested classes)
        NoticeIssued: type[events.NoticeIssued]
        MaterialsChecked: type[events.MaterialsChecked]
        MaterialsSupplemented: type[events.MaterialsSupplemented]
        MandateSigned: type[events.MandateSigned]
        MaterialsHandedOver: type[events.MaterialsHandedOver]
        SubmittedToDepartment: type[events.SubmittedToDepartment]
        Suspended: type[events.Suspended]
        Resumed: type[events.Resumed]
        ResultReceived: type[events.ResultReceived]
        ResultDelivered: type[events.ResultDelivered]
        Completed: type[events.Completed]
        Terminated: type[events.Terminated]
        FollowUpCalled: type[events.FollowUpCalled]
        Archived: type[events.Archived]

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

    def _begin(
        self, hall_id: str, mode: str, item_code: str, matter: str, channel: str, applicant_id: str
    ) -> None:
        """The state of a case just requested."""
        self.hall_id = hall_id
        self.mode = AssistanceMode(mode)
        self.item_code = item_code
        self.matter = matter
        self.channel = RequestChannel(channel)
        self.applicant_id = applicant_id
        self.status = self.status_before_suspension = CaseStatus.REQUESTED
        self.first_responsible = self.responsible = None
        self.accepted_on = self.due_date = self.notice_due_date = None
        self.promised_working_days = 0
        self.required_materials, self.received_materials, self.missing_materials = [], [], []
        self.notice_materials, self.outstanding_materials = [], []
        self.materials_checked = self.notice_stopped_clock = False
        self.notice_issued_on = self.suspended_on = None
        self.mandate_signed = self.identity_verified = False
        self.identity_method = IdentityMethod.NONE
        self.receipt_number = self.department = self.acceptance_number = None
        self.department_due_date = None
        self.outcome = None
        self.delivery_method = None
        self.ended_on = None
        self.on_time = None
        self.termination_reason = None
        self.follow_up_calls = 0
        self.follow_up_reached = False
        self.satisfied = None
        self.overdue_due_dates = set()

    @property
    def clock_stopped(self) -> bool:
        """Whether the case clock is stopped now (an open notice that stopped it, or 中止)."""
        notice = self.notice_stopped_clock and bool(self.outstanding_materials)
        return notice or self.status is CaseStatus.SUSPENDED

    @property
    def materials_complete(self) -> bool:
        """Checked, and every material of the item's list was received or supplied."""
        received = set(self.received_materials)
        return self.materials_checked and all(m in received for m in self.required_materials)

    def _require(self, doing: str, *allowed: CaseStatus) -> None:
        """Refuse unless the case is in one of the ``allowed`` statuses."""
        if self.status in allowed:
            return
        if self.status.ended:
            raise CaseEndedError(f"cannot {doing}: the case is {self.status.value.lower()}")
        if self.status is CaseStatus.SUSPENDED:
            raise CaseSuspendedError(f"cannot {doing}: the case is suspended (中止)")
        raise CaseStateError(f"cannot {doing} a case that is {self.status.value.lower()}")

    def _require_on_behalf(self, doing: str) -> None:
        if not self.mode.acts_on_behalf:
            raise ModeNotAllowedError(f"a {self.mode.value} case does not {doing}")

    def _require_no_open_notice(self, doing: str) -> None:
        if self.outstanding_materials:
            missing = ", ".join(self.outstanding_materials)
            raise NoticeOutstandingError(f"cannot {doing}: still waiting for {missing}")

    def _due(self) -> date:
        assert self.due_date is not None  # every accepted case has one
        return self.due_date
