"""Projection "rectification_ledger": one row per rectification (整改), from its events.

Overdue follows the aggregate: a ``RectificationOverdue`` event (recorded by the deadline
scheduler for the step that is open) sets it; the next step (the verification call, a
disposition, a completion) or the withdrawal clears it, and ``missed_deadlines`` keeps the
count. Nothing is compared with today. A withdrawn rectification (``RectificationWithdrawn``,
撤销: its bad rating excluded on appeal) is ``WITHDRAWN``, ended (``closed_at``) and never
overdue again; its dates, plan and counts stay as they were.
"""

from __future__ import annotations

from datetime import date
from functools import partial, singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime import BatchRows, BatchRowsProjection, RowTable, update_record
from services.rectifications.domain import Rectification
from services.shared.working_days import local_date

__all__ = ["RectificationLedgerProjection"]

LEDGER = RowTable(
    "rectification_ledger",
    key=("tenant_id", "rectification_id"),
    columns=(
        "tenant_id",
        "rectification_id",
        "opened_position",
        "source",
        "source_id",
        "applicant_id",
        "window_code",
        "staff_badge",
        "summary",
        "status",
        "disposition",
        "handling_round",
        "handled_by",
        "verification_due_on",
        "contacted",
        "verified_on_time",
        "plan",
        "working_days",
        "due_on",
        "completed_on_time",
        "overdue",
        "overdue_deadline",
        "overdue_since",
        "missed_deadlines",
        "opened_at",
        "opened_on",
        "closed_at",
        "updated_at",
        "version",
        "position",
    ),
)
_OVERDUE = """
UPDATE rectification_ledger SET overdue = true, overdue_deadline = %s, overdue_since = %s,
    missed_deadlines = missed_deadlines + 1, updated_at = %s, version = %s, position = %s
WHERE tenant_id = %s AND rectification_id = %s
"""


def _next_step(handled_by: str) -> dict[str, Any]:
    """A new step starts: the missed deadline (if any) was the last step's."""
    return {
        "overdue": False,
        "overdue_deadline": None,
        "overdue_since": None,
        "handled_by": handled_by,
    }


_update = partial(update_record, table=LEDGER)
"""Set columns of the event's rectification, with the row's bookkeeping."""


class RectificationLedgerProjection(BatchRowsProjection):
    """Keeps ``rectification_ledger`` in step with the halls' rectifications."""

    name = "rectification_ledger"
    tables = ("rectification_ledger",)

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(self, e: Rectification.Opened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        row = {
            "tenant_id": tenant_id,
            "rectification_id": e.originator_id,
            "opened_position": p,
            "source": e.source,
            "source_id": e.source_id,
            "applicant_id": e.applicant_id,
            "window_code": e.window_code,
            "staff_badge": e.staff_badge,
            "summary": e.summary,
            "status": "OPEN",
            "handling_round": 1,
            "verification_due_on": date.fromisoformat(e.verification_due_on),
            "overdue": False,
            "missed_deadlines": 0,
            "opened_at": e.timestamp,
            "opened_on": local_date(e.timestamp),
            "updated_at": e.timestamp,
            "version": e.originator_version,
            "position": p,
        }
        BatchRows.of(conn).insert(LEDGER, row)

    @apply.register
    def _(
        self,
        e: Rectification.VerificationCalled,
        conn: psycopg.Connection,
        tenant_id: str,
        p: int,
    ) -> None:
        """核实回访; the notes are personal data and are not kept."""
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="VERIFIED",
            contacted=e.contacted,
            verified_on_time=e.on_time,
            **_next_step(e.actor),
        )

    @apply.register
    def _(
        self, e: Rectification.FixedAtOnce, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="COMPLETED",
            disposition="FIX_AT_ONCE",
            due_on=None,
            **_next_step(e.actor),
        )

    @apply.register
    def _(
        self, e: Rectification.LedgerEntered, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """建台账限期整改: the plan and its due date."""
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="IN_PROGRESS",
            disposition="LEDGER",
            plan=Jsonb(list(e.plan)),
            working_days=e.working_days,
            due_on=date.fromisoformat(e.due_on),
            **_next_step(e.actor),
        )

    @apply.register
    def _(
        self, e: Rectification.Explained, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="COMPLETED",
            disposition="EXPLANATION",
            due_on=None,
            **_next_step(e.actor),
        )

    @apply.register
    def _(
        self, e: Rectification.Completed, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="COMPLETED",
            completed_on_time=e.on_time,
            **_next_step(e.actor),
        )

    @apply.register
    def _(self, e: Rectification.FedBack, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, status="FED_BACK", **_next_step(e.actor))

    @apply.register
    def _(
        self, e: Rectification.ReviewPassed, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, status="CLOSED", closed_at=e.timestamp)

    @apply.register
    def _(
        self, e: Rectification.Reopened, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """复核不通过: a new round from the disposition on."""
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="VERIFIED",
            handling_round=e.handling_round,
            disposition=None,
            plan=None,
            working_days=None,
            due_on=None,
            completed_on_time=None,
        )

    @apply.register
    def _(
        self, e: Rectification.Withdrawn, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """撤销: nothing more is owed; who took the last step stays (the note is not kept)."""
        _update(
            conn,
            tenant_id,
            p,
            e,
            status="WITHDRAWN",
            overdue=False,
            overdue_deadline=None,
            overdue_since=None,
            closed_at=e.timestamp,
        )

    @apply.register
    def _(self, e: Rectification.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """超期, recorded by the scheduler for the step that is open."""
        since = date.fromisoformat(e.detected_on)
        key = (tenant_id, e.originator_id)
        params = (e.deadline, since, e.timestamp, e.originator_version, p, *key)
        BatchRows.of(conn).execute(LEDGER, key, _OVERDUE, params)
