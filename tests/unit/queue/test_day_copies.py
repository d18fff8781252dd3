"""A cached queue day is handed out as an independent deep copy."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from services.queue.domain.day import QueueDay

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def test_a_deep_copy_shares_no_mutable_state_with_the_original():
    day = QueueDay(
        hall_id="h1",
        queue_code="ZH",
        service_day="2026-11-26",
        prefix="A",
        started_at=NOW,
        actor="kiosk",
        timestamp=NOW,
    )
    day.issue("KIOSK", "NONE", "", "", "", NOW, "kiosk")
    day.issue("KIOSK", "NONE", "", "", "", NOW, "kiosk")
    clone = copy.deepcopy(day)
    clone.issue("KIOSK", "NONE", "", "", "", NOW, "kiosk")
    clone.tickets[0].status = clone.tickets[1].status
    clone.tickets[0].recalls = 5
    assert len(day.tickets) == 2
    assert len(clone.tickets) == 3
    assert day.tickets[0].recalls == 0
    assert day.line == [1, 2]
    assert clone.line == [1, 2, 3]
    assert [t.number for t in clone.tickets] == [1, 2, 3]
    assert clone.id == day.id
    assert clone.version == day.version + 1
