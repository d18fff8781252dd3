"""An applicant's view of their ticket: people ahead are the calls still to come before it."""

from __future__ import annotations

import pytest

from services.halls import CallRule, MissedNumberPolicy
from services.queue import TicketStatus


def _calls_before(hall, number: int) -> int:
    """Serve what W3 (queue ZH only) calls until it calls ``number``: how many came first."""
    calls = 0
    while (ticket := hall.call("W3")).number != number:
        hall.queue.start_service("ZH", ticket.number, "S3", "S3")
        hall.queue.end_service("ZH", ticket.number, "S3", "COMPLETED", "S3")
        calls += 1
    return calls


@pytest.mark.parametrize("rule", list(CallRule))
@pytest.mark.parametrize("policy", [MissedNumberPolicy.REQUEUE, MissedNumberPolicy.DEFER])
def test_people_ahead_are_the_calls_before_the_ticket(hall, rule, policy):
    hall.policies(call_rule=rule, missed_number_policy=policy, missed_number_defer_places=2)
    for group in ["NONE", "NONE", "SENIOR", "NONE"]:
        hall.issue("ZH", priority_group=group)
    hall.issue("ZH", applicant_id="a-1")  # A005
    hall.issue("ZH", priority_group="DISABLED")  # A006: goes first under the priority rule
    missed = hall.call("W3")
    hall.queue.mark_no_show("ZH", missed.number, "S3", "S3")  # back in the line, by policy
    progress = hall.queue.ticket_progress("ZH", 5, "a-1")
    assert progress is not None
    assert progress.ticket.status is TicketStatus.WAITING
    assert progress.people_ahead == _calls_before(hall, 5)
    called = hall.queue.ticket_progress("ZH", 5, "a-1")
    assert called is not None
    assert (called.ticket.status, called.people_ahead) == (TicketStatus.CALLED, None)


def test_a_deferred_number_goes_before_the_holder(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=1)
    hall.issue("ZH")
    hall.issue("ZH")
    hall.issue("ZH", applicant_id="a-1")  # A003
    hall.call("W3")
    assert hall.queue.ticket_progress("ZH", 3, "a-1").people_ahead == 1  # A002
    hall.queue.mark_no_show("ZH", 1, "S3", "S3")  # A001 back one place behind the head
    assert hall.line("ZH") == ["A002", "A001", "A003"]
    assert hall.queue.ticket_progress("ZH", 3, "a-1").people_ahead == 2


def test_only_the_holder_gets_an_answer(hall):
    hall.issue("ZH")  # A001: no applicant id
    hall.issue("ZH", applicant_id="a-1")
    progress = hall.queue.ticket_progress
    assert progress("ZH", 2, "a-1") is not None
    assert progress("ZH", 2, "a-2") is None  # someone else's
    assert progress("ZH", 1, "a-1") is None  # a kiosk ticket without applicant: nobody's
    assert progress("ZH", 1, "") is None
    assert progress("ZH", 3, "a-1") is None  # not issued
    assert progress("ZH", 0, "a-1") is None
    assert progress("BD", 1, "a-1") is None  # no day yet
    assert progress("NOPE", 1, "a-1") is None  # no such queue
