"""Projection "worklist": what each staff member has on their plate (工作台).

Four kinds of records, each with the badge (工号) of the staff member it belongs to: the
帮办代办 cases (the responsible member), the complaints (the assignee), the tickets called
to or in service at a window (who called or serves them) and the rectifications (整改; the
staff member the rectification concerns, :mod:`projections.worklist.rectifications`).
Follow-ups are the ended cases and replied complaints whose applicant was not reached yet, and
the rectifications waiting for their staff member's verification call, disposition, ledger
entry or feedback. Rows follow the events alone.

Case, complaint and rectification events are applied one statement each, in order; queue-day
events are folded per batch (:mod:`projections.worklist.tickets`) and written at the batch's
end.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg

from projections.queue_board.statements import Effect, execute
from projections.runtime import Batch, Projection
from projections.worklist.cases import CASE_EFFECTS, COMPLAINT_EFFECTS
from projections.worklist.rectifications import RECTIFICATION_EFFECTS
from projections.worklist.tickets import TicketFold
from services.queue import QUEUE_DAY_EVENTS

__all__ = ["WorklistProjection"]

EFFECTS: dict[type, Effect] = {**CASE_EFFECTS, **COMPLAINT_EFFECTS, **RECTIFICATION_EFFECTS}


class WorklistProjection(Projection):
    """Keeps the ``worklist_*`` tables in step with cases, complaints, tickets and
    rectifications."""

    name = "worklist"
    tables = (
        "worklist_cases",
        "worklist_complaints",
        "worklist_days",
        "worklist_tickets",
        "worklist_rectifications",
    )
    reader_indexes = (
        "worklist_cases_responsible",
        "worklist_complaints_assignee",
        "worklist_tickets_staff",
        "worklist_rectifications_responsible",
    )

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    def _record(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        execute(
            conn,
            EFFECTS[type(event)](event),
            tenant_id=tenant_id,
            position=position,
            originator_id=event.originator_id,
        )

    def _ticket(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        fold = TicketFold(tenant_id)
        fold.add(event, position)
        fold.write(conn)

    for _event_class in EFFECTS:
        apply.register(_event_class, _record)
    for _event_class in QUEUE_DAY_EVENTS:
        apply.register(_event_class, _ticket)
    del _event_class

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        """Case, complaint and rectification events in order; the queue days' events
        folded, written last."""
        fold = TicketFold(batch.tenant_id)
        for position, event in batch.events():
            if type(event) in EFFECTS:
                self._record(event, conn, batch.tenant_id, position)
            else:
                fold.add(event, position)
        fold.write(conn)
