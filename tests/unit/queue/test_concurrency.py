"""Concurrent commands on one queue day: optimistic concurrency, retried, never a number twice."""

from __future__ import annotations

import pytest

from services.queue import ConcurrentChangeError, QueueDay, QueueService


@pytest.fixture
def second_kiosk(hall, hall_apps):
    """Another QueueService instance of the same hall (another gateway process)."""
    app = hall_apps(QueueService, "h1")
    app.clock = hall.clock
    return app


def _interleave(app, other, times):
    """Right after ``app`` read the queue day, ``other`` issues a ticket (``times`` times)."""
    original = app.repository.get
    remaining = [times]

    def get(aggregate_id, *args, **kwargs):
        day_id = QueueDay.create_id("h1", "ZH", "2026-03-02")
        try:
            return original(aggregate_id, *args, **kwargs)
        finally:
            if aggregate_id == day_id and remaining[0] > 0:
                remaining[0] -= 1
                other.issue_ticket("ZH", "KIOSK", "kiosk-2")

    app.repository.get = get


def test_a_concurrent_issue_is_retried_and_takes_the_next_number(hall, second_kiosk):
    hall.issue("ZH")  # the day exists
    _interleave(hall.queue, second_kiosk, times=2)
    ticket = hall.queue.issue_ticket("ZH", "KIOSK", "kiosk-1")
    numbers = [t.display_number for t in hall.queue.get_day("ZH").tickets]
    assert numbers == ["A001", "A002", "A003", "A004"]
    assert ticket.display_number == "A004"


def test_the_first_ticket_of_the_day_from_two_kiosks_at_once(hall, second_kiosk):
    _interleave(hall.queue, second_kiosk, times=1)
    assert hall.queue.issue_ticket("ZH", "KIOSK", "kiosk-1").display_number == "A002"


def test_endless_concurrent_changes_end_as_a_conflict(hall, second_kiosk):
    hall.issue("ZH")
    before = [t.number for t in hall.queue.get_day("ZH").tickets]
    _interleave(hall.queue, second_kiosk, times=QueueService.conflict_attempts)
    with pytest.raises(ConcurrentChangeError) as raised:
        hall.queue.issue_ticket("ZH", "KIOSK", "kiosk-1")
    assert raised.value.code == "CONFLICT"
    after = [t.number for t in second_kiosk.get_day("ZH").tickets]
    assert len(after) == len(before) + QueueService.conflict_attempts  # only the other kiosk's


def test_a_call_racing_an_issue_is_retried(hall, second_kiosk):
    hall.issue("ZH")
    _interleave(hall.queue, second_kiosk, times=1)
    assert hall.call("W3").display_number == "A001"
