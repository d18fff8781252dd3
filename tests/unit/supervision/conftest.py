"""Fixtures of the supervision tests: a registered hall, an injected clock, the services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.halls import HallRegistry
from services.rectifications import RectificationService
from services.shared.working_days import CHINA_TZ
from services.supervision import SupervisionService


class Clock:
    """A clock the tests move by hand; starts on Wednesday 2026-09-30, 10:00 in Beijing."""

    def __init__(self) -> None:
        self.now = datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ)

    def __call__(self) -> datetime:
        return self.now

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.now = datetime(year, month, day, hour, tzinfo=CHINA_TZ)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hall(hall_apps) -> str:
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    return "h1"


@pytest.fixture
def supervision(hall_apps, hall, clock) -> SupervisionService:
    app = hall_apps(SupervisionService, hall)
    app.clock = clock
    return app


@pytest.fixture
def rectifications(hall_apps, hall, clock) -> RectificationService:
    app = hall_apps(RectificationService, hall)
    app.clock = clock
    return app
