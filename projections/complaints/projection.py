"""Projection "complaint_register": one row per complaint (GB/T 36113), from its events.

The due date is the one ``ComplaintAccepted`` set, moved by each ``ComplaintDeadlineExtended``
(kept with its reason) and reset by ``ComplaintReopened``. Overdue follows the events: a
``ComplaintOverdue`` (recorded by the deadline scheduler when the due date passed before the
reply) sets it; a new due date (an extension, a reopening) clears it, and the reply sets it
from ``ComplaintReplied.on_time``. Nothing is compared with today.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime import Projection
from services.complaints.domain import Complaint
from services.shared.working_days import local_date

__all__ = ["ComplaintRegisterProjection"]

_RECEIVED = """
INSERT INTO complaint_register (
    tenant_id, complaint_id, received_position, channel, anonymous, applicant_id,
    respondent_window, respondent_badge, status, extensions, extension_count, handling_round,
    overdue, received_at, received_on, updated_at, version, position)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'RECEIVED', '[]', 0, 1, false, %s, %s, %s, %s, %s)
"""
_UPDATE = """
UPDATE complaint_register SET {sets}, updated_at = %s, version = %s, position = %s
WHERE tenant_id = %s AND complaint_id = %s
"""


def _update(
    conn: psycopg.Connection[Any],
    tenant_id: str,
    position: int,
    event: Any,
    sets: str,
    *values: Any,
) -> None:
    """``UPDATE … SET <sets>`` of the event's complaint, with the row's bookkeeping."""
    params = [*values, event.timestamp, event.originator_version, position]
    params += [tenant_id, event.originator_id]
    conn.execute(_UPDATE.format(sets=sets), params, prepare=True)


class ComplaintRegisterProjection(Projection):
    """Keeps ``complaint_register`` in step with the halls' complaints."""

    name = "complaint_register"
    tables = ("complaint_register",)

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(self, e: Complaint.Received, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """登记; the complainant's name, phone and the facts (personal data) are not kept."""
        conn.execute(
            _RECEIVED,
            (
                tenant_id,
                e.originator_id,
                p,
                e.channel,
                e.anonymous,
                e.applicant_id,
                e.respondent_window,
                e.respondent_badge,
                e.timestamp,
                local_date(e.timestamp),
                e.timestamp,
                e.originator_version,
                p,
            ),
            prepare=True,
        )

    @apply.register
    def _(self, e: Complaint.Rejected, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'REJECTED', rejection_reason = %s", e.reason)

    @apply.register
    def _(self, e: Complaint.Withdrawn, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'WITHDRAWN'")

    @apply.register
    def _(self, e: Complaint.Accepted, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """受理: the class sets the time limit; the due date is the event's."""
        due = date.fromisoformat(e.due_on)
        sets = (
            "status = 'ACCEPTED', complaint_class = %s, time_limit_working_days = %s,"
            " accepted_due_on = %s, due_on = %s"
        )
        _update(conn, tenant_id, p, e, sets, e.complaint_class, e.time_limit_working_days, due, due)

    @apply.register
    def _(self, e: Complaint.Assigned, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'ASSIGNED', assignee = %s", e.assignee)

    @apply.register
    def _(
        self, e: Complaint.Investigated, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        _update(conn, tenant_id, p, e, "status = 'INVESTIGATED', finding = %s", e.finding)

    @apply.register
    def _(self, e: Complaint.Disposed, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'DISPOSED'")

    @apply.register
    def _(
        self, e: Complaint.DeadlineExtended, conn: psycopg.Connection, tenant_id: str, p: int
    ) -> None:
        """延期: the new due date, and the extension kept with its reason; a miss recorded
        for the old due date is cleared (the new one is recorded when it passes too)."""
        extension = {
            "working_days": e.working_days,
            "reason": e.reason,
            "previous_due_on": e.previous_due_on,
            "due_on": e.due_on,
            "extended_at": e.timestamp.isoformat(),
            "actor": e.actor,
        }
        sets = (
            "due_on = %s, extensions = extensions || %s, extension_count = extension_count + 1,"
            " overdue = false"
        )
        _update(conn, tenant_id, p, e, sets, date.fromisoformat(e.due_on), Jsonb([extension]))

    @apply.register
    def _(self, e: Complaint.Replied, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """意见反馈; after the due date: overdue, as the event records."""
        sets = "status = 'REPLIED', replied_on_time = %s, overdue = %s"
        _update(conn, tenant_id, p, e, sets, e.on_time, not e.on_time)

    @apply.register
    def _(self, e: Complaint.FollowedUp, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'FOLLOWED_UP', satisfied = %s", e.satisfied)

    @apply.register
    def _(self, e: Complaint.Reopened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """重新办理: a new round with a new due date; the last round's outcome is cleared."""
        sets = (
            "status = 'ACCEPTED', handling_round = %s, due_on = %s, finding = NULL,"
            " replied_on_time = NULL, overdue = false, satisfied = NULL"
        )
        _update(conn, tenant_id, p, e, sets, e.handling_round, date.fromisoformat(e.due_on))

    @apply.register
    def _(self, e: Complaint.Archived, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'ARCHIVED'")

    @apply.register
    def _(self, e: Complaint.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """超期, recorded by the scheduler when the due date passed before the reply."""
        _update(conn, tenant_id, p, e, "overdue = true")
