"""Unit tests run the applications in memory: every context of one hall shares one log."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder

from services.shared.application import HallApplication

A = TypeVar("A", bound=HallApplication)


@pytest.fixture
def hall_apps() -> Callable[[type[A], str], A]:
    """``hall_apps(AppClass, hall_id)``: applications of one hall sharing an in-memory log."""
    recorders: dict[str, ApplicationRecorder] = {}

    def make(app_cls: type[A], hall_id: str) -> A:
        recorder = recorders.setdefault(hall_id, POPOApplicationRecorder())

        class InMemory(app_cls):  # type: ignore[valid-type,misc]
            name = app_cls.__name__

            def construct_recorder(self) -> ApplicationRecorder:
                return recorder

        app = InMemory()
        app.hall_id = hall_id
        return app

    return make
