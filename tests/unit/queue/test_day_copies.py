"""A cached queue day is handed out as an independent deep copy."""

from __future__ import annotations

import copy
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pytest

from services.queue.domain.day import QueueDay
from services.queue.domain.values import TicketStatus

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def _day() -> QueueDay:
    return QueueDay(
        hall_id="h1",
        queue_code="ZH",
        service_day="2026-11-26",
        prefix="A",
        started_at=NOW,
        actor="kiosk",
        timestamp=NOW,
    )


def test_a_deep_copy_shares_no_mutable_state_with_the_original():
    day = _day()
    day.issue("KIOSK", "NONE", "", "", "", NOW, "kiosk")
    day.issue("KIOSK", "NONE", "", "", "", NOW, "kiosk")
    clone = copy.deepcopy(day)
    clone.issue("KIOSK", "NONE", "", "", "", NOW, "kiosk")
    clone.call(1, "W1", "S1", NOW, "S1")
    clone.recall(1, "W1", "S1", NOW, "S1")
    assert len(day.tickets) == 2
    assert len(clone.tickets) == 3
    assert (day.tickets[0].status, day.tickets[0].recalls) == (TicketStatus.WAITING, 0)
    assert (clone.tickets[0].status, clone.tickets[0].recalls) == (TicketStatus.CALLED, 1)
    assert day.line == [1, 2]
    assert clone.line == [2, 3]
    assert [t.number for t in clone.tickets] == [1, 2, 3]
    assert clone.id == day.id
    assert clone.version == day.version + 3


def test_tickets_cannot_be_changed_in_place():
    """A copy shares its tickets with the cached day: only the day's events replace them."""
    day = _day()
    ticket = day.issue("KIOSK", "NONE", "", "", "", NOW, "kiosk")
    with pytest.raises(FrozenInstanceError):
        ticket.status = TicketStatus.CALLED  # type: ignore[misc]
    assert copy.deepcopy(day).tickets[0] is ticket
