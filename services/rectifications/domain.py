"""The rectification aggregate (整改): a problem found by a bad rating, a complaint or an
inspection, verified, dealt with, fed back and reviewed. Every command takes ``now`` (the
application's clock, or the deadline scheduler's for ``RectificationOverdue``), which is also
the timestamp of the event it records.

>>> from datetime import datetime, UTC
>>> r = Rectification.open(hall_id="demo", source="INSPECTION", source_id="i-1",
...     applicant_id="", window_code="W01", staff_badge="", summary="窗口脱岗",
...     now=datetime(2026, 9, 30, 2, tzinfo=UTC), calendar=WorkingDayCalendar(),
...     policies=HallPolicies(), actor="sup-1")
>>> r.verification_due_on      # National Day holidays are skipped
datetime.date(2026, 10, 8)
>>> r.created_on == datetime(2026, 9, 30, 2, tzinfo=UTC)
True
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.halls.policies import HallPolicies
from services.rectifications.errors import RectificationStateError
from services.rectifications.values import (
    DeadlineKind,
    Disposition,
    FeedbackMethod,
    RectificationSource,
    RectificationStatus,
    WithdrawalReason,
    parse_enum,
    require_text,
)
from services.shared.errors import ValidationError
from services.shared.ids import stable_id
from services.shared.working_days import WorkingDayCalendar, local_date

__all__ = ["Rectification"]

S = RectificationStatus
MAX_TEXT = 2000
MAX_ITEMS = 20
WITHDRAWABLE = frozenset({S.OPEN, S.VERIFIED, S.IN_PROGRESS})
"""The states a rectification is withdrawn from: the work (fixed, rectified or explained)
is not done yet. A completed, fed back or closed one stays as it is."""


def _items(values: list[str], what: str) -> list[str]:
    items = [require_text(v, what, MAX_TEXT) for v in values]
    if not items or len(items) > MAX_ITEMS:
        raise ValidationError(f"give 1 to {MAX_ITEMS} {what} entries")
    return items


class Rectification(Aggregate):
    """One rectification; its id derives from what opened it, so a source opens one."""

    class Opened(Aggregate.Created):
        """RectificationOpened: a problem needs rectifying; the verification call is due."""

        hall_id: str
        source: str
        source_id: str
        applicant_id: str
        window_code: str
        staff_badge: str
        summary: str
        verification_due_on: str
        actor: str

    class VerificationCalled(Aggregate.Event):
        """RectificationVerificationCalled: the verification call (核实回访) was made."""

        applicant_id: str
        contacted: bool
        notes: str
        on_time: bool
        actor: str

    class FixedAtOnce(Aggregate.Event):
        """RectificationFixedAtOnce: 立行立改, the problem was fixed at once."""

        measures: list[str]
        actor: str

    class LedgerEntered(Aggregate.Event):
        """RectificationLedgerEntered: 建台账限期整改, with the plan and its due date."""

        plan: list[str]
        working_days: int
        due_on: str
        actor: str

    class Explained(Aggregate.Event):
        """RectificationExplained: 解释说明, the request has no basis; explained."""

        explanation: str
        actor: str

    class Completed(Aggregate.Event):
        """RectificationCompleted: the ledger entry was rectified (整改完成)."""

        measures: list[str]
        on_time: bool
        actor: str

    class FedBack(Aggregate.Event):
        """RectificationFedBack: the rater (or inspector) was told the result (反馈)."""

        method: str
        content: str
        actor: str

    class ReviewPassed(Aggregate.Event):
        """RectificationReviewPassed: the review (复核) accepted the rectification."""

        note: str
        actor: str

    class Reopened(Aggregate.Event):
        """RectificationReopened: the review did not accept it; dealt with again."""

        reason: str
        handling_round: int
        actor: str

    class Withdrawn(Aggregate.Event):
        """RectificationWithdrawn: 撤销, what opened it no longer stands (its bad rating was
        excluded on appeal, 甄别剔除) before the work was done; nothing more is owed."""

        reason: str
        note: str
        actor: str

    class Overdue(Aggregate.Event):
        """RectificationOverdue: a deadline passed (recorded by the deadline scheduler as
        ``system``, or by a hall admin or supervisor running the overdue check)."""

        deadline: str
        due_on: str
        detected_on: str
        actor: str

    @classmethod
    def open(
        cls,
        *,
        hall_id: str,
        source: str,
        source_id: str,
        applicant_id: str,
        window_code: str,
        staff_badge: str,
        summary: str,
        now: datetime,
        calendar: WorkingDayCalendar,
        policies: HallPolicies,
        actor: str,
    ) -> Rectification:
        """Open a rectification; the verification call is due within the hall's limit."""
        due = calendar.add_working_days(local_date(now), policies.verification_call_working_days)
        return cls(
            hall_id=hall_id,
            source=source,
            source_id=source_id,
            applicant_id=applicant_id,
            window_code=window_code,
            staff_badge=staff_badge,
            summary=summary,
            verification_due_on=due.isoformat(),
            actor=actor,
            timestamp=now,
        )

    @staticmethod
    def create_id(hall_id: str, source: str, source_id: str) -> UUID:
        """The id derives from the source, so one source opens one rectification."""
        return stable_id(hall_id, "rectification", f"{source}/{source_id}")

    @event(Opened)
    def __init__(
        self,
        hall_id: str,
        source: str,
        source_id: str,
        applicant_id: str,
        window_code: str,
        staff_badge: str,
        summary: str,
        verification_due_on: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.hall_id = hall_id
        self.source = parse_enum(RectificationSource, source, "rectification source")
        self.source_id = require_text(source_id, "the source id", 200)
        self.applicant_id = applicant_id
        self.window_code = window_code
        self.staff_badge = staff_badge
        self.summary = require_text(summary, "the summary", MAX_TEXT)
        self.verification_due_on = date.fromisoformat(verification_due_on)
        self.status = S.OPEN
        self.disposition: Disposition | None = None
        self.due_on: date | None = None
        self.handling_round = 1
        self.contacted: bool | None = None
        self.verified_on_time: bool | None = None
        self.completed_on_time: bool | None = None
        self.overdue: set[str] = set()
        """The deadlines already marked overdue, as ``KIND:due-date``."""
        self.withdrawal_reason: WithdrawalReason | None = None

    def _require(self, allowed: Collection[RectificationStatus], act: str) -> None:
        if self.status not in allowed:
            raise RectificationStateError(f"rectification is {self.status.value}; cannot {act}")

    @property
    def is_overdue(self) -> bool:
        """Whether a deadline of the current step was missed (and recorded as missed)."""
        if self.status is S.OPEN:
            return f"{DeadlineKind.VERIFICATION}:{self.verification_due_on}" in self.overdue
        if self.status is S.IN_PROGRESS:
            return f"{DeadlineKind.RECTIFICATION}:{self.due_on}" in self.overdue
        return False

    # -- 核实回访 ---------------------------------------------------------------------------

    def record_verification_call(
        self, contacted: bool, notes: str, *, now: datetime, actor: str
    ) -> None:
        """核实回访: the responsible staff called the rater (or checked the finding)."""
        self._require({S.OPEN}, "record a verification call")
        text = require_text(notes, "the notes", MAX_TEXT)
        on_time = local_date(now) <= self.verification_due_on
        self._verification_called(self.applicant_id, contacted, text, on_time, actor, timestamp=now)

    @event(VerificationCalled)
    def _verification_called(
        self,
        applicant_id: str,
        contacted: bool,
        notes: str,
        on_time: bool,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.status = S.VERIFIED
        self.contacted = contacted
        self.verified_on_time = on_time

    # -- 立行立改 / 建台账限期整改 / 解释说明 ----------------------------------------------------

    def fix_at_once(self, measures: list[str], *, now: datetime, actor: str) -> None:
        """立行立改: the problem was clear and reasonable and is fixed now."""
        self._require({S.VERIFIED}, "fix it at once (verify first)")
        self._fixed_at_once(_items(measures, "measure"), actor, timestamp=now)

    @event(FixedAtOnce)
    def _fixed_at_once(self, measures: list[str], actor: str, *, timestamp: datetime) -> None:
        self.status = S.COMPLETED
        self.disposition = Disposition.FIX_AT_ONCE
        self.due_on = None

    def enter_ledger(
        self,
        plan: list[str],
        *,
        now: datetime,
        calendar: WorkingDayCalendar,
        policies: HallPolicies,
        actor: str,
    ) -> None:
        """建台账限期整改: put it on the ledger, due within the hall's rectification limit."""
        self._require({S.VERIFIED}, "enter it in the ledger (verify first)")
        days = policies.rectification_working_days
        due = calendar.add_working_days(local_date(now), days)
        self._ledger_entered(_items(plan, "plan"), days, due.isoformat(), actor, timestamp=now)

    @event(LedgerEntered)
    def _ledger_entered(
        self, plan: list[str], working_days: int, due_on: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.status = S.IN_PROGRESS
        self.disposition = Disposition.LEDGER
        self.due_on = date.fromisoformat(due_on)

    def explain(self, explanation: str, *, now: datetime, actor: str) -> None:
        """解释说明: the request has no legal basis; it is explained instead."""
        self._require({S.VERIFIED}, "explain it (verify first)")
        text = require_text(explanation, "the explanation", MAX_TEXT)
        self._explained(text, actor, timestamp=now)

    @event(Explained)
    def _explained(self, explanation: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.COMPLETED
        self.disposition = Disposition.EXPLANATION
        self.due_on = None

    def complete(self, measures: list[str], *, now: datetime, actor: str) -> None:
        """整改完成: the ledger entry was rectified; records whether by its due date."""
        self._require({S.IN_PROGRESS}, "complete it (only ledger entries are completed)")
        assert self.due_on is not None
        on_time = local_date(now) <= self.due_on
        self._completed(_items(measures, "measure"), on_time, actor, timestamp=now)

    @event(Completed)
    def _completed(
        self, measures: list[str], on_time: bool, actor: str, *, timestamp: datetime
    ) -> None:
        self.status = S.COMPLETED
        self.completed_on_time = on_time

    # -- 反馈, 复核 -------------------------------------------------------------------------

    def feed_back(self, method: str, content: str, *, now: datetime, actor: str) -> None:
        """反馈: tell the rater (or the inspector) what was done."""
        self._require({S.COMPLETED}, "feed back (complete it first)")
        how = parse_enum(FeedbackMethod, method, "feedback method")
        text = require_text(content, "the feedback", MAX_TEXT)
        self._fed_back(how.value, text, actor, timestamp=now)

    @event(FedBack)
    def _fed_back(self, method: str, content: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.FED_BACK

    def pass_review(self, note: str, *, now: datetime, actor: str) -> None:
        """复核通过: the review accepts the rectification; it is closed."""
        self._require({S.FED_BACK}, "review it (feed back first)")
        text = require_text(note, "the note", MAX_TEXT, optional=True)
        self._review_passed(text, actor, timestamp=now)

    @event(ReviewPassed)
    def _review_passed(self, note: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.CLOSED

    def reopen(self, reason: str, *, now: datetime, actor: str) -> None:
        """复核不通过: the review sends it back for a new disposition."""
        self._require({S.FED_BACK}, "reopen it (only at the review)")
        text = require_text(reason, "the reason", MAX_TEXT)
        self._reopened(text, self.handling_round + 1, actor, timestamp=now)

    @event(Reopened)
    def _reopened(
        self, reason: str, handling_round: int, actor: str, *, timestamp: datetime
    ) -> None:
        self.status = S.VERIFIED
        self.handling_round = handling_round
        self.disposition = None
        self.due_on = None

    # -- 撤销 -----------------------------------------------------------------------------

    @property
    def withdrawable(self) -> bool:
        """Whether :meth:`withdraw` would withdraw it: the work is not done yet."""
        return self.status in WITHDRAWABLE

    def withdraw(self, reason: str, note: str, *, now: datetime, actor: str) -> None:
        """撤销: what opened it no longer stands; only before the work is done (open,
        verified or on the ledger). A completed, fed back or closed rectification stays as
        it is: the work was done, and the rater is told and the review closes it as ever.

        A bad rating excluded on appeal (``RATING_EXCLUDED``) withdraws only the
        rectification that rating opened (source ``BAD_RATING``). Withdrawn, it takes no
        further step and misses no deadline."""
        why = parse_enum(WithdrawalReason, reason, "withdrawal reason")
        if (
            why is WithdrawalReason.RATING_EXCLUDED
            and self.source is not RectificationSource.BAD_RATING
        ):
            raise ValidationError(
                f"a {self.source.value} rectification is not withdrawn for an excluded rating"
            )
        self._require(WITHDRAWABLE, "withdraw it (only before the work is done)")
        text = require_text(note, "the note", MAX_TEXT)
        self._withdrawn(why.value, text, actor, timestamp=now)

    @event(Withdrawn)
    def _withdrawn(self, reason: str, note: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.WITHDRAWN
        self.withdrawal_reason = WithdrawalReason(reason)

    # -- 超期 -----------------------------------------------------------------------------

    def missed_deadline(self, today: date) -> tuple[DeadlineKind, date] | None:
        """The deadline of the current step that ``today`` is past and not yet recorded; a
        rectification past its steps with deadlines (dealt with, closed, withdrawn) has
        none."""
        missed: tuple[DeadlineKind, date] | None = None
        if self.status is S.OPEN:
            missed = (DeadlineKind.VERIFICATION, self.verification_due_on)
        elif self.status is S.IN_PROGRESS and self.due_on is not None:
            missed = (DeadlineKind.RECTIFICATION, self.due_on)
        if missed is None or today <= missed[1] or f"{missed[0]}:{missed[1]}" in self.overdue:
            return None
        return missed

    def mark_overdue(self, *, now: datetime, actor: str) -> bool:
        """Record :class:`Overdue` when the current step's deadline has passed; ``False`` when
        nothing is overdue (a withdrawn rectification never is) or it was already recorded
        (so the check can run any time)."""
        today = local_date(now)
        missed = self.missed_deadline(today)
        if missed is None:
            return False
        self._overdue(
            missed[0].value, missed[1].isoformat(), today.isoformat(), actor, timestamp=now
        )
        return True

    @event(Overdue)
    def _overdue(
        self, deadline: str, due_on: str, detected_on: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.overdue.add(f"{deadline}:{due_on}")
