"""Interviews (约谈): a staff member, window or department is called to account, e.g. after
ranking last two months running."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.shared.errors import ValidationError
from services.shared.ids import BADGE, PLACE_CODE, stable_id
from services.supervision.errors import SupervisionStateError
from services.supervision.values import (
    IntervieweeKind,
    InterviewStatus,
    parse_date,
    parse_enum,
    require_code,
    require_text,
)

__all__ = ["Interview"]

MAX_TEXT = 2000
MAX_ITEMS = 20


class Interview(Aggregate):
    """One interview (约谈): scheduled, then held (with commitments) or cancelled.

    >>> from datetime import UTC
    >>> i = Interview(hall_id="demo", interviewee_kind="WINDOW", interviewee="W03",
    ...     reason="连续两个月排名末位", source_id="", scheduled_on="2026-06-03", actor="sup-1",
    ...     timestamp=datetime(2026, 6, 1, 2, tzinfo=UTC))
    >>> i.status
    <InterviewStatus.SCHEDULED: 'SCHEDULED'>
    """

    class Scheduled(Aggregate.Created):
        """InterviewScheduled: someone is called to an interview (约谈) on a date."""

        hall_id: str
        interviewee_kind: str
        interviewee: str
        reason: str
        source_id: str
        scheduled_on: str
        actor: str

    class Held(Aggregate.Event):
        """InterviewHeld: the interview took place; the notes and commitments made."""

        notes: str
        commitments: list[str]
        actor: str

    class Cancelled(Aggregate.Event):
        """InterviewCancelled: the interview will not take place."""

        reason: str
        actor: str

    @event(Scheduled)
    def __init__(
        self,
        hall_id: str,
        interviewee_kind: str,
        interviewee: str,
        reason: str,
        source_id: str,
        scheduled_on: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.hall_id = hall_id
        self.interviewee_kind = parse_enum(IntervieweeKind, interviewee_kind, "interviewee kind")
        self.interviewee = require_text(interviewee, "the interviewee", 100)
        if self.interviewee_kind is IntervieweeKind.STAFF:
            require_code(interviewee, "badge number", pattern=BADGE)
        elif self.interviewee_kind is IntervieweeKind.WINDOW:
            require_code(interviewee, "window code", pattern=PLACE_CODE)
        self.reason = require_text(reason, "the reason", MAX_TEXT)
        self.source_id = require_text(source_id, "the source id", 200, optional=True)
        self.scheduled_on: date = parse_date(scheduled_on, "the interview date")
        self.status = InterviewStatus.SCHEDULED

    @staticmethod
    def ranking_interview_id(hall_id: str, window_code: str, period: str) -> UUID:
        """The id of the interview a window is called to for ranking last in the monthly
        window ranking of ``period`` and of the month before: one per window and month."""
        return stable_id(hall_id, "interview", f"ranking/WINDOW/{window_code}/{period}")

    @classmethod
    def called_for_ranking(
        cls,
        *,
        hall_id: str,
        window_code: str,
        period: str,
        reason: str,
        source_id: str,
        scheduled_on: date,
        actor: str,
        now: datetime,
    ) -> Interview:
        """The interview of a window that ranked last two months running, the second being
        ``period``; its id is :meth:`ranking_interview_id`, so it is scheduled once."""
        return cls._create(
            cls.Scheduled,
            id=cls.ranking_interview_id(hall_id, window_code, period),
            hall_id=hall_id,
            interviewee_kind=IntervieweeKind.WINDOW.value,
            interviewee=window_code,
            reason=reason,
            source_id=source_id,
            scheduled_on=scheduled_on.isoformat(),
            actor=actor,
            timestamp=now,
        )

    def hold(self, notes: str, commitments: list[str], *, now: datetime, actor: str) -> None:
        """Record that the interview took place."""
        if self.status is not InterviewStatus.SCHEDULED:
            raise SupervisionStateError(f"the interview is {self.status.value}")
        items = [require_text(c, "a commitment", MAX_TEXT) for c in commitments]
        if len(items) > MAX_ITEMS:
            raise ValidationError(f"at most {MAX_ITEMS} commitments")
        self._held(require_text(notes, "the notes", MAX_TEXT), items, actor, timestamp=now)

    @event(Held)
    def _held(self, notes: str, commitments: list[str], actor: str, *, timestamp: datetime) -> None:
        self.status = InterviewStatus.HELD

    def cancel(self, reason: str, *, now: datetime, actor: str) -> None:
        if self.status is not InterviewStatus.SCHEDULED:
            raise SupervisionStateError(f"the interview is {self.status.value}")
        self._cancelled(require_text(reason, "the reason", MAX_TEXT), actor, timestamp=now)

    @event(Cancelled)
    def _cancelled(self, reason: str, actor: str, *, timestamp: datetime) -> None:
        self.status = InterviewStatus.CANCELLED
