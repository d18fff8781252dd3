"""过号: the missed-number policy (keep, requeue, defer N places) when a holder does not come."""

from __future__ import annotations

import pytest

from services.halls import MissedNumberPolicy
from services.queue import TicketStatus


def _miss_first_of_five(hall):
    for _ in range(5):
        hall.issue("ZH")
    hall.call("W3")
    hall.clock.advance(minutes=3)
    return hall.queue.mark_no_show("ZH", 1, "S3", "S3")


def test_keep_ends_the_ticket_as_a_no_show(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.KEEP)
    missed = _miss_first_of_five(hall)
    assert (missed.status, missed.misses, missed.ended_at) == (
        TicketStatus.NO_SHOW,
        1,
        hall.clock(),
    )
    assert hall.line("ZH") == ["A002", "A003", "A004", "A005"]


def test_requeue_puts_the_ticket_back_at_the_end(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.REQUEUE)
    missed = _miss_first_of_five(hall)
    assert (missed.status, missed.waiting_since) == (TicketStatus.WAITING, hall.clock())
    assert hall.line("ZH") == ["A002", "A003", "A004", "A005", "A001"]


@pytest.mark.parametrize(
    ("places", "line"),
    [
        (0, ["A001", "A002", "A003", "A004", "A005"]),
        (2, ["A002", "A003", "A001", "A004", "A005"]),
        (4, ["A002", "A003", "A004", "A005", "A001"]),
        (9, ["A002", "A003", "A004", "A005", "A001"]),  # fewer waiting: the end
    ],
)
def test_defer_puts_the_ticket_n_places_behind_the_head(hall, places, line):
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=places)
    missed = _miss_first_of_five(hall)
    assert missed.status is TicketStatus.WAITING
    assert missed.waiting_since == missed.issued_at  # keeps its place in time
    assert hall.line("ZH") == line


def test_a_deferred_ticket_is_called_after_n_others(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=2)
    _miss_first_of_five(hall)
    called = []
    for _ in range(3):
        ticket = hall.call("W3")
        called.append(ticket.display_number)
        hall.queue.start_service("ZH", ticket.number, "S3", "S3")
        hall.queue.end_service("ZH", ticket.number, "S3", "COMPLETED", "S3")
    assert called == ["A002", "A003", "A001"]


def test_the_event_records_the_policy_applied(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=3)
    _miss_first_of_five(hall)
    last = list(hall.queue.events.get(hall.queue.get_day("ZH").id))[-1]
    assert (type(last).__name__, last.policy, last.defer_places) == (
        "TicketMarkedNoShow",
        "DEFER",
        3,
    )


def _miss_a_senior_ahead_of(hall, others):
    """A001 (a senior) is called at W3 and missed; ``others`` plain tickets wait behind it."""
    hall.issue("ZH", priority_group="SENIOR")
    for _ in range(others):
        hall.issue("ZH")
    assert hall.call("W3").display_number == "A001"
    return hall.queue.mark_no_show("ZH", 1, "S3", "S3")


def test_a_requeued_priority_ticket_waits_at_the_end_like_any_other(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.REQUEUE)
    _miss_a_senior_ahead_of(hall, others=2)
    assert hall.line("ZH") == ["A002", "A003", "A001"]
    assert [hall.call("W3").display_number] == ["A002"]  # not the senior again at once


def test_a_deferred_priority_ticket_is_called_after_n_others(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=2)
    _miss_a_senior_ahead_of(hall, others=3)
    assert hall.line("ZH") == ["A002", "A003", "A001", "A004"]
    called = []
    for _ in range(3):
        ticket = hall.call("W3")
        called.append(ticket.display_number)
        hall.queue.start_service("ZH", ticket.number, "S3", "S3")
        hall.queue.end_service("ZH", ticket.number, "S3", "COMPLETED", "S3")
    assert called == ["A002", "A003", "A001"]


def test_a_priority_ticket_not_yet_missed_still_goes_before_a_missed_one(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=0)
    _miss_a_senior_ahead_of(hall, others=1)
    hall.issue("ZH", priority_group="DISABLED")  # A003
    assert hall.line("ZH") == ["A001", "A002", "A003"]
    assert hall.call("W3").display_number == "A003"


def test_a_missed_priority_ticket_no_longer_goes_before_the_windows_other_queues(hall):
    """W1 serves ZH and BD: the missed senior, back at ZH's head, is offered by waiting
    time against BD's head (which waited longer), not ahead of it as a priority ticket."""
    hall.policies(missed_number_policy=MissedNumberPolicy.DEFER, missed_number_defer_places=0)
    hall.issue("BD")  # B001, 09:01
    hall.issue("ZH", priority_group="SENIOR")  # A001, 09:02
    assert hall.call("W1").display_number == "A001"
    hall.queue.mark_no_show("ZH", 1, "S1", "S1")
    assert hall.line("ZH") == ["A001"]
    assert hall.call("W1").display_number == "B001"


def test_keep_ends_a_missed_priority_ticket_and_the_next_senior_goes_first(hall):
    hall.policies(missed_number_policy=MissedNumberPolicy.KEEP)
    missed = _miss_a_senior_ahead_of(hall, others=1)
    hall.issue("ZH", priority_group="SENIOR")  # A003
    assert missed.status is TicketStatus.NO_SHOW
    assert hall.line("ZH") == ["A002", "A003"]
    assert hall.call("W3").display_number == "A003"
