"""Projection "worklist": what each staff member has on their plate (工作台).

Four kinds of records, each with the badge (工号) of the staff member it belongs to: the
帮办代办 cases (the responsible member), the complaints (the assignee), the tickets called
to or in service at a window (who called or serves them) and the rectifications (整改; the
staff member the rectification concerns, :mod:`projections.worklist.rectifications`).
Follow-ups are the ended cases and replied complaints whose applicant was not reached yet, and
the rectifications waiting for their staff member's verification call, disposition, ledger
entry or feedback. Rows follow the events alone.

Case, complaint and rectification events are applied in order through the batch's
:class:`~projections.runtime.BatchRows` (:mod:`projections.worklist.records`): a record created
and changed within one batch is one ``INSERT`` at the batch's end, a change to a row of an
earlier batch an ``UPDATE`` at once. Queue-day events are folded per batch
(:mod:`projections.worklist.tickets`) and written at the batch's end, the common ones read from
their stored rows (:mod:`projections.queue_days`), not decoded.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

import psycopg

from projections.queue_days import TOPICS, views
from projections.runtime import Batch, BatchRows, Projection
from projections.worklist.cases import CASE_WRITES, COMPLAINT_WRITES
from projections.worklist.records import Write
from projections.worklist.rectifications import RECTIFICATION_WRITES
from projections.worklist.tickets import TicketFold
from services.queue import QUEUE_DAY_EVENTS

__all__ = ["WorklistProjection"]

WRITES: dict[type, Write] = {**CASE_WRITES, **COMPLAINT_WRITES, **RECTIFICATION_WRITES}
"""The record events: each changes its case's, complaint's or rectification's row."""


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
    raw_topics = TOPICS
    version = 2
    """2: rectification follow-ups (``sql/0002``), the rectifications opened before it too."""

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    def _record(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """One event alone: through the batch's rows when ``conn`` is them, else at once."""
        WRITES[type(event)](BatchRows.of(conn), event, tenant_id, position)

    def _ticket(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        fold = TicketFold(tenant_id)
        fold.add(event, position)
        fold.write(conn)

    for _event_class in WRITES:
        apply.register(_event_class, _record)
    for _event_class in QUEUE_DAY_EVENTS:
        apply.register(_event_class, _ticket)
    del _event_class

    def apply_batch(self, conn: psycopg.Connection[Any], batch: Batch) -> None:
        """Case, complaint and rectification events in order (their new rows written at the
        batch's end); the queue days' events folded, written last (the common ones read from
        their rows: :data:`raw_topics`)."""
        rows = BatchRows(conn)
        tenant_id = batch.tenant_id
        fold = TicketFold(tenant_id)
        add, view, writes = fold.add, views(batch).get, WRITES.get
        for row in batch.rows():
            event: Any = view(row.position)
            if event is None:
                event = batch.decoded(row)
                write = writes(type(event))
                if write is not None:
                    write(rows, event, tenant_id, row.position)
                    continue
            add(event, row.position, row.originator_id)
        rows.flush()
        fold.write(conn)
