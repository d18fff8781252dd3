"""Test support shared by the places, staff and queue tests: a settable clock, refusal checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder

from services.shared.application import HallApplication
from services.shared.errors import DomainError

A = TypeVar("A", bound=HallApplication)

MONDAY_9AM = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 in Beijing."""


class Clock:
    """A clock the test sets: ``clock()`` is now, ``clock.advance(minutes=5)`` moves it."""

    def __init__(self, now: datetime = MONDAY_9AM) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def refused(app: HallApplication, error: type[DomainError], command: Callable[[], Any]) -> str:
    """Run ``command``, expect ``error``, and check nothing was recorded; returns the code."""
    before = app.recorder.max_notification_id()
    with pytest.raises(error) as raised:
        command()
    assert app.recorder.max_notification_id() == before, "a refused command recorded events"
    return raised.value.code


def in_memory(app_cls: type[A], hall_id: str, recorder: ApplicationRecorder) -> A:
    """``app_cls`` for ``hall_id`` on ``recorder`` (like the ``hall_apps`` fixture, for code
    that runs outside fixtures, e.g. hypothesis state machines)."""

    class InMemory(app_cls):  # type: ignore[valid-type,misc]
        name = app_cls.__name__

        def construct_recorder(self) -> ApplicationRecorder:
            return recorder

    app = InMemory()
    app.hall_id = hall_id
    return app


def new_recorder() -> ApplicationRecorder:
    return POPOApplicationRecorder()
