"""Closing a 帮办代办 case: 中止 / 续办, the department's result, 送达, 办结 / 终止, 回访, 归档."""

from __future__ import annotations

from datetime import datetime

from services.cases.domain.deadline import moved_due_date
from services.cases.domain.errors import CaseValidationError, FollowUpError
from services.cases.domain.state import CaseState
from services.cases.domain.values import (
    AssistanceMode,
    DeliveryMethod,
    ResultOutcome,
    parse_enum,
    require_text,
)
from services.cases.domain.values import CaseStatus as S
from services.shared.working_days import WorkingDayCalendar, local_date

__all__ = ["ClosingCommands"]

_TERMINABLE = (S.REQUESTED, S.ACCEPTED, S.SUBMITTED, S.SUSPENDED, S.RESULT_RECEIVED)


class ClosingCommands(CaseState):
    """The commands from suspension and the department's result to the archive."""

    def suspend(self, reason: str, actor: str, now: datetime) -> None:
        """中止: stop the case clock, with the reason."""
        self._require("suspend", S.ACCEPTED, S.SUBMITTED)
        if self.notice_stopped_clock:  # a late notice stopped nothing: the clock can stop here
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
