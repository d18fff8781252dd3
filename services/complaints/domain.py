"""The complaint aggregate (服务投诉, GB/T 36113): 受理 → 调查 → 处置 → 意见反馈 → 归档.

Deadlines are computed here, from the ``now`` and the working-day calendar the application
passes in, and recorded in the events (ISO dates), so no reader ever recomputes them. Every
command takes ``now`` (the application's clock, or the deadline scheduler's for
``ComplaintOverdue``), which is also the timestamp of the events it records.

Personal data (the contracts' ``x-personal-fields``, sealed per data subject): the
complainant's name, phone and ``facts``, and the free text that carries a person's words or
name — the rejection ``explanation``, the withdrawal and reopening ``reason``, the
investigation ``summary``, the reply ``content``, the follow-up ``comment``. The aggregate
keeps none of them, so a complaint rebuilt after an erasure (``[erased]``) loads as before.

>>> from datetime import UTC
>>> c = Complaint.receive(hall_id="demo", channel="IN_PERSON", anonymous=False, applicant_id="a-1",
...     complainant_name="张三", complainant_phone="13800000000", respondent_window="W01",
...     respondent_badge="", facts="窗口人员态度生硬", evidence=[],
...     now=datetime(2026, 9, 30, 2, tzinfo=UTC), actor="a-1")
>>> c.status, c.created_on == datetime(2026, 9, 30, 2, tzinfo=UTC)
(<ComplaintStatus.RECEIVED: 'RECEIVED'>, True)
"""

from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import Aggregate, event

from services.complaints.errors import (
    ComplaintNotAssignedError,
    ComplaintNotRepliedError,
    ComplaintStateError,
    ExtensionLimitError,
    RespondentRecusalError,
)
from services.complaints.values import (
    APPLICANT_ID,
    PHONE,
    ComplaintChannel,
    ComplaintClass,
    ComplaintStatus,
    Finding,
    RejectionReason,
    parse_enum,
    require_text,
)
from services.halls.policies import HallPolicies
from services.rectifications.values import SYSTEM_ACTOR
from services.shared.errors import ValidationError
from services.shared.ids import PLACE_CODE, canonical_badge, same_badge
from services.shared.working_days import WorkingDayCalendar, local_date

__all__ = ["Complaint"]

S = ComplaintStatus
MAX_FACTS = 5000
MAX_TEXT = 2000
MAX_ITEMS = 20
MAX_EXTENSION_WORKING_DAYS = 30
"""延期: one extension per handling round, of 1 to 30 working days (cf. 《信访工作条例》 art. 36:
延长期限不得超过30日)."""
EXTENSIONS_PER_ROUND = 1
BEFORE_REPLY = frozenset({S.ACCEPTED, S.ASSIGNED, S.INVESTIGATED, S.DISPOSED})
ARCHIVABLE = frozenset({S.REJECTED, S.WITHDRAWN, S.REPLIED, S.FOLLOWED_UP})


def _items(values: list[str], what: str, max_length: int) -> list[str]:
    items = [require_text(v, what, max_length) for v in values]
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"at most {MAX_ITEMS} {what} entries")
    return items


class Complaint(Aggregate):
    """A complaint against a window or staff member of the hall."""

    class Received(Aggregate.Created):
        """ComplaintReceived: a complaint was registered (登记)."""

        hall_id: str
        channel: str
        anonymous: bool
        applicant_id: str
        complainant_name: str
        complainant_phone: str
        respondent_window: str
        respondent_badge: str
        facts: str
        evidence: list[str]
        actor: str

    class Rejected(Aggregate.Event):
        """ComplaintRejected: not accepted (不予受理), with a reason code and the notice given."""

        reason: str
        explanation: str
        actor: str

    class Withdrawn(Aggregate.Event):
        """ComplaintWithdrawn: the complainant withdrew the complaint (撤诉)."""

        reason: str
        actor: str

    class Accepted(Aggregate.Event):
        """ComplaintAccepted: accepted (受理) as a class, with its time limit and due date."""

        complaint_class: str
        time_limit_working_days: int
        due_on: str
        actor: str

    class Assigned(Aggregate.Event):
        """ComplaintAssigned: handed to a handler (承办人 / 承办单位)."""

        assignee: str
        actor: str

    class Investigated(Aggregate.Event):
        """ComplaintInvestigated: the investigation (调查核实) reached a finding."""

        finding: str
        summary: str
        handling_round: int
        actor: str

    class Disposed(Aggregate.Event):
        """ComplaintDisposed: the measures taken (处置)."""

        measures: list[str]
        actor: str

    class DeadlineExtended(Aggregate.Event):
        """ComplaintDeadlineExtended: the due date moved, with the reason (延期)."""

        working_days: int
        reason: str
        previous_due_on: str
        due_on: str
        actor: str

    class Replied(Aggregate.Event):
        """ComplaintReplied: the result was told to the complainant (意见反馈)."""

        content: str
        on_time: bool
        actor: str

    class FollowedUp(Aggregate.Event):
        """ComplaintFollowedUp: the complainant was asked whether satisfied (回访)."""

        applicant_id: str
        satisfied: bool
        comment: str
        actor: str

    class Reopened(Aggregate.Event):
        """ComplaintReopened: handling starts again, with a new due date (重新办理)."""

        reason: str
        handling_round: int
        due_on: str
        actor: str

    class Archived(Aggregate.Event):
        """ComplaintArchived: the file was closed and archived (资料归档)."""

        actor: str

    class Overdue(Aggregate.Event):
        """ComplaintOverdue: the due date passed before the reply (recorded by the deadline
        scheduler, or by an extension granted after it, on ``detected_on``, once per due
        date)."""

        due_on: str
        detected_on: str
        actor: str

    @classmethod
    def receive(
        cls,
        *,
        hall_id: str,
        channel: str,
        anonymous: bool,
        applicant_id: str,
        complainant_name: str,
        complainant_phone: str,
        respondent_window: str,
        respondent_badge: str,
        facts: str,
        evidence: list[str],
        now: datetime,
        actor: str,
    ) -> Complaint:
        """登记: receive a complaint. The checks live here, not in ``__init__``, because
        ``__init__`` also runs when the complaint is read back, and by then the personal
        fields may read as erased (crypto-shredding): an old record must always load."""
        parse_enum(ComplaintChannel, channel, "complaint channel")
        if applicant_id and not APPLICANT_ID.match(applicant_id):
            raise ValidationError(f"invalid applicant id {applicant_id!r}")
        if anonymous and (complainant_name or complainant_phone):
            raise ValidationError("an anonymous complaint carries no name or phone")
        if anonymous and applicant_id:  # the id would tell the respondent who complained
            raise ValidationError("an anonymous complaint names no applicant id")
        if not anonymous and not applicant_id:
            raise ValidationError("a real-name complaint needs the complainant's applicant id")
        if not anonymous and not complainant_name.strip():
            raise ValidationError(
                "a real-name complaint needs the complainant's name (complainantName); "
                "a complainant who gives no name complains anonymously (anonymous: true)"
            )
        if complainant_phone and not PHONE.match(complainant_phone):
            raise ValidationError("invalid phone number")
        if respondent_window and not PLACE_CODE.match(respondent_window):
            raise ValidationError(f"invalid window code {respondent_window!r}")
        if respondent_badge:  # 工号 in its canonical form: s001 is S001 (回避 holds)
            respondent_badge = canonical_badge(respondent_badge)
        require_text(facts, "the facts", MAX_FACTS)
        require_text(complainant_name, "the complainant's name", 100, optional=True)
        _items(evidence, "evidence reference", 500)
        return cls(
            hall_id=hall_id,
            channel=channel,
            anonymous=anonymous,
            applicant_id=applicant_id,
            complainant_name=complainant_name,
            complainant_phone=complainant_phone,
            respondent_window=respondent_window,
            respondent_badge=respondent_badge,
            facts=facts,
            evidence=evidence,
            actor=actor,
            timestamp=now,
        )

    @event(Received)
    def __init__(
        self,
        hall_id: str,
        channel: str,
        anonymous: bool,
        applicant_id: str,
        complainant_name: str,
        complainant_phone: str,
        respondent_window: str,
        respondent_badge: str,
        facts: str,
        evidence: list[str],
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.hall_id = hall_id
        self.channel = ComplaintChannel(channel)
        self.anonymous = anonymous
        self.applicant_id = applicant_id
        self.respondent_window = respondent_window
        self.respondent_badge = respondent_badge
        self.evidence = list(evidence)
        self.status = S.RECEIVED
        self.complaint_class: ComplaintClass | None = None
        self.due_on: date | None = None
        self.assignee = ""
        self.finding: Finding | None = None
        self.measures: list[str] = []
        self.handling_round = 1
        self.replied = False
        self.replied_on_time: bool | None = None
        self.satisfied: bool | None = None
        self.rejection_reason: RejectionReason | None = None
        self.extensions = 0
        self.extensions_this_round = 0
        """延期 granted in the current handling round (the command allows one)."""
        self.overdue: set[str] = set()
        """The due dates (ISO) already recorded as missed (``ComplaintOverdue``)."""

    # -- guards ---------------------------------------------------------------------------

    def _require(self, allowed: frozenset[ComplaintStatus], act: str) -> None:
        if self.status not in allowed:
            raise ComplaintStateError(f"complaint is {self.status.value}; cannot {act}")

    def _recuse(self, person: str, act: str) -> None:
        """回避: the staff member complained about (``respondent_badge``) takes no part in
        handling the complaint: they neither ``act`` nor are the handler it is assigned to."""
        if same_badge(person, self.respondent_badge):  # whatever the case of either
            raise RespondentRecusalError(
                f"回避: {self.respondent_badge} is the respondent of this complaint and cannot "
                f"{act}; another member or a manager does"
            )

    # -- 受理: accept, reject, withdraw ------------------------------------------------------

    def reject(self, reason: str, explanation: str, *, now: datetime, actor: str) -> None:
        """不予受理: refuse the complaint with a reason code and the notice to the complainant."""
        self._require(frozenset({S.RECEIVED}), "reject it")
        self._recuse(actor, "reject it")
        code = parse_enum(RejectionReason, reason, "rejection reason")
        text = require_text(explanation, "the explanation", MAX_TEXT)
        self._rejected(code.value, text, actor, timestamp=now)

    @event(Rejected)
    def _rejected(self, reason: str, explanation: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.REJECTED
        self.rejection_reason = RejectionReason(reason)
        self.replied = True  # the notice of non-acceptance answers the complainant

    def withdraw(self, reason: str, *, now: datetime, actor: str) -> None:
        """撤诉: the complainant withdraws before the reply.

        The complainant withdrawing as themselves may give no reason; staff recording a
        withdrawal for them (by phone, letter, at the window) record how and why, and never
        for a complaint about themselves (回避)."""
        self._require(BEFORE_REPLY | {S.RECEIVED}, "withdraw it")
        by_complainant = bool(self.applicant_id) and actor == self.applicant_id
        if not by_complainant:
            self._recuse(actor, "record its withdrawal")
        text = require_text(reason, "the reason", MAX_TEXT, optional=by_complainant)
        self._withdrawn(text, actor, timestamp=now)

    @event(Withdrawn)
    def _withdrawn(self, reason: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.WITHDRAWN

    def accept(
        self,
        complaint_class: str,
        *,
        now: datetime,
        calendar: WorkingDayCalendar,
        policies: HallPolicies,
        actor: str,
    ) -> None:
        """受理: accept as on-the-spot / referred / intervention; the due date follows the
        hall's simple or complex limit, counted in working days from today."""
        self._require(frozenset({S.RECEIVED}), "accept it")
        self._recuse(actor, "accept it")
        cls = parse_enum(ComplaintClass, complaint_class, "complaint class")
        days = (
            policies.complaint_simple_working_days
            if cls.is_simple
            else policies.complaint_complex_working_days
        )
        due = calendar.add_working_days(local_date(now), days)
        self._accepted(cls.value, days, due.isoformat(), actor, timestamp=now)

    @event(Accepted)
    def _accepted(
        self,
        complaint_class: str,
        time_limit_working_days: int,
        due_on: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.status = S.ACCEPTED
        self.complaint_class = ComplaintClass(complaint_class)
        self.due_on = date.fromisoformat(due_on)

    # -- 调查, 处置 ----------------------------------------------------------------------

    def assign(self, assignee: str, *, now: datetime, actor: str) -> None:
        """Hand the complaint to a handler (or hand it on to another); never to the
        respondent (回避)."""
        self._require(frozenset({S.ACCEPTED, S.ASSIGNED}), "assign it")
        self._recuse(actor, "assign it")
        self._recuse(assignee, "be assigned it")
        self._assigned(require_text(assignee, "the assignee", 100), actor, timestamp=now)

    @event(Assigned)
    def _assigned(self, assignee: str, actor: str, *, timestamp: datetime) -> None:
        self.status = S.ASSIGNED
        self.assignee = assignee

    def investigate(self, finding: str, summary: str, *, now: datetime, actor: str) -> None:
        """调查核实: record the finding (substantiated / partly / not).

        登记转办: a referred complaint is investigated by the unit it was referred to, so
        only once it was assigned; on-the-spot and intervention complaints need no
        referral."""
        self._require(frozenset({S.ACCEPTED, S.ASSIGNED}), "record an investigation")
        if self.complaint_class is ComplaintClass.REFERRED and not self.assignee:
            raise ComplaintNotAssignedError(
                "登记转办: a referred complaint is investigated once it was referred; assign it"
            )
        self._recuse(actor, "investigate it")
        result = parse_enum(Finding, finding, "finding")
        text = require_text(summary, "the summary", MAX_TEXT)
        self._investigated(result.value, text, self.handling_round, actor, timestamp=now)

    @event(Investigated)
    def _investigated(
        self, finding: str, summary: str, handling_round: int, actor: str, *, timestamp: datetime
    ) -> None:
        self.status = S.INVESTIGATED
        self.finding = Finding(finding)

    def dispose(self, measures: list[str], *, now: datetime, actor: str) -> None:
        """处置: record the measures taken (at least one)."""
        self._require(frozenset({S.INVESTIGATED}), "dispose of it")
        self._recuse(actor, "dispose of it")
        items = _items(measures, "measure", MAX_TEXT)
        if not items:
            raise ValidationError("disposing of a complaint needs at least one measure")
        self._disposed(items, actor, timestamp=now)

    @event(Disposed)
    def _disposed(self, measures: list[str], actor: str, *, timestamp: datetime) -> None:
        self.status = S.DISPOSED
        self.measures = list(measures)

    def extend_deadline(
        self,
        working_days: int,
        reason: str,
        *,
        now: datetime,
        calendar: WorkingDayCalendar,
        actor: str,
    ) -> None:
        """延期: move the due date by ``working_days``, with a reason; only before the reply,
        and once per handling round (a reopened round may be extended once again).

        An extension after the due date passed does not undo the miss: when the deadline
        scheduler has not recorded it yet, :class:`Overdue` is recorded first (detected
        today, by the system), so the history says the complaint was overdue."""
        self._require(BEFORE_REPLY, "extend its deadline")
        self._recuse(actor, "extend its deadline")
        if self.extensions_this_round >= EXTENSIONS_PER_ROUND:
            raise ExtensionLimitError(
                f"延期: the deadline of handling round {self.handling_round} was already "
                f"extended (to {self.due_on}); a round is extended once"
            )
        if not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
            raise ValidationError(f"an extension is 1 to {MAX_EXTENSION_WORKING_DAYS} working days")
        text = require_text(reason, "the reason", MAX_TEXT)
        assert self.due_on is not None  # every state before the reply has a due date
        self.mark_overdue(now=now, actor=SYSTEM_ACTOR)
        new_due = calendar.add_working_days(self.due_on, working_days)
        self._deadline_extended(
            working_days, text, self.due_on.isoformat(), new_due.isoformat(), actor, timestamp=now
        )

    @event(DeadlineExtended)
    def _deadline_extended(
        self,
        working_days: int,
        reason: str,
        previous_due_on: str,
        due_on: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.due_on = date.fromisoformat(due_on)
        self.extensions += 1
        self.extensions_this_round += 1

    # -- 意见反馈, 回访, 归档 ---------------------------------------------------------------

    def reply(self, content: str, *, now: datetime, actor: str) -> None:
        """意见反馈: tell the complainant the result; records whether it was on time."""
        self._require(frozenset({S.DISPOSED}), "reply (it must be disposed of first)")
        self._recuse(actor, "reply to it")
        assert self.due_on is not None
        on_time = local_date(now) <= self.due_on
        text = require_text(content, "the reply", MAX_FACTS)
        self._replied(text, on_time, actor, timestamp=now)

    @event(Replied)
    def _replied(self, content: str, on_time: bool, actor: str, *, timestamp: datetime) -> None:
        self.status = S.REPLIED
        self.replied = True
        self.replied_on_time = on_time

    def follow_up(self, satisfied: bool, comment: str, *, now: datetime, actor: str) -> None:
        """回访: ask the complainant whether they are satisfied with the result."""
        self._require(frozenset({S.REPLIED}), "follow it up (reply first)")
        if not self.applicant_id:
            raise ComplaintStateError("an anonymous complaint has nobody to follow up")
        self._recuse(actor, "follow it up")
        text = require_text(comment, "the comment", MAX_TEXT, optional=True)
        self._followed_up(self.applicant_id, satisfied, text, actor, timestamp=now)

    @event(FollowedUp)
    def _followed_up(
        self, applicant_id: str, satisfied: bool, comment: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.status = S.FOLLOWED_UP
        self.satisfied = satisfied

    def reopen(
        self,
        reason: str,
        *,
        now: datetime,
        calendar: WorkingDayCalendar,
        policies: HallPolicies,
        actor: str,
    ) -> None:
        """重新办理: handle again after the reply (e.g. the complainant is not satisfied);
        a new due date follows the hall's complex limit from today."""
        self._require(frozenset({S.REPLIED, S.FOLLOWED_UP}), "reopen it")
        self._recuse(actor, "reopen it")
        text = require_text(reason, "the reason", MAX_TEXT)
        due = calendar.add_working_days(local_date(now), policies.complaint_complex_working_days)
        self._reopened(text, self.handling_round + 1, due.isoformat(), actor, timestamp=now)

    @event(Reopened)
    def _reopened(
        self, reason: str, handling_round: int, due_on: str, actor: str, *, timestamp: datetime
    ) -> None:
        self.status = S.ACCEPTED
        self.handling_round = handling_round
        self.due_on = date.fromisoformat(due_on)
        self.extensions_this_round = 0
        self.finding = None
        self.measures = []
        self.replied = False
        self.replied_on_time = None
        self.satisfied = None

    def archive(self, *, now: datetime, actor: str) -> None:
        """资料归档: close the file; refused until the complainant was answered."""
        if self.status is S.ARCHIVED:
            raise ComplaintStateError("complaint is already ARCHIVED")
        if self.status not in ARCHIVABLE:
            raise ComplaintNotRepliedError(
                f"complaint is {self.status.value}: it was never replied to, so it cannot be "
                "archived"
            )
        self._archived(actor, timestamp=now)

    @event(Archived)
    def _archived(self, actor: str, *, timestamp: datetime) -> None:
        self.status = S.ARCHIVED

    # -- 超期 -----------------------------------------------------------------------------

    def missed_due_date(self, today: date) -> date | None:
        """The due date ``today`` is past before the reply, unless that miss is recorded
        already; else ``None``."""
        if self.status not in BEFORE_REPLY or self.due_on is None:
            return None
        if today <= self.due_on or self.due_on.isoformat() in self.overdue:
            return None
        return self.due_on

    def mark_overdue(self, *, now: datetime, actor: str) -> bool:
        """超期: record :class:`Overdue` when the due date passed before the reply; ``False``
        when nothing is overdue (not yet, replied, withdrawn) or the miss of this due date is
        recorded already, so the check can run any time."""
        today = local_date(now)
        missed = self.missed_due_date(today)
        if missed is None:
            return False
        self._overdue(missed.isoformat(), today.isoformat(), actor, timestamp=now)
        return True

    @event(Overdue)
    def _overdue(self, due_on: str, detected_on: str, actor: str, *, timestamp: datetime) -> None:
        self.overdue.add(due_on)
