"""The 帮办代办 case: one applicant's request for help, from request to archive.

Commands are verbs that check everything first and then trigger exactly one event (whose
``apply`` in :mod:`services.cases.domain.events` changes the state); a refused command
raises a :class:`~services.cases.domain.errors.CaseError` and triggers nothing. The moment
is the application's clock (``now``), which is also each event's timestamp.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from services.cases.domain import events
from services.cases.domain.deadline import due_date, moved_due_date
from services.cases.domain.errors import (
    CaseEndedError,
    CaseStateError,
    CaseSuspendedError,
    CaseValidationError,
    FollowUpError,
    HandOverError,
    MandateError,
    MaterialsIncompleteError,
    ModeNotAllowedError,
    NoticeOutstandingError,
    OneTimeNoticeError,
)
from services.cases.domain.materials import check_received, notice_list, supplied, unique
from services.cases.domain.values import (
    Applicant,
    AssistanceMode,
    CaseStatus,
    DeliveryMethod,
    IdentityMethod,
    RequestChannel,
    ResultOutcome,
    parse_enum,
    require_text,
)
from services.shared.working_days import WorkingDayCalendar, local_date

__all__ = ["Case"]

S = CaseStatus
_ACTIVE = (S.ACCEPTED, S.SUBMITTED, S.SUSPENDED, S.RESULT_RECEIVED, S.DELIVERED)
_TERMINABLE = (S.REQUESTED, S.ACCEPTED, S.SUBMITTED, S.SUSPENDED, S.RESULT_RECEIVED)


class Case(Aggregate):
    """A 帮办代办 case (帮办代办事项) in one hall; see ``docs/domain.md``.

    >>> from datetime import UTC
    >>> now = datetime(2026, 9, 29, 1, tzinfo=UTC)
    >>> case = Case.request(UUID(int=1), "demo", "FULL_AGENCY", "BDB-001", "企业设立登记",
    ...     "HALL", Applicant("a-1", "张三", "110101199003070011", "13800000000"), "u1", now)
    >>> case.accept("S001", 1, 5, ["身份证"], 5, "u2", now, WorkingDayCalendar())
    >>> case.status, case.first_responsible, case.due_date
    (<CaseStatus.ACCEPTED: 'ACCEPTED'>, 'S001', datetime.date(2026, 10, 12))
    """

    Requested = events.Requested
    Accepted = events.Accepted
    Reassigned = events.Reassigned
    MaterialsChecked = events.MaterialsChecked
    NoticeIssued = events.NoticeIssued
    MaterialsSupplemented = events.MaterialsSupplemented
    MandateSigned = events.MandateSigned
    MaterialsHandedOver = events.MaterialsHandedOver
    SubmittedToDepartment = events.SubmittedToDepartment
    Suspended = events.Suspended
    Resumed = events.Resumed
    ResultReceived = events.ResultReceived
    ResultDelivered = events.ResultDelivered
    Completed = events.Completed
    Terminated = events.Terminated
    FollowUpCalled = events.FollowUpCalled
    Archived = events.Archived

    def __init__(
        self, hall_id: str, mode: str, item_code: str, matter: str, channel: str, applicant_id: str
    ) -> None:
        # Built from CaseRequested; its personal fields are not taken in, only the key.
        self.hall_id = hall_id
        self.mode = AssistanceMode(mode)
        self.item_code = item_code
        self.matter = matter
        self.channel = RequestChannel(channel)
        self.applicant_id = applicant_id
        self.status = S.REQUESTED
        self.status_before_suspension = S.REQUESTED
        self.first_responsible: str | None = None
        """首问负责: the staff member who accepted the case; never changes afterwards."""
        self.responsible: str | None = None
        """The staff member handling the case now."""
        self.accepted_on: date | None = None
        self.promised_working_days = 0
        self.due_date: date | None = None
        """限时办结: the case's due date; moves only with a stopped clock."""
        self.notice_due_date: date | None = None
        self.required_materials: list[str] = []
        self.received_materials: list[str] = []
        self.missing_materials: list[str] = []
        self.materials_checked = False
        self.notice_materials: list[str] = []
        self.outstanding_materials: list[str] = []
        self.notice_issued_on: date | None = None
        self.notice_stopped_clock = False
        self.suspended_on: date | None = None
        self.mandate_signed = False
        self.identity_verified = False
        self.identity_method = IdentityMethod.NONE
        self.receipt_number: str | None = None
        self.department: str | None = None
        self.acceptance_number: str | None = None
        self.department_due_date: date | None = None
        self.outcome: ResultOutcome | None = None
        self.delivery_method: DeliveryMethod | None = None
        self.ended_on: date | None = None
        self.on_time: bool | None = None
        self.termination_reason: str | None = None
        self.follow_up_calls = 0
        self.follow_up_reached = False
        self.satisfied: bool | None = None

    @classmethod
    def request(
        cls,
        case_id: UUID,
        hall_id: str,
        mode: str,
        item_code: str,
        matter: str,
        channel: str,
        applicant: Applicant,
        actor: str,
        now: datetime,
    ) -> Case:
        """申请: open a case for ``applicant`` about the service item ``item_code``."""
        checked = applicant.validated()
        if parse_enum(RequestChannel, channel, "channel") is RequestChannel.UNRECORDED:
            raise CaseValidationError("a new request records its channel")
        return cls._create(
            cls.Requested,
            id=case_id,
            timestamp=now,
            hall_id=hall_id,
            mode=parse_enum(AssistanceMode, mode, "mode").value,
            item_code=item_code,
            matter=require_text(matter, "the matter", limit=200),
            channel=channel,
            applicant_id=checked.applicant_id,
            applicant_name=checked.name,
            applicant_id_number=checked.id_number,
            applicant_phone=checked.phone,
            applicant_address=checked.address,
            actor=actor,
        )

    # --- state and guards --------------------------------------------------------------

    @property
    def clock_stopped(self) -> bool:
        """Whether the case clock is stopped now (an open notice that stopped it, or 中止)."""
        notice = self.notice_stopped_clock and bool(self.outstanding_materials)
        return notice or self.status is S.SUSPENDED

    @property
    def materials_complete(self) -> bool:
        """Checked, and every material of the item's list was received or supplied."""
        received = set(self.received_materials)
        return self.materials_checked and all(m in received for m in self.required_materials)

    def _require(self, doing: str, *allowed: CaseStatus) -> None:
        if self.status in allowed:
            return
        if self.status.ended:
            raise CaseEndedError(f"cannot {doing}: the case is {self.status.value.lower()}")
        if self.status is S.SUSPENDED:
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

    # --- 受理 and 首问负责 ------------------------------------------------------------

    def accept(
        self,
        badge_number: str,
        item_revision: int,
        promised_working_days: int,
        required_materials: list[str],
        notice_working_days: int,
        actor: str,
        now: datetime,
        calendar: WorkingDayCalendar,
    ) -> None:
        """受理: ``badge_number`` accepts the case and stays its first responsible.

        限时办结: the due date is the item's promised working days after today.
        """
        self._require("accept", S.REQUESTED)
        today = local_date(now)
        self.trigger_event(
            self.Accepted,
            accepted_by=badge_number,
            accepted_on=today.isoformat(),
            item_revision=item_revision,
            promised_working_days=promised_working_days,
            required_materials=unique(required_materials),
            due_date=due_date(today, promised_working_days, calendar).isoformat(),
            notice_due_date=calendar.add_working_days(today, notice_working_days).isoformat(),
            actor=actor,
            timestamp=now,
        )

    def reassign(self, badge_number: str, reason: str, actor: str, now: datetime) -> None:
        """Hand the case to another staff member; the first responsible does not change."""
        self._require("reassign", *_ACTIVE)
        if badge_number == self.responsible:
            raise CaseValidationError(f"{badge_number} already handles the case")
        self.trigger_event(
            self.Reassigned,
            responsible=badge_number,
            previous_responsible=self.responsible,
            reason=require_text(reason, "a reassignment reason"),
            actor=actor,
            timestamp=now,
        )

    # --- materials and 一次性告知 -------------------------------------------------------

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

    # --- 中止 / 续办 ------------------------------------------------------------------

    def suspend(self, reason: str, actor: str, now: datetime) -> None:
        """中止: stop the case clock, with the reason."""
        self._require("suspend", S.ACCEPTED, S.SUBMITTED)
        self._require_no_open_notice("suspend")
        self.trigger_event(
            self.Suspended,
            reason=require_text(reason, "a suspension reason"),
            suspended_on=local_date(now).isoformat(),
            actor=actor,
            timestamp=now,
        )

    def resume(self, note: str, actor: str, now: datetime, calendar: WorkingDayCalendar) -> None:
        """续办: restart the clock; the due date moves by the working days suspended."""
        self._require("resume", S.SUSPENDED)
        assert self.suspended_on is not None
        today = local_date(now)
        stopped, due = moved_due_date(self._due(), self.suspended_on, today, calendar)
        self.trigger_event(
            self.Resumed,
            note=require_text(note, "a note", empty=True),
            resumed_on=today.isoformat(),
            suspended_working_days=stopped,
            due_date=due.isoformat(),
            actor=actor,
            timestamp=now,
        )

    # --- result and 送达 --------------------------------------------------------------

    def receive_result(
        self, outcome: str, document_number: str, note: str, actor: str, now: datetime
    ) -> None:
        """The department's result (approved or not) comes back to the agent."""
        self._require("receive a result for", S.SUBMITTED)
        self.trigger_event(
            self.ResultReceived,
            outcome=parse_enum(ResultOutcome, outcome, "outcome").value,
            document_number=require_text(
                document_number, "a document number", limit=64, empty=True
            ),
            note=require_text(note, "a note", empty=True),
            actor=actor,
            timestamp=now,
        )

    def deliver(
        self,
        method: str,
        signed_by_name: str,
        delivery_address: str,
        tracking_number: str,
        actor: str,
        now: datetime,
    ) -> None:
        """送达: the result is picked up at the hall or mailed, and signed for."""
        self._require("deliver the result of", S.RESULT_RECEIVED)
        how = parse_enum(DeliveryMethod, method, "delivery method")
        address = require_text(delivery_address, "a delivery address", limit=200, empty=True)
        tracking = require_text(tracking_number, "a tracking number", limit=64, empty=True)
        if how is DeliveryMethod.MAIL and not (address and tracking):
            raise CaseValidationError("mail delivery needs an address and a tracking number")
        if how is DeliveryMethod.PICKUP and (address or tracking):
            raise CaseValidationError("a pickup has no delivery address or tracking number")
        self.trigger_event(
            self.ResultDelivered,
            method=how.value,
            signed_by_name=require_text(signed_by_name, "the name of who signed", limit=100),
            delivery_address=address,
            tracking_number=tracking,
            actor=actor,
            timestamp=now,
        )

    # --- 办结 / 终止, 回访, 归档 ----------------------------------------------------------

    def complete(self, note: str, actor: str, now: datetime) -> None:
        """办结, recording whether it was on time: 全程代办 (and any case that took the
        materials) after delivery; 环节帮办 also once accepted; 现场导办 once accepted."""
        if self.mode is AssistanceMode.FULL_AGENCY or self.receipt_number is not None:
            self._require("complete", S.DELIVERED)
        elif self.mode is AssistanceMode.STEP_ASSISTANCE:
            self._require("complete", S.ACCEPTED, S.DELIVERED)
        else:
            self._require("complete", S.ACCEPTED)
        self._require_no_open_notice("complete")
        today = local_date(now)
        self.trigger_event(
            self.Completed,
            completed_on=today.isoformat(),
            due_date=self._due().isoformat(),
            on_time=today <= self._due(),
            note=require_text(note, "a note", empty=True),
            actor=actor,
            timestamp=now,
        )

    def terminate(self, reason: str, actor: str, now: datetime) -> None:
        """终止: end the case unfinished, with the reason (not after delivery: complete it)."""
        self._require("terminate", *_TERMINABLE)
        self.trigger_event(
            self.Terminated,
            reason=require_text(reason, "a termination reason"),
            terminated_on=local_date(now).isoformat(),
            actor=actor,
            timestamp=now,
        )

    def record_follow_up(
        self, reached: bool, satisfied: bool | None, note: str, actor: str, now: datetime
    ) -> None:
        """回访: call the applicant after the case ended; retry until they are reached."""
        self._require("follow up", S.COMPLETED, S.TERMINATED)
        if self.follow_up_reached:
            raise FollowUpError("the applicant was already reached by a follow-up call")
        if not reached and satisfied is not None:
            raise CaseValidationError("an unreached applicant cannot say whether satisfied")
        self.trigger_event(
            self.FollowUpCalled,
            reached=reached,
            satisfied=satisfied,
            note=require_text(note, "a note", empty=True),
            actor=actor,
            timestamp=now,
        )

    def archive(self, actor: str, now: datetime) -> None:
        """归档: close the file of an ended case that had its follow-up call."""
        self._require("archive", S.COMPLETED, S.TERMINATED)
        if not self.follow_up_calls:
            raise FollowUpError("archive only after a follow-up call (回访)")
        self.trigger_event(self.Archived, actor=actor, timestamp=now)
