"""What case and complaint events do to the worklists.

A 帮办代办 case is on the worklist of its responsible staff member (who accepted it, or took
it over) while it is open, then — once completed or terminated — as a pending follow-up call
(回访) until the applicant was reached or the case archived. A complaint is on its assignee's
worklist while it is handled, then as a pending follow-up once replied (not when anonymous:
nobody to call). ``since`` is the position and time the record entered its current place on
the worklist.

The rows are written through the batch's rows (:mod:`projections.worklist.records`): a case
or complaint received and handled within one batch is one ``INSERT``.
"""

from __future__ import annotations

from functools import partial

from projections.runtime import BatchRows, RowTable
from projections.worklist.records import Write, change, change_in_sql, day, moved
from services.cases.domain import Case, events
from services.complaints.domain import Complaint

__all__ = ["CASES", "CASE_WRITES", "COMPLAINTS", "COMPLAINT_WRITES"]

CASES = RowTable(
    "worklist_cases",
    key=("tenant_id", "case_id"),
    columns=(
        "tenant_id",
        "case_id",
        "item_code",
        "matter",
        "status",
        "status_before_suspension",
        "responsible",
        "due_date",
        "ended_on",
        "follow_up_calls",
        "follow_up_reached",
        "since_position",
        "since_at",
        "position",
    ),
)
COMPLAINTS = RowTable(
    "worklist_complaints",
    key=("tenant_id", "complaint_id"),
    columns=(
        "tenant_id",
        "complaint_id",
        "status",
        "assignee",
        "due_on",
        "has_applicant",
        "respondent_window",
        "since_position",
        "since_at",
        "position",
    ),
)


def _requested(rows: BatchRows, e: events.Requested, tenant_id: str, position: int) -> None:
    """A requested case is on nobody's worklist yet: no one is responsible."""
    row = {
        "tenant_id": tenant_id,
        "case_id": e.originator_id,
        "item_code": e.item_code,
        "matter": e.matter,
        "status": "REQUESTED",
        "follow_up_calls": 0,
        "follow_up_reached": False,
        **moved(e, position),
        "position": position,
    }
    rows.insert(CASES, row)


def _received(rows: BatchRows, e: Complaint.Received, tenant_id: str, position: int) -> None:
    """A received complaint waits for its assignee; an anonymous one has nobody to call back
    (``has_applicant``)."""
    row = {
        "tenant_id": tenant_id,
        "complaint_id": e.originator_id,
        "status": "RECEIVED",
        "has_applicant": bool(e.applicant_id),
        "respondent_window": e.respondent_window,
        **moved(e, position),
        "position": position,
    }
    rows.insert(COMPLAINTS, row)


_case = partial(change, CASES)
"""Set plain values on the event's case."""
_complaint = partial(change, COMPLAINTS)
"""Set plain values on the event's complaint."""


CASE_WRITES: dict[type, Write] = {
    Case.Requested: _requested,
    Case.Accepted: _case(
        "ACCEPTED",
        since=True,
        responsible=lambda e: e.accepted_by,
        due_date=lambda e: day(e.due_date),
    ),
    Case.Reassigned: _case(since=True, responsible=lambda e: e.responsible),
    Case.MaterialsSupplemented: _case(due_date=lambda e: day(e.due_date)),
    Case.SubmittedToDepartment: _case("SUBMITTED"),
    Case.Suspended: change_in_sql(CASES, "status_before_suspension = status, status = 'SUSPENDED'"),
    Case.Resumed: change_in_sql(
        CASES,
        "status = status_before_suspension, status_before_suspension = NULL, due_date = %(due)s",
        due=lambda e: day(e.due_date),
    ),
    Case.ResultReceived: _case("RESULT_RECEIVED"),
    Case.ResultDelivered: _case("DELIVERED"),
    Case.Completed: _case("COMPLETED", since=True, ended_on=lambda e: day(e.completed_on)),
    Case.Terminated: _case("TERMINATED", since=True, ended_on=lambda e: day(e.terminated_on)),
    Case.FollowUpCalled: change_in_sql(
        CASES,
        "follow_up_calls = follow_up_calls + 1, follow_up_reached = %(reached)s",
        reached=lambda e: e.reached,
    ),
    Case.Archived: _case("ARCHIVED"),
}
"""Writes of the case events (a suspension, a resumption and a follow-up call change the row
from its own columns, in SQL)."""

COMPLAINT_WRITES: dict[type, Write] = {
    Complaint.Received: _received,
    Complaint.Rejected: _complaint("REJECTED"),
    Complaint.Withdrawn: _complaint("WITHDRAWN"),
    Complaint.Accepted: _complaint("ACCEPTED", due_on=lambda e: day(e.due_on)),
    Complaint.Assigned: _complaint("ASSIGNED", since=True, assignee=lambda e: e.assignee),
    Complaint.Investigated: _complaint("INVESTIGATED"),
    Complaint.Disposed: _complaint("DISPOSED"),
    Complaint.DeadlineExtended: _complaint(due_on=lambda e: day(e.due_on)),
    Complaint.Replied: _complaint("REPLIED", since=True),
    Complaint.FollowedUp: _complaint("FOLLOWED_UP"),
    Complaint.Reopened: _complaint("ACCEPTED", since=True, due_on=lambda e: day(e.due_on)),
    Complaint.Archived: _complaint("ARCHIVED"),
}
"""Writes of the complaint events."""
