"""The events of a 帮办代办 case: the facts its history is made of, and what each changes.

Each class is one event type. :class:`~services.cases.domain.case.Case` takes them in as its
own nested events, so they are stored under ``services.cases.domain.case:Case.<Name>`` and
published as ``cases.<PublicName>`` (``contracts/events/cases.*.json``). Dates are ISO
strings local to China; ``actor`` is who issued the command. Applicants' personal data lives
only in ``applicant_*``, ``signed_by_name``, ``delivery_address`` and the follow-up ``note``
(the contracts' ``x-personal-fields``); the aggregate itself never holds it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from services.cases.domain.values import (
    CaseStatus,
    DeliveryMethod,
    IdentityMethod,
    RequestChannel,
    ResultOutcome,
)

if TYPE_CHECKING:
    from services.cases.domain.case import Case

__all__ = [
    "Accepted",
    "Archived",
    "Completed",
    "FollowUpCalled",
    "MandateSigned",
    "MaterialsChecked",
    "MaterialsHandedOver",
    "MaterialsSupplemented",
    "NoticeIssued",
    "Overdue",
    "Reassigned",
    "Requested",
    "ResultDelivered",
    "ResultReceived",
    "Resumed",
    "SubmittedToDepartment",
    "Suspended",
    "Terminated",
]


class Requested(Aggregate.Created):
    """CaseRequested: an applicant asked the hall for help with a matter (申请).

    v2 added ``channel``; v1 events are read back with ``UNRECORDED``.
    """

    class_version = 2

    hall_id: str
    mode: str
    item_code: str
    matter: str
    channel: str
    applicant_id: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_address: str
    actor: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """v1 did not record how the request came in."""
        state["channel"] = RequestChannel.UNRECORDED.value


class Accepted(Aggregate.Event):
    """CaseAccepted: 受理; the accepting staff member is first responsible (首问负责).

    ``due_date`` (限时办结) is ``accepted_on`` + the item's promised working days;
    ``notice_due_date`` is the last day for a one-time notice that stops the clock.
    """

    accepted_by: str
    accepted_on: str
    item_revision: int
    promised_working_days: int
    required_materials: list[str]
    due_date: str
    notice_due_date: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = CaseStatus.ACCEPTED
        aggregate.first_responsible = aggregate.responsible = self.accepted_by
        aggregate.accepted_on = date.fromisoformat(self.accepted_on)
        aggregate.promised_working_days = self.promised_working_days
        aggregate.required_materials = list(self.required_materials)
        aggregate.due_date = date.fromisoformat(self.due_date)
        aggregate.notice_due_date = date.fromisoformat(self.notice_due_date)


class Reassigned(Aggregate.Event):
    """CaseReassigned: another staff member handles the case; the first responsible stays."""

    responsible: str
    previous_responsible: str
    reason: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.responsible = self.responsible


class MaterialsChecked(Aggregate.Event):
    """MaterialsChecked: the materials received, against the item's materials list."""

    received: list[str]
    missing: list[str]
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.materials_checked = True
        aggregate.received_materials = list(self.received)
        aggregate.missing_materials = list(self.missing)


class NoticeIssued(Aggregate.Event):
    """OneTimeNoticeIssued: 一次性告知 of every missing material at once.

    ``clock_stopped`` is false when the notice came after ``notice_due_date``: a late
    notice does not stop the clock (cf. Administrative Licensing Law art. 32).
    """

    materials: list[str]
    note: str
    issued_on: str
    clock_stopped: bool
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.notice_materials = list(self.materials)
        aggregate.outstanding_materials = list(self.materials)
        aggregate.notice_issued_on = date.fromisoformat(self.issued_on)
        aggregate.notice_stopped_clock = self.clock_stopped


class MaterialsSupplemented(Aggregate.Event):
    """MaterialsSupplemented: some or all of the noticed materials arrived (补正).

    When the last one arrives the clock restarts and ``due_date`` moves by
    ``clock_stopped_working_days``; otherwise both stay as they were (0, unchanged).
    """

    materials: list[str]
    outstanding: list[str]
    supplemented_on: str
    clock_stopped_working_days: int
    due_date: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        received = aggregate.received_materials
        aggregate.received_materials = received + [m for m in self.materials if m not in received]
        aggregate.outstanding_materials = list(self.outstanding)
        aggregate.due_date = date.fromisoformat(self.due_date)


class MandateSigned(Aggregate.Event):
    """MandateSigned: the applicant signed the mandate (委托书)."""

    identity_verified: bool
    identity_method: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.mandate_signed = True
        aggregate.identity_verified = self.identity_verified
        aggregate.identity_method = IdentityMethod(self.identity_method)


class MaterialsHandedOver(Aggregate.Event):
    """MaterialsHandedOver: the applicant handed the materials to the agent (交接)."""

    receipt_number: str
    materials: list[str]
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.receipt_number = self.receipt_number


class SubmittedToDepartment(Aggregate.Event):
    """CaseSubmittedToDepartment: the agent submitted the matter to the department (报送)."""

    department: str
    acceptance_number: str
    department_due_date: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = CaseStatus.SUBMITTED
        aggregate.department = self.department
        aggregate.acceptance_number = self.acceptance_number
        aggregate.department_due_date = date.fromisoformat(self.department_due_date)


class Suspended(Aggregate.Event):
    """CaseSuspended: 中止; the case clock stops until the case is resumed."""

    reason: str
    suspended_on: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status_before_suspension = aggregate.status
        aggregate.status = CaseStatus.SUSPENDED
        aggregate.suspended_on = date.fromisoformat(self.suspended_on)


class Resumed(Aggregate.Event):
    """CaseResumed: 续办; ``due_date`` moves by ``suspended_working_days``."""

    note: str
    resumed_on: str
    suspended_working_days: int
    due_date: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = aggregate.status_before_suspension
        aggregate.suspended_on = None
        aggregate.due_date = date.fromisoformat(self.due_date)


class ResultReceived(Aggregate.Event):
    """CaseResultReceived: the department's result came back."""

    outcome: str
    document_number: str
    note: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = CaseStatus.RESULT_RECEIVED
        aggregate.outcome = ResultOutcome(self.outcome)


class ResultDelivered(Aggregate.Event):
    """CaseResultDelivered: 送达, picked up or mailed; signed for by ``signed_by_name``."""

    method: str
    signed_by_name: str
    delivery_address: str
    tracking_number: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = CaseStatus.DELIVERED
        aggregate.delivery_method = DeliveryMethod(self.method)


class Completed(Aggregate.Event):
    """CaseCompleted: 办结; ``on_time`` when ``completed_on`` is not after ``due_date``."""

    completed_on: str
    due_date: str
    on_time: bool
    note: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = CaseStatus.COMPLETED
        aggregate.ended_on = date.fromisoformat(self.completed_on)
        aggregate.on_time = self.on_time


class Terminated(Aggregate.Event):
    """CaseTerminated: 终止, with the reason."""

    reason: str
    terminated_on: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = CaseStatus.TERMINATED
        aggregate.ended_on = date.fromisoformat(self.terminated_on)
        aggregate.termination_reason = self.reason


class FollowUpCalled(Aggregate.Event):
    """CaseFollowUpCalled: 回访; ``satisfied`` is null when not reached or not said."""

    reached: bool
    satisfied: bool | None
    note: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.follow_up_calls += 1
        aggregate.follow_up_reached = self.reached
        aggregate.satisfied = self.satisfied


class Archived(Aggregate.Event):
    """CaseArchived: 归档; the case file is closed."""

    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.status = CaseStatus.ARCHIVED


class Overdue(Aggregate.Event):
    """CaseOverdue: 超期; the due date passed with the case open and its clock running
    (recorded by the deadline scheduler on ``detected_on``, once per due date)."""

    due_on: str
    detected_on: str
    actor: str

    def apply(self, aggregate: Case) -> None:
        aggregate.overdue_due_dates.add(self.due_on)
