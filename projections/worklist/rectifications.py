"""What rectification events do to the worklists.

A rectification (整改) is on the worklist of the staff member it concerns — the badge its
``RectificationOpened`` names (the rated staff member, the complainant's respondent, the
inspection finding's staff member; the owner the rectification ledger shows) — while a step
waits for them: the verification call (核实回访, due by ``verification_due_on``), the
disposition after it (立行立改 / 建台账 / 解释说明), the ledger entry (due by ``due_on``) and
the feedback to the rater (反馈). Once fed back it waits for the review (复核, supervisors and
hall admins), no longer for the staff member; a review that reopens it brings it back at the
disposition. Withdrawn (撤销: its bad rating excluded on appeal), nothing is owed any more:
it leaves the list for good. A rectification naming no badge is on nobody's worklist. The
row stays (like a case's after its follow-up); the query keeps only the pending steps.
``since`` is the position and time its current step began.

The rows are written through the batch's rows (:mod:`projections.worklist.records`): a
rectification opened, verified and put on the ledger within one batch is one ``INSERT``.
"""

from __future__ import annotations

from functools import partial

from projections.runtime import BatchRows, RowTable
from projections.worklist.records import Write, change, cleared, day, moved
from services.rectifications.domain import Rectification

__all__ = ["RECTIFICATIONS", "RECTIFICATION_WRITES"]

RECTIFICATIONS = RowTable(
    "worklist_rectifications",
    key=("tenant_id", "rectification_id"),
    columns=(
        "tenant_id",
        "rectification_id",
        "source",
        "window_code",
        "responsible",
        "status",
        "verification_due_on",
        "due_on",
        "since_position",
        "since_at",
        "position",
    ),
)


def _opened(rows: BatchRows, e: Rectification.Opened, tenant_id: str, position: int) -> None:
    """The verification call is owed first; an empty badge names nobody (``NULL``)."""
    row = {
        "tenant_id": tenant_id,
        "rectification_id": e.originator_id,
        "source": e.source,
        "window_code": e.window_code,
        "responsible": e.staff_badge or None,
        "status": "OPEN",
        "verification_due_on": day(e.verification_due_on),
        **moved(e, position),
        "position": position,
    }
    rows.insert(RECTIFICATIONS, row)


_step = partial(change, RECTIFICATIONS, since=True)
"""The rectification's next step begins: its status and when."""

_DEALT_WITH = _step("COMPLETED", due_on=cleared)
"""Fixed at once or explained: the feedback is owed."""

RECTIFICATION_WRITES: dict[type, Write] = {
    Rectification.Opened: _opened,
    Rectification.VerificationCalled: _step("VERIFIED"),
    Rectification.FixedAtOnce: _DEALT_WITH,
    Rectification.Explained: _DEALT_WITH,
    Rectification.LedgerEntered: _step("IN_PROGRESS", due_on=lambda e: day(e.due_on)),
    Rectification.Completed: _step("COMPLETED"),
    Rectification.FedBack: _step("FED_BACK"),
    Rectification.ReviewPassed: change(RECTIFICATIONS, "CLOSED"),
    Rectification.Reopened: _step("VERIFIED", due_on=cleared),
    Rectification.Withdrawn: change(RECTIFICATIONS, "WITHDRAWN"),
}
"""Writes of the rectification events (``RectificationOverdue`` changes no step: the due
dates are on the row already)."""
