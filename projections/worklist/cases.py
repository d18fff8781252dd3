"""What case and complaint events do to the worklists (pure functions).

A 帮办代办 case is on the worklist of its responsible staff member (who accepted it, or took
it over) while it is open, then — once completed or terminated — as a pending follow-up call
(回访) until the applicant was reached or the case archived. A complaint is on its assignee's
worklist while it is handled, then as a pending follow-up once replied (not when anonymous:
nobody to call). ``since`` is the position and time the record entered its current place on
the worklist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from projections.queue_board.statements import Effect, Statement
from services.cases.domain import Case, events
from services.complaints.domain import Complaint

__all__ = ["CASE_EFFECTS", "COMPLAINT_EFFECTS"]

_CASE = """
INSERT INTO worklist_cases (tenant_id, case_id, item_code, matter, status, responsible,
    follow_up_calls, follow_up_reached, since_position, since_at, position)
VALUES (%(t)s, %(id)s, %(item)s, %(matter)s, 'REQUESTED', NULL, 0, false, %(p)s, %(at)s, %(p)s)
"""
_CASE_SET = (
    "UPDATE worklist_cases SET {sets}, position = %(p)s"
    " WHERE tenant_id = %(t)s AND case_id = %(id)s"
)
_SINCE = "since_position = %(p)s, since_at = %(at)s"
_COMPLAINT = """
INSERT INTO worklist_complaints (tenant_id, complaint_id, status, assignee, due_on,
    has_applicant, respondent_window, since_position, since_at, position)
VALUES (%(t)s, %(id)s, 'RECEIVED', NULL, NULL, %(has_applicant)s, %(window)s, %(p)s, %(at)s,
        %(p)s)
"""
_COMPLAINT_SET = (
    "UPDATE worklist_complaints SET {sets}, position = %(p)s"
    " WHERE tenant_id = %(t)s AND complaint_id = %(id)s"
)


def _update(template: str, sets: str, **params: Callable[[Any], object]) -> Effect:
    """An update of one record's row: ``sets`` with ``params`` computed from the event
    (``%(at)s`` is the event's time)."""
    sql = template.format(sets=sets)

    def effect(e: Any) -> Sequence[Statement]:
        values = {name: get(e) for name, get in params.items()}
        return [(sql, {"at": e.timestamp, **values})]

    return effect


def _case(sets: str, **params: Callable[[Any], object]) -> Effect:
    return _update(_CASE_SET, sets, **params)


def _complaint(sets: str, **params: Callable[[Any], object]) -> Effect:
    return _update(_COMPLAINT_SET, sets, **params)


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _requested(e: events.Requested) -> Sequence[Statement]:
    return [(_CASE, {"item": e.item_code, "matter": e.matter, "at": e.timestamp})]


def _received(e: Complaint.Received) -> Sequence[Statement]:
    params = {
        "has_applicant": bool(e.applicant_id),
        "window": e.respondent_window,
        "at": e.timestamp,
    }
    return [(_COMPLAINT, params)]


CASE_EFFECTS: dict[type, Effect] = {
    Case.Requested: _requested,
    Case.Accepted: _case(
        f"status = 'ACCEPTED', responsible = %(who)s, due_date = %(due)s, {_SINCE}",
        who=lambda e: e.accepted_by,
        due=lambda e: _day(e.due_date),
    ),
    Case.Reassigned: _case(f"responsible = %(who)s, {_SINCE}", who=lambda e: e.responsible),
    Case.MaterialsSupplemented: _case("due_date = %(due)s", due=lambda e: _day(e.due_date)),
    Case.SubmittedToDepartment: _case("status = 'SUBMITTED'"),
    Case.Suspended: _case("status_before_suspension = status, status = 'SUSPENDED'"),
    Case.Resumed: _case(
        "status = status_before_suspension, status_before_suspension = NULL, due_date = %(due)s",
        due=lambda e: _day(e.due_date),
    ),
    Case.ResultReceived: _case("status = 'RESULT_RECEIVED'"),
    Case.ResultDelivered: _case("status = 'DELIVERED'"),
    Case.Completed: _case(
        f"status = 'COMPLETED', ended_on = %(on)s, {_SINCE}", on=lambda e: _day(e.completed_on)
    ),
    Case.Terminated: _case(
        f"status = 'TERMINATED', ended_on = %(on)s, {_SINCE}",
        on=lambda e: _day(e.terminated_on),
    ),
    Case.FollowUpCalled: _case(
        "follow_up_calls = follow_up_calls + 1, follow_up_reached = %(reached)s",
        reached=lambda e: e.reached,
    ),
    Case.Archived: _case("status = 'ARCHIVED'"),
}
"""Effects of the case events."""

COMPLAINT_EFFECTS: dict[type, Effect] = {
    Complaint.Received: _received,
    Complaint.Rejected: _complaint("status = 'REJECTED'"),
    Complaint.Withdrawn: _complaint("status = 'WITHDRAWN'"),
    Complaint.Accepted: _complaint(
        "status = 'ACCEPTED', due_on = %(due)s", due=lambda e: _day(e.due_on)
    ),
    Complaint.Assigned: _complaint(
        f"status = 'ASSIGNED', assignee = %(who)s, {_SINCE}", who=lambda e: e.assignee
    ),
    Complaint.Investigated: _complaint("status = 'INVESTIGATED'"),
    Complaint.Disposed: _complaint("status = 'DISPOSED'"),
    Complaint.DeadlineExtended: _complaint("due_on = %(due)s", due=lambda e: _day(e.due_on)),
    Complaint.Replied: _complaint(f"status = 'REPLIED', {_SINCE}"),
    Complaint.FollowedUp: _complaint("status = 'FOLLOWED_UP'"),
    Complaint.Reopened: _complaint(
        f"status = 'ACCEPTED', due_on = %(due)s, {_SINCE}", due=lambda e: _day(e.due_on)
    ),
    Complaint.Archived: _complaint("status = 'ARCHIVED'"),
}
"""Effects of the complaint events."""
