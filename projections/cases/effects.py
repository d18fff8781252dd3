"""What each case event after the request does to the case register (pure functions).

One function per event type returns a :class:`Change`: the public event name, the new column
values and the history row's details. Details hold no personal data (no names, addresses or
follow-up notes); the dates are the ones the events carry (China, ISO).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.cases.changes import Expr
from services.cases.domain import Case, events

__all__ = ["EFFECTS", "Change"]


def _day(value: str) -> date:
    """A date the event carries (ISO, China)."""
    return date.fromisoformat(value)


def _overdue_after_restart(due_date: str, restarted_on: str | None, name: str) -> Expr:
    """A recorded miss (``CaseOverdue``) belongs to the due date it missed: it stays while
    the due date stays, and is cleared when the stopped clock moved it (a new deadline) —
    unless the moved due date is already past on the day the clock restarts (the event's
    own dates: a case suspended after missing its due date resumes behind it), which is a
    miss as well; the deadline scheduler records its ``CaseOverdue`` at its next round."""
    due = _day(due_date)
    behind = restarted_on is not None and due < _day(restarted_on)
    return Expr(
        f"(overdue AND due_date IS NOT DISTINCT FROM %({name})s) OR %({name}_behind)s",
        {name: due, f"{name}_behind": behind},
    )


@dataclass(frozen=True)
class Change:
    """How one event changes a case's row, and what its history row says."""

    event: str
    """The public event name (``contracts/events/cases.<name>``)."""
    columns: dict[str, Any]
    details: dict[str, Any]


def _accepted(e: events.Accepted) -> Change:
    columns = {
        "status": "ACCEPTED",
        "first_responsible": e.accepted_by,
        "responsible": e.accepted_by,
        "accepted_on": _day(e.accepted_on),
        "promised_working_days": e.promised_working_days,
        "required_materials": list(e.required_materials),
        "due_date": _day(e.due_date),
        "notice_due_date": _day(e.notice_due_date),
    }
    details = {
        "accepted_by": e.accepted_by,
        "promised_working_days": e.promised_working_days,
        "due_date": e.due_date,
        "notice_due_date": e.notice_due_date,
    }
    return Change("CaseAccepted", columns, details)


def _reassigned(e: events.Reassigned) -> Change:
    details = {
        "responsible": e.responsible,
        "previous_responsible": e.previous_responsible,
        "reason": e.reason,
    }
    return Change("CaseReassigned", {"responsible": e.responsible}, details)


def _checked(e: events.MaterialsChecked) -> Change:
    columns = {"received_materials": list(e.received), "missing_materials": list(e.missing)}
    details = {"received": list(e.received), "missing": list(e.missing)}
    return Change("CaseMaterialsChecked", columns, details)


def _noticed(e: events.NoticeIssued) -> Change:
    """一次性告知: the clock stops (unless the notice came late) until all are supplied."""
    columns = {
        "notice_materials": list(e.materials),
        "outstanding_materials": list(e.materials),
        "notice_issued_on": _day(e.issued_on),
        "notice_stopped_clock": e.clock_stopped,
        "clock_stopped": e.clock_stopped,
    }
    details = {
        "materials": list(e.materials),
        "issued_on": e.issued_on,
        "clock_stopped": e.clock_stopped,
    }
    return Change("CaseOneTimeNoticeIssued", columns, details)


def _supplemented(e: events.MaterialsSupplemented) -> Change:
    """补正: with the last material the clock restarts and the due date moves."""
    columns = {
        "received_materials": Expr(
            "received_materials || %(supplied)s", {"supplied": list(e.materials)}
        ),
        "outstanding_materials": list(e.outstanding),
        "clock_stopped": Expr("notice_stopped_clock AND %(open)s", {"open": bool(e.outstanding)}),
        "clock_stopped_working_days": Expr(
            "clock_stopped_working_days + %(moved)s", {"moved": e.clock_stopped_working_days}
        ),
        "due_date": _day(e.due_date),
        "overdue": _overdue_after_restart(
            e.due_date, None if e.outstanding else e.supplemented_on, "supplemented_due"
        ),
    }
    details = {
        "materials": list(e.materials),
        "outstanding": list(e.outstanding),
        "clock_stopped_working_days": e.clock_stopped_working_days,
        "due_date": e.due_date,
    }
    return Change("CaseMaterialsSupplemented", columns, details)


def _mandate(e: events.MandateSigned) -> Change:
    details = {"identity_verified": e.identity_verified, "identity_method": e.identity_method}
    return Change("CaseMandateSigned", {}, details)


def _handed_over(e: events.MaterialsHandedOver) -> Change:
    details = {"receipt_number": e.receipt_number, "materials": list(e.materials)}
    return Change("CaseMaterialsHandedOver", {}, details)


def _submitted(e: events.SubmittedToDepartment) -> Change:
    columns = {
        "status": "SUBMITTED",
        "department": e.department,
        "acceptance_number": e.acceptance_number,
        "department_due_date": _day(e.department_due_date),
    }
    details = {
        "department": e.department,
        "acceptance_number": e.acceptance_number,
        "department_due_date": e.department_due_date,
    }
    return Change("CaseSubmittedToDepartment", columns, details)


def _suspended(e: events.Suspended) -> Change:
    """中止: the clock stops; the status before it is kept for 续办."""
    columns = {
        "status_before_suspension": Expr("status"),
        "status": "SUSPENDED",
        "clock_stopped": True,
    }
    return Change("CaseSuspended", columns, {"reason": e.reason, "suspended_on": e.suspended_on})


def _resumed(e: events.Resumed) -> Change:
    """续办: back to the status before, the due date moved by the days suspended (still
    overdue when the moved due date is before the day it resumed)."""
    columns = {
        "status": Expr("status_before_suspension"),
        "status_before_suspension": None,
        "clock_stopped": False,
        "clock_stopped_working_days": Expr(
            "clock_stopped_working_days + %(moved)s", {"moved": e.suspended_working_days}
        ),
        "due_date": _day(e.due_date),
        "overdue": _overdue_after_restart(e.due_date, e.resumed_on, "resumed_due"),
    }
    details = {
        "resumed_on": e.resumed_on,
        "suspended_working_days": e.suspended_working_days,
        "due_date": e.due_date,
    }
    return Change("CaseResumed", columns, details)


def _result(e: events.ResultReceived) -> Change:
    columns = {"status": "RESULT_RECEIVED", "outcome": e.outcome}
    details = {"outcome": e.outcome, "document_number": e.document_number}
    return Change("CaseResultReceived", columns, details)


def _delivered(e: events.ResultDelivered) -> Change:
    """送达; who signed and the address are personal data and stay out of the register."""
    details = {"method": e.method, "tracking_number": e.tracking_number}
    return Change("CaseResultDelivered", {"status": "DELIVERED"}, details)


def _completed(e: events.Completed) -> Change:
    """办结; completed after the due date: overdue (超期办结), as the event records."""
    columns = {
        "status": "COMPLETED",
        "ended_on": _day(e.completed_on),
        "on_time": e.on_time,
        "overdue": not e.on_time,
        "due_date": _day(e.due_date),
    }
    details = {"completed_on": e.completed_on, "due_date": e.due_date, "on_time": e.on_time}
    return Change("CaseCompleted", columns, details)


def _terminated(e: events.Terminated) -> Change:
    columns = {"status": "TERMINATED", "ended_on": _day(e.terminated_on)}
    details = {"reason": e.reason, "terminated_on": e.terminated_on}
    return Change("CaseTerminated", columns, details)


def _followed_up(e: events.FollowUpCalled) -> Change:
    """回访; the call's note is personal data and stays out."""
    columns = {
        "follow_up_calls": Expr("follow_up_calls + 1"),
        "satisfied": e.satisfied,
    }
    return Change("CaseFollowUpCalled", columns, {"reached": e.reached, "satisfied": e.satisfied})


def _overdue(e: events.Overdue) -> Change:
    """超期, recorded by the deadline scheduler for the current due date."""
    details = {"due_on": e.due_on, "detected_on": e.detected_on}
    return Change("CaseOverdue", {"overdue": True}, details)


def _archived(e: events.Archived) -> Change:
    return Change("CaseArchived", {"status": "ARCHIVED"}, {})


EFFECTS: dict[type[Any], Callable[[Any], Change]] = {
    Case.Accepted: _accepted,
    Case.Reassigned: _reassigned,
    Case.MaterialsChecked: _checked,
    Case.NoticeIssued: _noticed,
    Case.MaterialsSupplemented: _supplemented,
    Case.MandateSigned: _mandate,
    Case.MaterialsHandedOver: _handed_over,
    Case.SubmittedToDepartment: _submitted,
    Case.Suspended: _suspended,
    Case.Resumed: _resumed,
    Case.ResultReceived: _result,
    Case.ResultDelivered: _delivered,
    Case.Completed: _completed,
    Case.Terminated: _terminated,
    Case.FollowUpCalled: _followed_up,
    Case.Archived: _archived,
    Case.Overdue: _overdue,
}
"""The change of each event type after ``CaseRequested``."""
