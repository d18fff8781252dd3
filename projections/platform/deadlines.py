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
from services.rectifications.domain import Rectification
from services.rectifications.values import DeadlineKind

__all__ = ["RECTIFICATIONS", "DeadlinesProjection"]

RECTIFICATIONS = "rectifications"
"""The ``context`` of rectification deadlines (整改: verification call, ledger due date)."""

_OPEN = """
INSERT INTO platform_deadlines AS d (tenant_id, context, record_id, deadline, due_on, opened_at,
                                     closed_at, met, overdue_on, position)
VALUES (%s, %s, %s, %s, %s, %s, NULL, NULL, NULL, %s)
ON CONFLICT (tenant_id, context, record_id, deadline) DO UPDATE SET
    due_on = EXCLUDED.due_on, opened_at = EXCLUDED.opened_at, closed_at = NULL, met = NULL,
    overdue_on = NULL, position = EXCLUDED.position
"""
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
) -> None:
    conn.execute(
        _OPEN,
        (tenant_id, RECTIFICATIONS, record_id, deadline, date.fromisoformat(due_on), at, position),
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
) -> None:
    conn.execute(
        _CLOSE,
        (at, met, position, tenant_id, RECTIFICATIONS, record_id, deadline),
        prepare=True,
    )


class DeadlinesProjection(Projection):
    """Keeps ``platform_deadlines`` in step with the records' deadlines."""

    name = "deadlines"
    tables = ("platform_deadlines",)

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
        conn.execute(
            _OVERDUE,
            (
                date.fromisoformat(event.detected_on),
                position,
                tenant_id,
                RECTIFICATIONS,
                event.originator_id,
                event.deadline,
                date.fromisoformat(event.due_on),
            ),
            prepare=True,
        )
