"""A prefix is one queue's: queues configured before prefixes were claimed, and releases that
race the first ticket of the day."""

from __future__ import annotations

from typing import Any

from services.queue import QueuePrefixTakenError, QueueService
from services.queue.domain import Queue, QueuePrefix
from tests.unit.queue.support import refused


def _legacy_queue(hall: Any, code: str, prefix: str) -> None:
    """A queue as recorded before QueuePrefix existed: its Queue events only, no claim."""
    queue = Queue(
        hall_id="h1",
        code=code,
        name="旧队列",
        prefix=prefix,
        item_codes=[],
        actor="admin",
        timestamp=hall.clock(),
    )
    hall.queue.save(queue)
    assert hall.queue.get_or_none(QueuePrefix.create_id("h1", prefix)) is None


def test_a_new_queue_cannot_take_the_prefix_of_a_queue_configured_before_claims(hall):
    _legacy_queue(hall, "OLD", "C")
    q = hall.queue
    refused(q, QueuePrefixTakenError, lambda: q.configure_queue("NEW", "新队列", "C", [], "a"))
    assert q.get_or_none(Queue.create_id("h1", "NEW")) is None


def test_a_queue_cannot_move_to_the_prefix_of_a_queue_configured_before_claims(hall):
    _legacy_queue(hall, "OLD", "C")
    q = hall.queue
    refused(q, QueuePrefixTakenError, lambda: q.reconfigure_queue("BD", "帮办代办", "C", [], "a"))
    assert q.get_queue("BD").prefix == "B"


def test_the_current_prefix_of_a_legacy_queue_counts_not_its_first(hall, clock):
    _legacy_queue(hall, "OLD", "C")
    old = hall.queue.get_queue("OLD")
    old.reconfigure("旧队列", "D", [], clock(), "admin")
    hall.queue.save(old)  # moved to D before prefixes were claimed
    clock.advance(days=1)
    assert hall.queue.configure_queue("NEW", "新队列", "C", [], "admin").prefix == "C"
    refused(
        hall.queue,
        QueuePrefixTakenError,
        lambda: hall.queue.configure_queue("NEW2", "新队列二", "D", [], "a"),
    )


def test_a_legacy_queue_moving_away_keeps_its_old_prefix_for_the_day(hall, clock):
    """Its numbers of today carry the old prefix: the claim and the release are recorded
    together, so the prefix is free for other queues from tomorrow."""
    _legacy_queue(hall, "OLD", "C")
    assert hall.issue("OLD").display_number == "C001"
    hall.queue.reconfigure_queue("OLD", "旧队列", "E", [], "admin")
    held = hall.queue.repository.get(QueuePrefix.create_id("h1", "C"))
    assert (held.queue_code, held.released_by, held.free_from) == ("", "OLD", "2026-03-03")
    refused(
        hall.queue,
        QueuePrefixTakenError,
        lambda: hall.queue.reconfigure_queue("BD", "帮办代办", "C", [], "a"),
    )
    clock.advance(days=1)
    hall.queue.reconfigure_queue("BD", "帮办代办", "C", [], "admin")
    assert [hall.issue("OLD").display_number, hall.issue("BD").display_number] == [
        "E001",
        "C001",
    ]


def test_a_prefix_released_racing_the_first_ticket_of_the_day_is_not_used_twice(
    hall, clock, monkeypatch
):
    """The first issue of the day reads the queue (prefix A) just before an administrator
    moves the queue to C, and starts today's day with A: A stays ZH's for today."""
    app = hall.queue
    original = QueueService.get_queue
    raced: list[str] = []

    def get_queue_then_race(self: QueueService, code: str) -> Queue:
        queue = original(self, code)
        if code == "ZH" and not raced:
            raced.append(code)  # a concurrent administrator, saved before this issue
            self.reconfigure_queue("ZH", "综合受理", "C", ["X1"], "admin")
        return queue

    monkeypatch.setattr(app, "get_queue", get_queue_then_race.__get__(app))
    first = app.issue_ticket("ZH", "KIOSK", "kiosk-1")
    monkeypatch.undo()
    assert (raced, first.display_number) == (["ZH"], "A001")
    refused(
        app, QueuePrefixTakenError, lambda: app.reconfigure_queue("BD", "帮办代办", "A", [], "a")
    )
    clock.advance(days=1)
    app.reconfigure_queue("BD", "帮办代办", "A", [], "admin")
    assert [hall.issue("ZH").display_number, hall.issue("BD").display_number] == [
        "C001",
        "A001",
    ]
