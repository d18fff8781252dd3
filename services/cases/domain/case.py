"""The 帮办代办 case: one applicant's request for help, from request to archive.

The aggregate is its events (:mod:`.events`), its state and guards (:mod:`.state`) and three
groups of commands: request, acceptance and reassignment here, then :mod:`.intake` and
:mod:`.closing`. Commands are verbs that check everything first and then trigger exactly one
event (whose ``apply`` changes the state); a refused command raises a
:class:`~services.cases.domain.errors.CaseError` and triggers nothing. The moment is the
application's clock (``now``), which is also each event's timestamp.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from services.cases.domain import events
from services.cases.domain.closing import ClosingCommands
from services.cases.domain.deadline import due_date
from services.cases.domain.errors import CaseValidationError
from services.cases.domain.intake import IntakeCommands
from services.cases.domain.materials import unique
from services.cases.domain.values import (
    Applicant,
    AssistanceMode,
    RequestChannel,
    parse_enum,
    require_text,
)
from services.cases.domain.values import CaseStatus as S
from services.shared.ids import canonical_badge, same_badge
from services.shared.working_days import WorkingDayCalendar, local_date

__all__ = ["Case"]

_ACTIVE = (S.ACCEPTED, S.SUBMITTED, S.SUSPENDED, S.RESULT_RECEIVED, S.DELIVERED)
_CLOCK_RUNS = (S.ACCEPTED, S.SUBMITTED, S.RESULT_RECEIVED, S.DELIVERED)
"""The statuses in which the case clock can run (not requested, suspended or ended)."""


class Case(IntakeCommands, ClosingCommands, Aggregate):
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
    Overdue = events.Overdue

    def __init__(
        self, hall_id: str, mode: str, item_code: str, matter: str, channel: str, applicant_id: str
    ) -> None:
        # Built from CaseRequested: its personal fields are not taken in, only the key.
        self._begin(hall_id, mode, item_code, matter, channel, applicant_id)

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
            accepted_by=canonical_badge(badge_number),  # s001 is S001
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
        if same_badge(badge_number, self.responsible or ""):
            raise CaseValidationError(f"{badge_number} already handles the case")
        self.trigger_event(
            self.Reassigned,
            responsible=canonical_badge(badge_number),  # s001 is S001
            previous_responsible=self.responsible,
            reason=require_text(reason, "a reassignment reason"),
            actor=actor,
            timestamp=now,
        )

    # --- 超期 -------------------------------------------------------------------------

    def missed_due_date(self, today: date) -> date | None:
        """The due date ``today`` is past while the case is open and its clock runs, unless
        that miss is recorded already; else ``None``."""
        if self.status not in _CLOCK_RUNS or self.clock_stopped or self.due_date is None:
            return None
        if today <= self.due_date or self.due_date.isoformat() in self.overdue_due_dates:
            return None
        return self.due_date

    def mark_overdue(self, *, now: datetime, actor: str) -> bool:
        """超期: record :class:`~services.cases.domain.events.Overdue` when the due date has
        passed; ``False`` when nothing is overdue (not yet, the clock is stopped, the case
        ended) or the miss of this due date is recorded already, so it can run any time."""
        today = local_date(now)
        missed = self.missed_due_date(today)
        if missed is None:
            return False
        self.trigger_event(
            self.Overdue,
            due_on=missed.isoformat(),
            detected_on=today.isoformat(),
            actor=actor,
            timestamp=now,
        )
        return True
