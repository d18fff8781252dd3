"""Conduct violations (违规记录) of staff members, e.g. found by an inspection."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event

from services.shared.errors import ValidationError
from services.shared.ids import BADGE
from services.supervision.errors import SupervisionStateError
from services.supervision.values import (
    ViolationCategory,
    parse_date,
    parse_enum,
    require_code,
    require_text,
)

__all__ = ["ConductViolation"]

MAX_TEXT = 2000
MAX_POINTS = 100


class ConductViolation(Aggregate):
    """A staff member's conduct violation, with the points it costs in the assessment.

    >>> from datetime import UTC
    >>> v = ConductViolation(hall_id="demo", staff_badge="S001", category="DISCIPLINE",
    ...     description="脱岗", occurred_on="2026-05-06", inspection_id="", points=2,
    ...     actor="sup-1", timestamp=datetime(2026, 5, 6, 8, tzinfo=UTC))
    >>> v.dismissed
    False
    """

    class Recorded(Aggregate.Created):
        """ConductViolationRecorded: a staff member broke the conduct rules."""

        hall_id: str
        staff_badge: str
        category: str
        description: str
        occurred_on: str
        inspection_id: str
        points: int
        actor: str

    class Dismissed(Aggregate.Event):
        """ConductViolationDismissed: the record was found mistaken and no longer counts."""

        reason: str
        actor: str

    @event(Recorded)
    def __init__(
        self,
        hall_id: str,
        staff_badge: str,
        category: str,
        description: str,
        occurred_on: str,
        inspection_id: str,
        points: int,
        actor: str,
        *,
        timestamp: datetime,
    ) -> None:
        self.hall_id = hall_id
        self.staff_badge = require_code(staff_badge, "badge number", pattern=BADGE)
        self.category = parse_enum(ViolationCategory, category, "violation category")
        self.description = require_text(description, "the description", MAX_TEXT)
        self.occurred_on = parse_date(occurred_on, "the date of the violation")
        self.inspection_id = inspection_id
        if not 0 <= points <= MAX_POINTS:
            raise ValidationError(f"points are 0 to {MAX_POINTS}")
        self.points = points
        self.dismissed = False

    def dismiss(self, reason: str, *, now: datetime, actor: str) -> None:
        """Withdraw a mistaken record; it stays in the history, marked dismissed."""
        if self.dismissed:
            raise SupervisionStateError("the violation was already dismissed")
        self._dismissed(require_text(reason, "the reason", MAX_TEXT), actor, timestamp=now)

    @event(Dismissed)
    def _dismissed(self, reason: str, actor: str, *, timestamp: datetime) -> None:
        self.dismissed = True
