"""Projection "deadlines": every open deadline of the halls' records, met or missed.

One row per (context, record, deadline kind). Rows follow the events' own due dates; the
``overdue_on`` day comes only from the ``…Overdue`` events the deadline scheduler records
(services/scheduler), never from comparing dates with today. A context adds its deadlines
with handlers here (or keeps them in its own register and registers a deadline source
that queries that instead).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

import psycopg

from projections.runtime import Projection
from services.cases.domain import events
from services.complaints.domain import Complaint
from services.rectifications.domain import Rectification
from services.rectifications.values import DeadlineKind

__all__ = ["CASES", "COMPLAINTS", "COMPLETION", "RECTIFICATIONS", "REPLY", "DeadlinesProjection"]

RECTIFICATIONS = "rectifications"
"""The ``context`` of rectification deadlines (整改: verification call, ledger due date)."""
CASES = "cases"
"""The ``context`` of 帮办代办 case deadlines (限时办结)."""
COMPLAINTS = "complaints"
"""The ``context`` of complaint deadlines (the reply, 意见反馈)."""
COMPLETION = "COMPLETION"
"""A case's one deadline: 办结 by its due date; closed while the case clock is stopped."""
REPLY = "REPLY"
"""A complaint's one deadline: the reply by its due date."""

_OPEN = """
INSERT INTO platform_deadlines AS d (tenant_id, context, record_id, deadline, due_on, opened_at,
                                     closed_at, met, overdue_on, position)
VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL, NULL, %s)
ON CONFLICT (tenant_id, context, record_id, deadline) DO UPDATE SET
    due_on = EXCLUDED.due_on, opened_at = EXCLUDED.opened_at, closed_at = NULL, met = NULL,
    overdue_on = CASE WHEN d.due_on = EXCLUDED.due_on THEN d.overdue_on END,
    position = EXCLUDED.position
"""
"""(Re)opens a deadline; a miss stays recorded while the due date is the same (the aggregates
record one ``…Overdue`` per due date)."""
_CLOSE = """
UPDATE platform_deadlines SET closed_at = %s, met = %s, position = %s
WHERE tenant_id = %s AND context = %s AND record_id = %s AND deadline = %s AND closed_at IS NULL
"""
_OVERDUE = """
UPDATE platform_deadlines SET overdue_on = %s, position = %s
WHERE tenant_id = %s AND context = %s AND record_id = %s AND deadline = %s AND due_on = %s
"""


def _open(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    record_id: UUID,
    deadline: str,
    due_on: str,
    at: datetime,
    position: int,
    context: str = RECTIFICATIONS,
) -> None:
    conn.execute(
        _OPEN,
        (tenant_id, context, record_id, deadline, date.fromisoformat(due_on), at, position),
        prepare=True,
    )


def _close(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    record_id: UUID,
    deadline: str,
    at: datetime,
    met: bool | None,
    position: int,
    context: str = RECTIFICATIONS,
) -> None:
    conn.execute(
        _CLOSE,
        (at, met, position, tenant_id, context, record_id, deadline),
        prepare=True,
    )


def _overdue(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    context: str,
    event: Any,
    deadline: str,
    position: int,
) -> None:
    """The scheduler recorded the miss of ``event.due_on`` on ``event.detected_on``."""
    conn.execute(
        _OVERDUE,
        (
            date.fromisoformat(event.detected_on),
            position,
            tenant_id,
            context,
            event.originator_id,
            deadline,
            date.fromisoformat(event.due_on),
        ),
        prepare=True,
    )


class DeadlinesProjection(Projection):
    """Keeps ``platform_deadlines`` in step with the records' deadlines."""

    name = "deadlines"
    tables = ("platform_deadlines",)
    reader_indexes = ("platform_deadlines_open_due",)

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change no deadline."""

    @apply.register
    def _(
        self, event: Rectification.Opened, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        _open(
            conn,
            tenant_id,
            event.originator_id,
            DeadlineKind.VERIFICATION.value,
            event.verification_due_on,
            event.timestamp,
            position,
        )

    @apply.register
    def _(
        self,
        event: Rectification.VerificationCalled,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        _close(
            conn,
            tenant_id,
            event.originator_id,
            DeadlineKind.VERIFICATION.value,
            event.timestamp,
            event.on_time,
            position,
        )

    @apply.register
    def _(
        self,
        event: Rectification.LedgerEntered,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        _open(
            conn,
            tenant_id,
            event.originator_id,
            DeadlineKind.RECTIFICATION.value,
            event.due_on,
            event.timestamp,
            position,
        )

    @apply.register
    def _(
        self,
        event: Rectification.Completed,
        conn: psycopg.Connection,
        tenant_id: str,
        position: int,
    ) -> None:
        _close(
            conn,
            tenant_id,
            event.originator_id,
            DeadlineKind.RECTIFICATION.value,
            event.timestamp,
            event.on_time,
            position,
        )

    @apply.register
    def _(
        self, event: Rectification.Overdue, conn: psycopg.Connection, tenant_id: str, position: int
    ) -> None:
        _overdue(conn, tenant_id, RECTIFICATIONS, event, event.deadline, position)

    # -- 帮办代办 cases: 限时办结, paused while the clock is stopped ---------------------------

    @apply.register
    def _(self, e: events.Accepted, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _open(conn, tenant_id, e.originator_id, COMPLETION, e.due_date, e.timestamp, p, CASES)

    @apply.register
    def _(self, e: events.NoticeIssued, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """一次性告知 in time: the clock stops until the last material arrives."""
        if e.clock_stopped:
            _close(conn, tenant_id, e.originator_id, COMPLETION, e.timestamp, None, p, CASES)

    @apply.register
    def _(
        self, e: events.MaterialsSupplemented, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """补正: with the last material the clock runs again, to the (moved) due date."""
        if not e.outstanding:
            _open(conn, tenant_id, e.originator_id, COMPLETION, e.due_date, e.timestamp, p, CASES)

    @apply.register
    def _(self, e: events.Suspended, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, tenant_id, e.originator_id, COMPLETION, e.timestamp, None, p, CASES)

    @apply.register
    def _(self, e: events.Resumed, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _open(conn, tenant_id, e.originator_id, COMPLETION, e.due_date, e.timestamp, p, CASES)

    @apply.register
    def _(self, e: events.Completed, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, tenant_id, e.originator_id, COMPLETION, e.timestamp, e.on_time, p, CASES)

    @apply.register
    def _(self, e: events.Terminated, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, tenant_id, e.originator_id, COMPLETION, e.timestamp, None, p, CASES)

    @apply.register
    def _(self, e: events.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _overdue(conn, tenant_id, CASES, e, COMPLETION, p)

    # -- complaints: the reply (意见反馈) is due ------------------------------------------------

    @apply.register
    def _(self, e: Complaint.Accepted, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _open(conn, tenant_id, e.originator_id, REPLY, e.due_on, e.timestamp, p, COMPLAINTS)

    @apply.register
    def _(
        self, e: Complaint.DeadlineExtended, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _open(conn, tenant_id, e.originator_id, REPLY, e.due_on, e.timestamp, p, COMPLAINTS)

    @apply.register
    def _(self, e: Complaint.Reopened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _open(conn, tenant_id, e.originator_id, REPLY, e.due_on, e.timestamp, p, COMPLAINTS)

    @apply.register
    def _(self, e: Complaint.Replied, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, tenant_id, e.originator_id, REPLY, e.timestamp, e.on_time, p, COMPLAINTS)

    @apply.register
    def _(self, e: Complaint.Withdrawn, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _close(conn, tenant_id, e.originator_id, REPLY, e.timestamp, None, p, COMPLAINTS)

    @apply.register
    def _(self, e: Complaint.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _overdue(conn, tenant_id, COMPLAINTS, e, REPLY, p)
