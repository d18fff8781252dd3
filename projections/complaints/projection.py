"""Projection "complaint_register": one row per complaint (GB/T 36113), from its events.

The due date is the one ``ComplaintAccepted`` set, moved by each ``ComplaintDeadlineExtended``
(kept with its reason) and reset by ``ComplaintReopened``, which also sets the round's limit
(the hall's complex limit, kept from the hall's policy events in
``complaint_register_halls``) and its ``accepted_due_on``.

Overdue follows the events and is a fact of the handling round: a ``ComplaintOverdue``
(recorded by the deadline scheduler, or by a late extension, when a due date passed before
the reply) or a late ``ComplaintReplied`` sets it; an extension moves the due date but does
not undo a miss, and only a reopening (a new round) clears it. ``replied_on_time``: the reply
was by the due date in force and no due date of the round was missed before it. Nothing is
compared with today. ``accepted_on`` and ``replied_on`` (the days in China of the acceptance
and of the round's reply) are what the monthly figures (:mod:`projections.complaints.summary`)
read.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from projections.runtime import Projection
from services.complaints.domain import Complaint
from services.halls import Hall, HallPolicies
from services.shared.working_days import local_date

__all__ = ["ComplaintRegisterProjection"]

_RECEIVED = """
INSERT INTO complaint_register (
    tenant_id, complaint_id, received_position, channel, anonymous, applicant_id,
    respondent_window, respondent_badge, status, extensions, extension_count, handling_round,
    overdue, received_at, received_on, updated_at, version, position)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'RECEIVED', '[]', 0, 1, false, %s, %s, %s, %s, %s)
"""
_HALL = """
INSERT INTO complaint_register_halls (tenant_id, complaint_complex_working_days, position)
VALUES (%s, %s, %s)
ON CONFLICT (tenant_id) DO UPDATE SET
    complaint_complex_working_days = EXCLUDED.complaint_complex_working_days,
    position = EXCLUDED.position
"""
_COMPLEX_LIMIT = "complaint_complex_working_days"
_DEFAULT_COMPLEX_LIMIT = HallPolicies().complaint_complex_working_days
_REOPENED = (
    "status = 'ACCEPTED', handling_round = %s,"
    " time_limit_working_days = COALESCE((SELECT h.complaint_complex_working_days"
    " FROM complaint_register_halls h WHERE h.tenant_id = complaint_register.tenant_id), %s),"
    " accepted_due_on = %s, due_on = %s, finding = NULL, replied_on = NULL,"
    " replied_on_time = NULL, overdue = false, satisfied = NULL"
)
"""A new round: the hall's complex limit (its default for a hall whose policy events the
register has not seen: one migrated before ``complaint_register_halls``, until rebuilt)."""
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
    tables = ("complaint_register", "complaint_register_halls")
    version = 2
    """2: the halls' complex-complaint limits and a reopening's limit and due dates
    (``sql/0002``), a miss kept after an extension, the acceptance and reply days
    (``sql/0003``)."""

    @singledispatchmethod
    def apply(self, event: Any, conn: psycopg.Connection, tenant_id: str, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _(self, e: Hall.Registered, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """A new hall starts with the default limits."""
        conn.execute(_HALL, (tenant_id, _DEFAULT_COMPLEX_LIMIT, p), prepare=True)

    @apply.register
    def _(self, e: Hall.PoliciesChanged, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """The hall's complex limit, the one a reopening follows (all values, not a diff)."""
        limit = int(e.policies.get(_COMPLEX_LIMIT, _DEFAULT_COMPLEX_LIMIT))
        conn.execute(_HALL, (tenant_id, limit, p), prepare=True)

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
        """受理: the class sets the time limit; the due date is the event's; the day (China)
        is where the days to close start."""
        due = date.fromisoformat(e.due_on)
        sets = (
            "status = 'ACCEPTED', complaint_class = %s, time_limit_working_days = %s,"
            " accepted_due_on = %s, due_on = %s, accepted_on = %s"
        )
        values = (e.complaint_class, e.time_limit_working_days, due, due, local_date(e.timestamp))
        _update(conn, tenant_id, p, e, sets, *values)

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
        for an earlier due date stays (an extension does not undo it)."""
        extension = {
            "working_days": e.working_days,
            "reason": e.reason,
            "previous_due_on": e.previous_due_on,
            "due_on": e.due_on,
            "extended_at": e.timestamp.isoformat(),
            "actor": e.actor,
        }
        sets = "due_on = %s, extensions = extensions || %s, extension_count = extension_count + 1"
        _update(conn, tenant_id, p, e, sets, date.fromisoformat(e.due_on), Jsonb([extension]))

    @apply.register
    def _(self, e: Complaint.Replied, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """意见反馈, on its day (China); after the due date: overdue, as the event records. On
        time only when the round missed no due date before (``overdue`` as the row has it
        until now)."""
        sets = (
            "status = 'REPLIED', replied_on = %s, replied_on_time = %s AND NOT overdue,"
            " overdue = overdue OR %s"
        )
        _update(conn, tenant_id, p, e, sets, local_date(e.timestamp), e.on_time, not e.on_time)

    @apply.register
    def _(self, e: Complaint.FollowedUp, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'FOLLOWED_UP', satisfied = %s", e.satisfied)

    @apply.register
    def _(self, e: Complaint.Reopened, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """重新办理: a new round with its limit (the hall's complex limit) and due date, which
        is also the round's ``accepted_due_on``; the last round's outcome is cleared."""
        due = date.fromisoformat(e.due_on)
        values = (e.handling_round, _DEFAULT_COMPLEX_LIMIT, due, due)
        _update(conn, tenant_id, p, e, _REOPENED, *values)

    @apply.register
    def _(self, e: Complaint.Archived, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        _update(conn, tenant_id, p, e, "status = 'ARCHIVED'")

    @apply.register
    def _(self, e: Complaint.Overdue, conn: psycopg.Connection, tenant_id: str, p: int) -> None:
        """超期, recorded when a due date passed before the reply (by the scheduler, or by
        a late extension); kept until the next round."""
        _update(conn, tenant_id, p, e, "overdue = true")
