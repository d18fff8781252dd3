"""A window is operated under the staff member's badge (工号) whatever its case: a token whose
subject is ``s1`` acts as member S1, and the tickets record the canonical badge."""

from __future__ import annotations

from services.staff import StaffNotOnDutyError
from tests.unit.queue.support import refused


def test_a_lower_case_badge_calls_serves_and_ends_as_the_member(hall):
    hall.issue("ZH")
    ticket = hall.queue.call_next("W1", "s1", "s1")
    assert ticket.staff_badge == "S1"
    hall.queue.recall_ticket("ZH", ticket.number, " s1", "s1")
    hall.queue.start_service("ZH", ticket.number, "s1", "s1")
    ended = hall.queue.end_service("ZH", ticket.number, "s1", "COMPLETED", "s1")
    assert (ended.ticket.status.value, ended.ticket.staff_badge) == ("ENDED", "S1")
    assert ended.invitation is not None  # the visit's invitation names the member as recorded
    assert ended.invitation.evaluation.staff_badge == "S1"


def test_a_badge_of_no_member_in_any_case_is_still_refused(hall):
    hall.issue("ZH")
    call = hall.queue.call_next
    assert refused(hall.queue, StaffNotOnDutyError, lambda: call("W1", "s9", "s9")) == "FORBIDDEN"
