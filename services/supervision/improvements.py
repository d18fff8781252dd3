"""Improvement actions (改进措施): what the hall does about an inspection, an assessment,
an interview or a violation, due in working days. Each command's ``now`` (the application's
clock) is also its event's timestamp."""

from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import Aggregate, event

from services.shared.errors import ValidationError
from services.shared.working_days import WorkingDayCalendar, local_date
from services.supervision.errors import SupervisionStateError
from services.supervision.values import ImprovementSource, parse_enum, require_text

__all__ = ["ImprovementAction"]

MAX_TEXT = 2000
MAX_WORKING_DAYS = 365


class ImprovementAction(Aggregate):
    """One improvement action with an owner and a due date.

    >>> from datetime import UTC
    >>> a = ImprovementAction.open(hall_id="demo", title="优化叫号规则", source="ASSESSMENT",
    ...     source_id="", owner="admin-1", working_days=10,
    ...     now=datetime(2026, 9, 30, 2, tzinfo=UTC), calendar=WorkingDayCalendar(),
    ...     actor="sup-1")
    >>> a.due_on
    datetime.date(2026, 10, 20)
    """

    class Opened(Aggregate.Created):
        """ImprovementActionOpened: an improvement action with its due date."""

        hall_id: str
        title: str
        source: str
        source_id: str
        owner: str
        working_days: int
        due_on: str
        actor: str

    class Completed(Aggregate.Event):
        """ImprovementActionCompleted: done, with the result; on time or late."""

        result: str
        on_time: bool
        actor: str

    @classmethod
    def open(
        cls,
        *,
        hall_id: str,
        title: str,
        source: str,
        source_id: str,
        owner: str,
        working_days: int,
        now: datetime,
        calendar: WorkingDayCalendar,
        actor: str,
    ) -> ImprovementAction:
        """Open an action due ``working_days`` Chinese working days from today."""
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            raise ValidationError(f"an action is due in 1 to {MAX_WORKING_DAYS} working days")
        due = calendar.add_working_days(local_date(now), working_days)
        return cls(
            hall_id=hall_id,
            title=title,
            source=source,
            source_id=source_id,
            owner=owner,
            working_days=working_days,
            due_on=due.isoformat(),
            actor=actor,
            timestamp=now,
        )

    @event(Opened)
    def __init__(
        self,
        hall_id: str,
        title: str,
        source: str,
        source_id: str,
        owner: str,
        working_days: int,
        due_on: str,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.hall_id = hall_id
        self.title = require_text(title, "the title", 200)
        self.source = parse_enum(ImprovementSource, source, "improvement source")
        self.source_id = require_text(source_id, "the source id", 200, optional=True)
        self.owner = require_text(owner, "the owner", 100)
        self.due_on = date.fromisoformat(due_on)
        self.completed = False
        self.completed_on_time: bool | None = None

    def complete(self, result: str, *, now: datetime, actor: str) -> None:
        if self.completed:
            raise SupervisionStateError("the improvement action is already completed")
        text = require_text(result, "the result", MAX_TEXT)
        self._completed(text, local_date(now) <= self.due_on, actor, timestamp=now)

    @event(Completed)
    def _completed(self, result: str, on_time: bool, actor: str, *, timestamp: datetime) -> None:
        self.completed = True
        self.completed_on_time = on_time
