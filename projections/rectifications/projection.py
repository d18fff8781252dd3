"""Projection "rectification_ledger": one row per rectification (整改), from its events.

Overdue follows the aggregate: a ``RectificationOverdue`` event (recorded by the deadline
scheduler for the step that is open) sets it; the next step (the verification call, a
disposition, a completion) clears it, and ``missed_deadlines`` keeps the count. Nothing is
compared with today.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime import Projection
from services.rectifications.domain import Rectification
from services.shared.working_days import local_date

__all__ = ["RectificationLedgerProjection"]

_OPENED = """
INSERT INTO rectification_ledger (
    tenant_id, rectification_id, opened_position, source, source_id, applicant_id, window_code,
    staff_badge, summary, status, handling_round, verification_due_on, overdue,
    missed_deadlines, opened_at, opened_on, updated_at, version, position)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'OPEN', 1, %s, false, 0, %s, %s, %s, %s, %s)
"""
_UPDATE = """
UPDATE rectification_ledger SET {sets}, updated_at = %s, version = %s, position = %s
WHERE tenant_id = %s AND rectification_id = %s
"""
_NEXT_STEP = "overdue = false, overdue_deadline = NULL, overdue_since = NULL, handled_by = %s"
"""A new step starts: the missed deadline (if any) was the last step's."""


def _update(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    position: int,
    event: Any,
    sets: str,
    *values: Any,
) -> None:
    """``UPDATE … SET <sets>`` of the event's rectification, with the row's bookkeeping."""
    params = [*values, event.timestamp, event.originator_version, position]
    params += [tenant_id, event.originator_id]
    conn.execute(_UPDATE.format(sets=sets), params, prepare=True)


class RectificationLedgerProjection(Projection):
    """Keeps ``rectification_ledger`` in step with the halls' rectifications."""

    name = "rectification_ledger"
    tables = ("rectification_ledger",)

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(self, e: Rectification.Opened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        conn.execute(
            _OPENED,
            (
                tenant_id,
                e.originator_id,
                p,
                e.source,
                e.source_id,
                e.applicant_id,
                e.window_code,
                e.staff_badge,
                e.summary,
                date.fromisoformat(e.verification_due_on),
                e.timestamp,
                local_date(e.timestamp),
                e.timestamp,
                e.originator_version,
                p,
            ),
            prepare=True,
        )

    @apply.register
    def _(
        self,
        e: Rectification.VerificationCalled,
        conn: psycopg.Connection,
        tenant_id: str,
        p: int,
    ) -> None:
        """核实回访; the notes are personal data and are not kept."""
        sets = f"status = 'VERIFIED', contacted = %s, verified_on_time = %s, {_NEXT_STEP}"
        _update(conn, tenant_id, p, e, sets, e.contacted, e.on_time, e.actor)

    @apply.register
    def _(
        self, e: Rectification.FixedAtOnce, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        sets = f"status = 'COMPLETED', disposition = 'FIX_AT_ONCE', due_on = NULL, {_NEXT_STEP}"
        _update(conn, tenant_id, p, e, sets, e.actor)

    @apply.register
    def _(
        self, e: Rectification.LedgerEntered, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """建台账限期整改: the plan and its due date."""
        sets = (
            "status = 'IN_PROGRESS', disposition = 'LEDGER', plan = %s, working_days = %s,"
            f" due_on = %s, {_NEXT_STEP}"
        )
        due = date.fromisoformat(e.due_on)
        _update(conn, tenant_id, p, e, sets, Jsonb(list(e.plan)), e.working_days, due, e.actor)

    @apply.register
    def _(
        self, e: Rectification.Explained, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        sets = f"status = 'COMPLETED', disposition = 'EXPLANATION', due_on = NULL, {_NEXT_STEP}"
        _update(conn, tenant_id, p, e, sets, e.actor)

    @apply.register
    def _(
        self, e: Rectification.Completed, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        sets = f"status = 'COMPLETED', completed_on_time = %s, {_NEXT_STEP}"
        _update(conn, tenant_id, p, e, sets, e.on_time, e.actor)

    @apply.register
    def _(self, e: Rectification.FedBack, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, f"status = 'FED_BACK', {_NEXT_STEP}", e.actor)

    @apply.register
    def _(
        self, e: Rectification.ReviewPassed, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, "status = 'CLOSED', closed_at = %s", e.timestamp)

    @apply.register
    def _(
        self, e: Rectification.Reopened, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """复核不通过: a new round from the disposition on."""
        sets = (
            "status = 'VERIFIED', handling_round = %s, disposition = NULL, plan = NULL,"
            " working_days = NULL, due_on = NULL, completed_on_time = NULL"
        )
        _update(conn, tenant_id, p, e, sets, e.handling_round)

    @apply.register
    def _(self, e: Rectification.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """超期, recorded by the scheduler for the step that is open."""
        sets = (
            "overdue = true, overdue_deadline = %s, overdue_since = %s,"
            " missed_deadlines = missed_deadlines + 1"
        )
        _update(conn, tenant_id, p, e, sets, e.deadline, date.fromisoformat(e.detected_on))
