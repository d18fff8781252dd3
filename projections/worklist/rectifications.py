"""What rectification events do to the worklists (pure functions).

A rectification (整改) is on the worklist of the staff member it concerns — the badge its
``RectificationOpened`` names (the rated staff member, the complainant's respondent, the
inspection finding's staff member; the owner the rectification ledger shows) — while a step
waits for them: the verification call (核实回访, due by ``verification_due_on``), the
disposition after it (立行立改 / 建台账 / 解释说明), the ledger entry (due by ``due_on``) and
the feedback to the rater (反馈). Once fed back it waits for the review (复核, supervisors and
hall admins), no longer for the staff member; a review that reopens it brings it back at the
disposition. A rectification naming no badge is on nobody's worklist. The row stays (like a
case's after its follow-up); the query keeps only the pending steps. ``since`` is the
position and time its current step began.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from projections.queue_board.statements import Effect, Statement
from projections.worklist.cases import _SINCE, _day, _update
from services.rectifications.domain import Rectification

__all__ = ["RECTIFICATION_EFFECTS"]

_OPENED = """
INSERT INTO worklist_rectifications (tenant_id, rectification_id, source, window_code,
    responsible, status, verification_due_on, due_on, since_position, since_at, position)
VALUES (%(t)s, %(id)s, %(source)s, %(window)s, NULLIF(%(badge)s, ''), 'OPEN',
        %(verification_due)s, NULL, %(p)s, %(at)s, %(p)s)
"""
_SET = (
    "UPDATE worklist_rectifications SET {sets}, position = %(p)s"
    " WHERE tenant_id = %(t)s AND rectification_id = %(id)s"
)


def _rectification(sets: str, **params: Callable[[Any], object]) -> Effect:
    return _update(_SET, sets, **params)


def _opened(e: Rectification.Opened) -> Sequence[Statement]:
    params = {
        "source": e.source,
        "window": e.window_code,
        "badge": e.staff_badge,
        "verification_due": _day(e.verification_due_on),
        "at": e.timestamp,
    }
    return [(_OPENED, params)]


_DEALT_WITH = _rectification(f"status = 'COMPLETED', due_on = NULL, {_SINCE}")
"""Fixed at once or explained: the feedback is owed."""

RECTIFICATION_EFFECTS: dict[type, Effect] = {
    Rectification.Opened: _opened,
    Rectification.VerificationCalled: _rectification(f"status = 'VERIFIED', {_SINCE}"),
    Rectification.FixedAtOnce: _DEALT_WITH,
    Rectification.Explained: _DEALT_WITH,
    Rectification.LedgerEntered: _rectification(
        f"status = 'IN_PROGRESS', due_on = %(due)s, {_SINCE}", due=lambda e: _day(e.due_on)
    ),
    Rectification.Completed: _rectification(f"status = 'COMPLETED', {_SINCE}"),
    Rectification.FedBack: _rectification(f"status = 'FED_BACK', {_SINCE}"),
    Rectification.ReviewPassed: _rectification("status = 'CLOSED'"),
    Rectification.Reopened: _rectification(f"status = 'VERIFIED', due_on = NULL, {_SINCE}"),
}
"""Effects of the rectification events (``RectificationOverdue`` changes no step: the due
dates are on the row already)."""
