"""Fixtures of the evaluation tests: a registered hall with a rated item, a window and a
staff member, an injected clock, the services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.catalog import CatalogService
from services.catalog.application import ItemTerms
from services.evaluations import EvaluationService
from services.halls import HallRegistry
from services.places import PlacesService
from services.rectifications import RectificationService
from services.shared.working_days import CHINA_TZ
from services.staff import StaffService


class Clock:
    """A clock the tests move by hand; starts on Wednesday 2026-05-06, 10:00 in Beijing."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 6, 10, tzinfo=CHINA_TZ)

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
    """Hall ``h1``, whose catalog has the rated item ``BDB-001``, with window ``W01`` and
    staff member ``S001`` (what the invitations name)."""
    hall_apps(HallRegistry, "h1").register_hall("一号大厅", "苏州", "op")
    terms = ItemTerms(name="帮办代办", category="ASSISTANCE", rated=True)
    hall_apps(CatalogService, "h1").publish_service_item("BDB-001", terms, "admin")
    hall_apps(PlacesService, "h1").configure_window(
        "W01", "综合窗口一", "COMPREHENSIVE", [], "admin"
    )
    hall_apps(StaffService, "h1").onboard_staff("S001", "员工一", "WINDOW_STAFF", [], "admin")
    return "h1"


@pytest.fixture
def evaluations(hall_apps, hall, clock) -> EvaluationService:
    app = hall_apps(EvaluationService, hall)
    app.clock = clock
    return app


@pytest.fixture
def rectifications(hall_apps, hall, clock) -> RectificationService:
    app = hall_apps(RectificationService, hall)
    app.clock = clock
    return app
